"""The layers of DESIGN.md: ui -> extraction -> rag -> prompts -> shifu; nothing imports upward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ORDER = ["shifu", "prompts", "rag", "extraction", "ui"]  # lowest first


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", ORDER)
def test_no_upward_imports(layer: str) -> None:
    above = set(ORDER[ORDER.index(layer) + 1 :])
    offenders = [
        f"{path.relative_to(REPO)} imports {sorted(_imports(path) & above)}"
        for path in sorted((REPO / layer).rglob("*.py"))
        if _imports(path) & above
    ]
    assert not offenders, "upward imports break the layers of DESIGN.md:\n" + "\n".join(offenders)
