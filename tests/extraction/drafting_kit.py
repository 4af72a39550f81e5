"""Transcripts for the drafting tests, parsed and chunked in memory (no index needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.chunk import chunk_transcript
from rag.parse import parse_transcript
from shifu.models import Chunk, Transcript

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench"
KNOWHOW = BENCH / "knowhow"  # the know-how references, scorer and interviews of ../shared/bench
needs_knowhow = pytest.mark.skipif(
    not ((KNOWHOW / "score_knowhow.py").exists() and (KNOWHOW / "oral_history_en").is_dir()),
    reason="bench data not present")


def load(data: bytes, name: str, tid: str = "t1") -> tuple[Transcript, list[Chunk]]:
    """Parse and chunk a transcript file's bytes; give it a fixed id."""
    t = parse_transcript(data, name)
    t.id = tid
    return t, chunk_transcript(t)


def corpus(name: str, tid: str = "t1") -> tuple[Transcript, list[Chunk]]:
    return load((CORPUS / name).read_bytes(), name, tid)


def interview(turns: list[tuple[str, str]], title: str = "访谈", tid: str = "t1", language: str | None = None,
              expert: str | None = None) -> tuple[Transcript, list[Chunk]]:
    """A JSON transcript from (speaker, text) pairs; speaker '问' is the interviewer, others the expert."""
    doc: dict = {"title": title, "turns": [
        {"speaker": s, "text": x, "role": "interviewer" if s in ("问", "Q") else "expert"} for s, x in turns]}
    if language:
        doc["language"] = language
    if expert:
        doc["expert"] = {"name": expert}
    return load(json.dumps(doc, ensure_ascii=False).encode(), f"{tid}.json", tid)
