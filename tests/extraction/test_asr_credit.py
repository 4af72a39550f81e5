"""A course drafted from a speech-recognised interview credits the master the header names (吴立新),
in its source line and on each of his points, never as "说话人2"; the voice the header does not name
keeps the recogniser's label (说话人3)."""

from __future__ import annotations

from pathlib import Path

from drafting_kit import load

from extraction.offline_engine import build_offline_draft

FORKLIFT = Path(__file__).resolve().parents[1] / "data" / "forklift_asr_zh.txt"


def test_the_course_credits_the_master_by_name() -> None:
    t, chunks = load(FORKLIFT.read_bytes(), FORKLIFT.name)
    draft = build_offline_draft([t], {t.id: chunks}).draft
    assert [s.expert for s in draft.sources] == ["吴立新"]
    points = [p for m in draft.modules for lesson in m.lessons for p in lesson.points]
    assert points and {p.speaker for p in points} <= {"吴立新", "说话人3"}
    assert sum(p.speaker == "吴立新" for p in points) >= len(points) - 1
    assert "说话人1" not in draft.model_dump_json() and "说话人2" not in draft.model_dump_json()
