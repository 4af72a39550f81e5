"""Search over ingested transcripts (real Chroma, BM25 and SQLite): the right chunk, in scope, never half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.ingest import ingest_file
from rag.retrieve import published_transcript_ids, search
from shifu.store import session_scope
from shifu.tables import CourseRow, CourseVersionRow, TranscriptRow

REPO = Path(__file__).resolve().parents[2]

WELDING = """问：张师傅，焊接前您第一件事检查什么？
张师傅：先看气瓶和减压阀有没有漏气。用肥皂水抹一圈接头，冒泡就是漏了，绝对不能开焊。
问：焊缝出现气孔一般是什么原因？
张师傅：多半是焊条受潮了。焊条用之前要在烘箱里烘干，三百五十度烘一个小时，拿出来放保温筒里。
问：仰焊的时候怎么防止铁水往下掉？
张师傅：电流要比平焊小一成，弧要压短，焊条角度往上顶，一层一层薄薄地堆，别贪快。
"""

CNC = """Interviewer: How do you set the tool offset on a new job?
Thompson: I touch off every tool on the same gauge block. Then I run the first part at half feed and measure it before I trust the program.
Interviewer: What mistake do apprentices make most?
Thompson: They forget to check the chuck pressure. A thin-walled part will crush if the pressure is set for solid bar.
"""


@pytest.fixture
def library(ctx, tmp_path: Path) -> dict[str, str]:
    ids = {}
    for name, text in (("weld.txt", WELDING), ("cnc.txt", CNC)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = ingest_file(ctx, path)
        assert result.ok, result.error
        ids[name] = result.transcript_id
    return ids


def test_search_finds_the_right_chunk_in_chinese_and_english(ctx, library) -> None:
    hits = search(ctx, "焊条受潮了怎么处理", k=3)
    assert hits[0].chunk.transcript_id == library["weld.txt"]
    assert "烘箱" in hits[0].chunk.text
    assert hits[0].rank == 1 and hits[0].transcript_title == "weld" and hits[0].expert == "张师傅"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))

    hits = search(ctx, "why would a thin-walled part get crushed in the chuck?", k=3)
    assert hits[0].chunk.transcript_id == library["cnc.txt"]
    assert "chuck pressure" in hits[0].chunk.text
    assert "Thompson" in hits[0].chunk.speakers


def test_search_stays_inside_the_given_transcripts(ctx, library) -> None:
    hits = search(ctx, "焊条受潮", k=5, transcript_ids={library["cnc.txt"]})
    assert hits and all(h.chunk.transcript_id == library["cnc.txt"] for h in hits)
    assert search(ctx, "焊条受潮", k=5, transcript_ids=set()) == []


def test_nothing_to_search_returns_nothing(ctx) -> None:
    assert search(ctx, "焊条", k=5) == []
    assert search(ctx, "   ", k=5) == []


def test_a_transcript_still_indexing_is_never_returned(ctx, settings, library) -> None:
    with session_scope(settings) as s:
        s.get(TranscriptRow, library["weld.txt"]).status = "indexing"
    hits = search(ctx, "焊条受潮了怎么处理", k=5)
    assert all(h.chunk.transcript_id != library["weld.txt"] for h in hits)


def test_search_sees_a_re_ingested_file_at_once(ctx, library, tmp_path: Path) -> None:
    assert "三百五十度" in search(ctx, "焊条烘干温度", k=1)[0].chunk.text
    path = tmp_path / "weld.txt"
    path.write_text(WELDING.replace("三百五十度烘一个小时", "二百度烘两个小时"), encoding="utf-8")
    assert ingest_file(ctx, path).status == "replaced"
    texts = [h.chunk.text for h in search(ctx, "焊条烘干温度", k=5)]
    assert "二百度" in texts[0] and not any("三百五十度" in t for t in texts)


@pytest.mark.slow
def test_a_running_reader_sees_what_another_process_ingested(ctx, settings, library, tmp_path: Path) -> None:
    assert search(ctx, "pipe fitting torque", k=5)[0].chunk.transcript_id != "x"  # the reader is open
    path = tmp_path / "pipes.txt"
    path.write_text("Interviewer: How tight do you torque a flange?\n"
                    "Garcia: Pipe fitting torque goes in a star pattern, three passes, never all at once.\n",
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ui.cli.main", "ingest", str(path)], cwd=REPO, capture_output=True,
                          text=True, env={**os.environ, "SHIFU_HOME": str(settings.home)}, timeout=300)
    assert done.returncode == 0, done.stderr
    hit = search(ctx, "pipe fitting torque star pattern", k=1)[0]
    assert "star pattern" in hit.chunk.text and hit.transcript_title == "pipes"


def test_published_transcripts_are_the_sources_of_published_versions(ctx, settings) -> None:
    with session_scope(settings) as s:
        s.add(CourseRow(id="c-weld", title="焊接", status="published", published_version=2))
        s.add(CourseVersionRow(course_id="c-weld", number=1, data={}, transcript_ids=["t-old"]))
        s.add(CourseVersionRow(course_id="c-weld", number=2, data={}, transcript_ids=["t-a", "t-b"]))
        s.add(CourseRow(id="c-draft", title="草稿", status="draft"))
        s.add(CourseVersionRow(course_id="c-draft", number=1, data={}, transcript_ids=["t-draft"]))
        s.add(CourseRow(id="c-review", title="审核中", status="in_review", published_version=1))
        s.add(CourseVersionRow(course_id="c-review", number=1, data={}, transcript_ids=["t-review"]))
    assert published_transcript_ids(ctx) == {"t-a", "t-b"}
