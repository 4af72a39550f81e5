"""`shifu export`: from a course JSON file to each format, with clear messages for mistakes."""

from __future__ import annotations

import sys
import types
import zipfile

import pytest
from conftest_export import welding_course
from typer.testing import CliRunner

from extraction.export import FORMATS
from shifu.errors import ShifuError
from ui.cli.main import app


@pytest.fixture
def course_file(tmp_path):
    path = tmp_path / "course.json"
    path.write_text(welding_course().model_dump_json(), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_from_a_course_json(fmt, course_file, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(app, ["export", "--from-json", str(course_file), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = list(out.iterdir())
    assert len(written) == 1 and written[0].name.endswith(FORMATS[fmt].suffix)
    assert "wrote" in result.output and "1 quiz items still carry validator flags" in result.output
    if fmt in ("qti", "scorm"):
        assert zipfile.is_zipfile(written[0])


def test_unknown_format_names_the_formats(course_file, tmp_path):
    result = CliRunner().invoke(app, ["export", "--from-json", str(course_file), "--format", "pdf",
                                      "--out", str(tmp_path / "x")])
    assert isinstance(result.exception, ShifuError)
    assert "moodle-xml" in str(result.exception) and "pdf" in str(result.exception)


def test_a_file_that_is_not_a_course(tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"name": "焊接"}', encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "--from-json", str(bad), "--format", "md", "--out", str(tmp_path / "c.md")])
    assert isinstance(result.exception, ShifuError)
    assert "notes.json is not a course JSON (title" in str(result.exception)


def test_no_course_given(tmp_path):
    result = CliRunner().invoke(app, ["export", "--format", "md", "--out", str(tmp_path / "c.md")])
    assert isinstance(result.exception, ShifuError) and "courses ls" in str(result.exception)


def test_leave_out_unusable_says_what_was_left_out(tmp_path):
    course = welding_course()
    course.quiz[0].answer = ["不存在的选项"]
    path = tmp_path / "course.json"
    path.write_text(course.model_dump_json(), encoding="utf-8")
    args = ["export", "--from-json", str(path), "--format", "gift", "--out", str(tmp_path / "q.txt")]
    refused = CliRunner().invoke(app, args)
    assert isinstance(refused.exception, ShifuError) and "q1: no option is the answer" in str(refused.exception)
    result = CliRunner().invoke(app, args + ["--leave-out-unusable"])
    assert result.exit_code == 0, result.output
    assert "7 quiz items" in result.output and "left out quiz item q1: no option is the answer" in result.output


def test_a_stored_course_by_id_and_version(monkeypatch, tmp_path):
    asked = []

    def get_course(ctx, course_id, version=None):
        asked.append((course_id, version))
        return {"id": course_id}, welding_course()

    try:
        import extraction.publishing as courses
    except ImportError:  # the course store lands separately; the wiring is what is tested here
        courses = types.ModuleType("extraction.publishing")
        monkeypatch.setitem(sys.modules, "extraction.publishing", courses)
    monkeypatch.setattr(courses, "get_course", get_course, raising=False)
    result = CliRunner().invoke(app, ["export", "c-42", "--version", "3", "--format", "docx",
                                      "--out", str(tmp_path / "c.docx")])
    assert result.exit_code == 0, result.output
    assert asked == [("c-42", 3)] and (tmp_path / "c.docx").exists()


@pytest.mark.parametrize("given", ["out/", "out"])
def test_a_new_folder_gets_one_file_per_format(course_file, tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    for fmt in ("md", "gift", "json"):
        result = CliRunner().invoke(app, ["export", "--from-json", str(course_file), "--format", fmt,
                                          "--leave-out-unusable", "--out", given])
        assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert out.is_dir()  # created, not written as a file named "out"
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 3 and {n.split(".", 1)[1] for n in names} == {"md", "gift.txt", "json"}
    assert all(n.startswith(names[0].split(".", 1)[0]) for n in names)  # named after the course


def test_a_path_with_a_suffix_is_the_file_written(course_file, tmp_path):
    out = tmp_path / "new" / "quiz.md"
    result = CliRunner().invoke(app, ["export", "--from-json", str(course_file), "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and list(out.parent.iterdir()) == [out]
