"""Course JSON: exactly the published shape, valid against the schema, and read back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest_export import welding_course

from extraction.course import CourseDraft
from extraction.export import export_course
from extraction.export.course_json import SHAPE

SCHEMA = Path(__file__).resolve().parents[2] / "extraction" / "course.schema.json"


def _check_shape(value, shape, where="course"):
    """Every key of the issue's shape is present, and no other key."""
    if shape is None:
        return
    if isinstance(shape, list):
        assert isinstance(value, list), where
        for i, v in enumerate(value):
            _check_shape(v, shape[0], f"{where}[{i}]")
        return
    assert isinstance(value, dict) and list(value) == list(shape), where
    for key, sub in shape.items():
        _check_shape(value[key], sub, f"{where}.{key}")


@pytest.fixture
def exported(tmp_path):
    path = export_course(welding_course(), "json", tmp_path / "course.json")
    return path.read_text(encoding="utf-8")


def test_shape_is_the_published_one(exported):
    data = json.loads(exported)
    _check_shape(data, SHAPE)
    assert data["quiz"][2]["answer"] == ["false"]
    assert {c["quote"] for c in data["modules"][1]["lessons"][0]["points"][0]["citations"]} == {
        welding_course().modules[1].lessons[0].points[0].citations[0].quote}
    assert "王师傅" in exported  # Chinese stays readable, not \\u escapes


def test_reads_back_into_the_same_course(exported):
    assert CourseDraft.model_validate_json(exported) == welding_course()


def test_valid_against_the_schema_file(exported):
    if not SCHEMA.exists():
        pytest.skip("extraction/course.schema.json is not written yet")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(exported), schema)
