"""Each domain fact has one home: a second definition of any of them fails here, naming both places."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from extraction.course import KIND_LABELS, POINT_KINDS, UNIT_KINDS
from extraction.publishing import STATUSES
from shifu.auth import ROLES

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("shifu", "prompts", "rag", "extraction", "ui")

# function name -> the one module that may define it
HOMES = {
    "clock": "shifu/timecode.py",
    "count_tokens": "shifu/tokens.py",
    "messages_tokens": "shifu/tokens.py",
    "read_qrels": "rag/beir.py",
    "read_jsonl": "rag/beir.py",
    "md_escape": "rag/markdown.py",
    "published_versions": "rag/published.py",
    "kind_label": "extraction/course.py",
    "detect_language": "rag/language.py",
    "fill_course": "shifu/skill_names.py",  # drafting and migration 0007 name skills the same way
    "trim_fillers": "extraction/display.py",
}
# Names the old copies had: a function by one of them is a second home coming back.
RETIRED = ("fmt_time", "mmss", "timestamp", "_timestamp", "_escape", "_jsonl", "_encoding")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            yield path.relative_to(REPO).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


MODULES = dict(_modules())


def _nodes(kind: type | tuple[type, ...]) -> Iterator[tuple[str, ast.AST]]:
    for name, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, kind):
                yield name, node


def _strings(node: ast.AST) -> list[str]:
    """The string constants of a literal (a string, or a tuple/list/set of strings), else []."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _where(found: list[str]) -> str:
    return "\n  ".join(sorted(found))


@pytest.mark.parametrize("name", sorted(HOMES))
def test_each_function_is_defined_once_in_its_home(name: str) -> None:
    found = [f"{where}:{node.lineno}" for where, node in _nodes((ast.FunctionDef, ast.AsyncFunctionDef))
             if node.name == name]
    assert [f.split(":")[0] for f in found] == [HOMES[name]], \
        f"{name} must be defined once, in {HOMES[name]}; found:\n  {_where(found)}"


def test_no_retired_copy_comes_back() -> None:
    found = [f"{where}:{node.lineno} {node.name}" for where, node in _nodes((ast.FunctionDef, ast.AsyncFunctionDef))
             if node.name in RETIRED]
    assert not found, "use the one home of this fact instead (see HOMES):\n  " + _where(found)


def test_recording_times_are_formatted_only_by_the_clock() -> None:
    """Hours and minutes are cut out of seconds in shifu/timecode.py alone."""
    found = []
    for where, node in _nodes((ast.BinOp, ast.Constant)):
        if where == HOMES["clock"]:
            continue
        if isinstance(node, ast.Constant) and node.value == 3600 or (
                isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.FloorDiv))
                and isinstance(node.right, ast.Constant) and node.right.value == 60):
            found.append(f"{where}:{node.lineno}")
    assert not found, "format a recording time with shifu.timecode.clock:\n  " + _where(found)


def _label_table(node: ast.Dict) -> bool:
    """A dict literal naming three or more point kinds with short labels (Chinese or the English ones)."""
    english = {en.lower() for _, en in KIND_LABELS.values()}
    pairs = [(k.value, _strings(v)) for k, v in zip(node.keys, node.values, strict=True)
             if isinstance(k, ast.Constant) and k.value in POINT_KINDS]
    labels = [(kind, texts) for kind, texts in pairs
              if texts and all(len(t) <= 20 and "{" not in t for t in texts)
              and any(_CJK.search(t) or (t != kind and t.lower() in english) for t in texts)]
    return len(labels) >= 3


def test_kind_labels_live_only_in_the_course_module() -> None:
    found = [f"{where}:{node.lineno}" for where, node in _nodes(ast.Dict)
             if where != "extraction/course.py" and _label_table(node)]
    assert not found, "name kinds with extraction.course.kind_label:\n  " + _where(found)


def test_rule_has_one_chinese_name() -> None:
    assert KIND_LABELS["rule"][0] == "规矩"
    assert set(KIND_LABELS) == set(POINT_KINDS)


def _lists_all(node: ast.AST, names: tuple[str, ...]) -> bool:
    return set(names) <= set(_strings(node)) and not isinstance(node, ast.Constant)


def test_unit_kinds_are_listed_once() -> None:
    found = [f"{where}:{node.lineno}" for where, node in _nodes((ast.Tuple, ast.List, ast.Set))
             if where != "extraction/course.py" and _lists_all(node, UNIT_KINDS)]
    assert not found, "use extraction.course.UnitKind / UNIT_KINDS:\n  " + _where(found)


@pytest.mark.parametrize(("names", "home"), [(STATUSES, "extraction/publishing.py"), (ROLES, "shifu/auth.py")])
def test_statuses_and_roles_are_listed_once(names: tuple[str, ...], home: str) -> None:
    found = [f"{where}:{node.lineno}" for where, node in _nodes((ast.Tuple, ast.List, ast.Set))
             if where != home and _lists_all(node, names)]
    assert not found, f"import the list from {home}:\n  " + _where(found)


def test_what_a_worker_may_see_is_decided_in_one_place() -> None:
    """Only rag/published.py joins a course to its published version."""
    found = [f"{where}:{node.lineno}" for where, node in _nodes(ast.Attribute)
             if where != HOMES["published_versions"] and node.attr == "published_version"
             and isinstance(node.value, ast.Name) and node.value.id == "CourseRow"]
    assert not found, "start from rag.published.published_versions():\n  " + _where(found)


def test_a_point_reads_the_same_in_the_lesson_the_export_and_the_worker_screen() -> None:
    """One rule, said at 1:15:00: every place that shows it names it 规矩 and times it 1:15:00."""
    from extraction.course import CourseDraft, Lesson, Module, Point, Source
    from extraction.export.markdown import render
    from extraction.outline import lesson_markdown
    from shifu.models import Citation
    from ui.web.worker import render_lesson

    quote = "层间温度不能超过150度。"
    cite = Citation(transcript_id="t-1", chunk_id="c-1", quote=quote, start=0, end=len(quote), t_start=4500)
    point = Point(kind="rule", text="焊完一层要等它凉下来", citations=[cite])
    course = CourseDraft(title="焊接", sources=[Source(transcript_id="t-1", title="焊接访谈", expert="王师傅")],
                         modules=[Module(title="不锈钢", lessons=[Lesson(title="层间温度", points=[point])])])
    for shown in (lesson_markdown([point], {quote: "王师傅"}, "zh"), render(course), render_lesson(course, "0.0")):
        assert "规矩" in shown and "1:15:00" in shown, shown
