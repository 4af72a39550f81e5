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


def _imported_names(path: Path) -> set[str]:
    """Full module names imported, plus `module.name` for each name taken from a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_ui_reaches_the_database_only_through_services() -> None:
    """ui/ imports no SQLAlchemy, no table module and no session: SQL lives below it, in the services."""
    def forbidden(name: str) -> bool:
        return (name == "sqlalchemy" or name.startswith("sqlalchemy.") or name.startswith("shifu.tables")
                or name == "shifu.store.session_scope")

    offenders = [
        f"{path.relative_to(REPO)} imports {sorted(n for n in _imported_names(path) if forbidden(n))}"
        for path in sorted((REPO / "ui").rglob("*.py"))
        if any(forbidden(n) for n in _imported_names(path))
    ]
    assert not offenders, "ui/ must call a service instead:\n" + "\n".join(offenders)
