"""What every export does the same way: where the file goes, and items an LMS could not score."""

from __future__ import annotations

import zipfile

import pytest
from conftest_export import welding_course

from extraction.course import CourseDraft, QuizItem
from extraction.export import FORMATS, export_course, unusable_items
from extraction.export.gift import parse_gift
from shifu.errors import ShifuError


def _with_broken_item() -> CourseDraft:
    course = welding_course()
    broken = QuizItem(id="q9", type="single_choice", stem="哪个对？", options=["甲", "乙"], answer=["丙"])
    return course.model_copy(update={"quiz": course.quiz + [broken]})


def test_a_folder_gets_a_file_named_after_the_course(tmp_path):
    path = export_course(welding_course(), "gift", tmp_path)
    assert path.parent == tmp_path and path.name == "CO2气体保护焊_王师傅的_参数_与安全_1.gift.txt"


def test_a_missing_folder_is_made(tmp_path):
    path = export_course(welding_course(), "md", tmp_path / "exports" / "焊接.md")
    assert path.read_text(encoding="utf-8").startswith("# CO2")


def test_an_item_no_lms_can_score_stops_lms_exports(tmp_path):
    course = _with_broken_item()
    assert unusable_items(course) == {"q9": "no option is the answer"}
    for fmt in (f for f, spec in FORMATS.items() if spec.for_lms):
        with pytest.raises(ShifuError, match="q9: no option is the answer.*--leave-out-unusable"):
            export_course(course, fmt, tmp_path / f"x.{fmt}")
    assert "哪个对？" in export_course(course, "md", tmp_path / "review.md").read_text(encoding="utf-8")


def test_leaving_it_out_keeps_the_rest(tmp_path):
    path = export_course(_with_broken_item(), "gift", tmp_path / "q.txt", leave_out_unusable=True)
    assert [q.name for q in parse_gift(path.read_text(encoding="utf-8"))] == [f"q{i}" for i in range(1, 9)]


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "qti"])
def test_a_quiz_format_needs_a_quiz(fmt, tmp_path):
    with pytest.raises(ShifuError, match="no quiz items"):
        export_course(welding_course().model_copy(update={"quiz": []}), fmt, tmp_path / "x")


def test_scorm_without_a_quiz_has_only_lessons(tmp_path):
    path = export_course(welding_course().model_copy(update={"quiz": []}), "scorm", tmp_path / "c.zip")
    assert "quiz.html" not in zipfile.ZipFile(path).namelist()
    with pytest.raises(ShifuError, match="no lessons and no quiz"):
        export_course(CourseDraft(title="空课程"), "scorm", tmp_path / "e.zip")


def test_qti_ids_in_chinese_become_distinct_identifiers(tmp_path):
    course = welding_course()
    quiz = [q.model_copy(update={"id": "题1"}) for q in course.quiz[:2]]
    path = export_course(course.model_copy(update={"quiz": quiz}), "qti", tmp_path / "q.zip")
    items = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("items/")]
    assert len(items) == 2 and len(set(items)) == 2
