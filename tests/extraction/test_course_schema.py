"""The published JSON Schema matches the course model, and real drafts validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from drafting_kit import corpus

from extraction.course import CourseDraft
from extraction.offline_engine import build_offline_draft

SCHEMA = Path(__file__).resolve().parents[2] / "extraction" / "course.schema.json"


def test_schema_file_is_generated_from_the_model():
    published = json.loads(SCHEMA.read_text(encoding="utf-8"))
    generated = CourseDraft.model_json_schema(mode="serialization")
    assert published["$defs"] == generated["$defs"]
    assert published["properties"] == generated["properties"]


def test_an_offline_draft_validates_against_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    t, chunks = corpus("lineman_safety_en.json")
    draft = build_offline_draft([t], {t.id: chunks}).draft
    data = json.loads(draft.model_dump_json())
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    c = data["quiz"][0]["citations"][0]
    assert set(c) == {"transcript_id", "chunk_id", "quote", "start", "end", "t_start", "t_end"}
