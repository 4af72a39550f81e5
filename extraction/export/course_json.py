"""The course JSON of issue 4, exactly its published shape (internal models may carry more)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extraction.course import CourseDraft

CITATION = {k: None for k in ("transcript_id", "chunk_id", "quote", "start", "end", "t_start", "t_end")}
# The shape of the published course JSON: a dict lists its keys, a one-item list means "array of".
SHAPE: dict[str, Any] = {
    "title": None, "language": None, "audience": None, "level": None, "objectives": None,
    "sources": [{"transcript_id": None, "title": None, "expert": None, "sha256": None}],
    "modules": [{"title": None, "summary": None, "lessons": [{
        "title": None, "objectives": None, "content_md": None,
        "points": [{"kind": None, "text": None, "skills": None, "citations": [CITATION]}]}]}],
    "quiz": [{"id": None, "type": None, "stem": None, "options": None, "answer": None, "explanation": None,
              "difficulty": None, "bloom": None, "skills": None, "citations": [CITATION], "flags": None}],
    "follow_up_questions": [{"question": None, "reason": None, "citations": [CITATION]}],
}


def _project(value: Any, shape: Any) -> Any:
    if shape is None:
        return value
    if isinstance(shape, list):
        return [_project(v, shape[0]) for v in value]
    return {key: _project(value[key], sub) for key, sub in shape.items()}


def course_json(draft: CourseDraft) -> dict[str, Any]:
    """The draft as the published course JSON (only the published keys, in their order)."""
    return _project(draft.model_dump(mode="json"), SHAPE)


def write(draft: CourseDraft, out: Path) -> None:
    """Write the course JSON, UTF-8 with Chinese kept readable."""
    out.write_text(json.dumps(course_json(draft), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
