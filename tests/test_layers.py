"""The layers of DESIGN.md: ui -> extraction -> rag -> prompts -> shifu; nothing imports upward,
no two modules import each other, the screens run no SQL, the product never uses bench/ or demo/."""

from __future__ import annotations

import ast
from collections.abc import Iterator
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


# --- the module graph ------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for layer in ORDER for p in sorted((REPO / layer).rglob("*.py"))}


def _imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import in a module, at module level or inside a function."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            yield from ((node.lineno, f"{base}.{alias.name}") for alias in node.names)


def _edges(path: Path) -> set[str]:
    """The product modules this module imports ('from a import b' counts b when b is a module)."""
    out = set()
    for _, name in _imported_names(path):
        if name in MODULES and name != _module_name(path):
            out.add(name)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    graph = {name: _edges(path) for name, path in MODULES.items()}
    circles = _cycles(graph)
    assert not circles, "modules that import each other (directly or round a circle):\n" + "\n".join(
        " <-> ".join(group) for group in circles)


_UI_MAY_NOT = ("sqlalchemy", "shifu.tables", "shifu.store.session_scope")


def test_ui_runs_no_sql() -> None:
    offenders = [f"{path.relative_to(REPO)}:{line} imports {name}"
                 for path in sorted((REPO / "ui").rglob("*.py"))
                 for line, name in _imported_names(path)
                 if any(name == bad or name.startswith(bad + ".") for bad in _UI_MAY_NOT)]
    assert not offenders, "the screens call services; SQL stays below ui/:\n" + "\n".join(offenders)


@pytest.mark.parametrize("layer", ORDER)
def test_product_never_imports_the_tool_folders(layer: str) -> None:
    offenders = [f"{path.relative_to(REPO)}:{line} imports {name}"
                 for path in sorted((REPO / layer).rglob("*.py"))
                 for line, name in _imported_names(path)
                 if name.split(".")[0] in ("bench", "demo", "deploy")]
    assert not offenders, "bench/, demo/ and deploy/ use the product, never the other way round:\n" + "\n".join(offenders)
