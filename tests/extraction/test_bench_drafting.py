"""Offline drafts of real interviews nobody here wrote (VCSum panels, Unix oral histories) meet
the bar: every point and item quoted verbatim, >= 95% of items valid, >= 90% supported,
no duplicate stems, at least 8 items per hour of interview."""

from __future__ import annotations

import pytest
from drafting_kit import BENCH

from extraction.evaluate import evaluate_drafting, load_meetings, meeting_transcript_json

pytestmark = pytest.mark.skipif(not (BENCH / "vcsum" / "meetings.jsonl").exists(), reason="bench data not present")


def _check(result):
    assert result["failed"] == 0
    assert result["points_quoted_rate"] == 1.0 and result["quiz_quoted_rate"] == 1.0
    assert result["quiz_valid_rate"] >= 0.95 and result["quiz_supported_rate"] >= 0.9
    assert result["duplicate_stems"] == 0
    assert result["min_items_per_hour"] >= 8
    assert result["longest_minutes"] >= 30 and result["seconds_per_hour_worst"] <= 30


def test_vcsum_meetings_draft_into_valid_cited_courses(settings):
    meetings = load_meetings(BENCH / "vcsum" / "meetings.jsonl")[:4]
    files = [(f"vcsum-{m.id}.json", meeting_transcript_json(m)) for m in meetings]
    _check(evaluate_drafting(files, settings, use_embeddings=False))


def test_english_oral_histories_draft_into_valid_cited_courses(settings):
    paths = sorted((BENCH / "oral_history_en").glob("*.txt"))[:2]
    _check(evaluate_drafting([(p.name, p.read_bytes()) for p in paths], settings, use_embeddings=False))
