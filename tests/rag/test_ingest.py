"""Ingest on a real Chroma store, real BM25 files and a real SQLite file: what a trainer notices.

Re-ingesting changes nothing, a changed file replaces its old chunks everywhere, `rm`
leaves nothing behind, a bad file never half-stores, and a writer killed with -9 at any
point leaves stores that the next writer makes agree again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from backends import BACKEND
from sqlalchemy import select

from rag import catalog
from rag.ingest import (
    WAIT_MESSAGE,
    check_consistency,
    index_stamp,
    ingest_bytes,
    ingest_file,
    ingest_paths,
    open_index,
    remove_transcript,
    repair,
    transcript_id_for,
    writing,
)
from rag.lexical_store import CHECK_EVERY_S
from shifu.context import Context
from shifu.errors import ShifuError
from shifu.store import session_scope
from shifu.tables import ChunkRow, TranscriptRow

REPO = Path(__file__).resolve().parents[2]

WELDING = """标题：焊接前的检查
工种：焊工
企业：温州东方阀门厂

问：张师傅，焊接前您第一件事检查什么？
张师傅：先看气瓶和减压阀有没有漏气。用肥皂水抹一圈接头，冒泡就是漏了，绝对不能开焊。
问：焊缝出现气孔一般是什么原因？
张师傅：多半是焊条受潮了。焊条用之前要在烘箱里烘干，三百五十度烘一个小时，拿出来放保温筒里。
"""

CNC = """Interviewer: How do you set the tool offset on a new job?
Thompson: I touch off every tool on the same gauge block. Then I run the first part at half feed and measure it before I trust the program.
Interviewer: What mistake do apprentices make most?
Thompson: They forget to check the chuck pressure. A thin-walled part will crush if the pressure is set for solid bar.
"""


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _sql_chunk_ids(settings, transcript_id: str) -> list[str]:
    with session_scope(settings) as s:
        return list(s.scalars(select(ChunkRow.id).where(ChunkRow.transcript_id == transcript_id)
                              .order_by(ChunkRow.ord)))


def _assert_consistent(settings) -> dict:
    report = check_consistency(Context(settings))
    assert report["consistent"], report
    return report


def test_ingest_writes_sql_chroma_and_bm25(ctx, settings, tmp_path: Path) -> None:
    result = ingest_file(ctx, _write(tmp_path, "weld.txt", WELDING))
    assert result.status == "added", result.error
    assert result.transcript_id == transcript_id_for("weld.txt")
    assert result.turns == 4 and result.chunks >= 1
    info = catalog.get_info(ctx, result.transcript_id)
    assert (info.title, info.trade, info.enterprise, info.expert) == ("焊接前的检查", "焊工", "温州东方阀门厂", "张师傅")
    assert info.status == "ready" and info.chunks == result.chunks
    report = _assert_consistent(settings)
    assert report["sql_chunks"] == report["chroma_chunks"] == report["bm25_chunks"] == result.chunks


def test_reingesting_an_unchanged_file_adds_nothing(ctx, settings, tmp_path: Path) -> None:
    path = _write(tmp_path, "weld.txt", WELDING)
    first = ingest_file(ctx, path)
    ids = _sql_chunk_ids(settings, first.transcript_id)
    index_ids = open_index(ctx).chroma_ids()
    second = ingest_file(ctx, path)
    assert second.status == "unchanged"
    assert second.transcript_id == first.transcript_id and second.chunks == first.chunks
    assert _sql_chunk_ids(settings, first.transcript_id) == ids
    assert open_index(ctx).chroma_ids() == index_ids
    assert len(catalog.list_transcripts(ctx)) == 1


def test_a_changed_file_replaces_its_old_chunks_everywhere(ctx, settings, tmp_path: Path) -> None:
    path = _write(tmp_path, "weld.txt", WELDING)
    first = ingest_file(ctx, path)
    old_ids = set(_sql_chunk_ids(settings, first.transcript_id))
    path.write_text(WELDING.replace("三百五十度烘一个小时", "一百五十度烘两个小时"), encoding="utf-8")
    second = ingest_file(ctx, path)
    assert second.status == "replaced" and second.transcript_id == first.transcript_id
    new_ids = set(_sql_chunk_ids(settings, first.transcript_id))
    gone = old_ids - new_ids
    assert gone, "the changed answer must get a new chunk id"
    index = open_index(ctx)
    assert not gone & index.chroma_ids() and not gone & index.bm25_ids()
    assert "一百五十度" in catalog.get_transcript(ctx, first.transcript_id).text
    _assert_consistent(settings)


def test_rm_removes_sql_rows_chroma_and_bm25(ctx, settings, tmp_path: Path) -> None:
    weld = ingest_file(ctx, _write(tmp_path, "weld.txt", WELDING))
    cnc = ingest_file(ctx, _write(tmp_path, "cnc.txt", CNC))
    remove_transcript(ctx, weld.transcript_id)
    assert [t.id for t in catalog.list_transcripts(ctx)] == [cnc.transcript_id]
    with session_scope(settings) as s:
        assert s.get(TranscriptRow, weld.transcript_id) is None
    report = _assert_consistent(settings)
    assert report["sql_chunks"] == report["chroma_chunks"] == report["bm25_chunks"] == cnc.chunks
    with pytest.raises(Exception, match="no transcript"):
        remove_transcript(ctx, weld.transcript_id)


def test_flags_beat_file_headers_and_expert_reassigns_roles(ctx, tmp_path: Path) -> None:
    path = _write(tmp_path, "weld.txt", WELDING)
    result = ingest_file(ctx, path, trade="电焊工", interview_date="2024-05-06", consent=True, uploaded_by="lin")
    info = catalog.get_info(ctx, result.transcript_id)
    assert (info.trade, info.enterprise, info.interview_date, info.consent, info.uploaded_by) == (
        "电焊工", "温州东方阀门厂", "2024-05-06", True, "lin")
    # consent given later on an unchanged file is recorded without re-indexing
    again = ingest_bytes(ctx, path.read_bytes(), "weld.txt", consent=False)
    assert again.status == "unchanged"
    assert catalog.get_info(ctx, result.transcript_id).consent is False
    swapped = ingest_file(ctx, path, expert="问")
    assert swapped.status == "replaced"
    roles = {t.speaker: t.role for t in catalog.get_transcript(ctx, result.transcript_id).turns}
    assert roles == {"问": "expert", "张师傅": "interviewer"}


def _zip_bomb() -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b"0" * (20 * 1024 * 1024) + b"</w:document>")
    return buf.getvalue()


BAD_INPUTS = {
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 40,
    "notzip.docx": b"this is not a word document at all",
    "bomb.docx": None,  # built lazily: 20 MB of zeros, a thousandfold compression
    "latin1.txt": "Interviewer: caf\xe9 cr\xe8me \xff\xfe\x81".encode("latin-1"),
    "broken.srt": b"1\nthis is not a timing line\nhello\n\n2\n00:00:01,000 --> \n",
    "other.json": b'{"name": "not our format", "lines": ["a", "b"]}',
    "nospeakers.txt": "今天我们聊聊焊接。焊接前要检查气瓶。然后调电流。".encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_fails_with_one_line_and_stores_nothing(ctx, settings, name: str) -> None:
    data = BAD_INPUTS[name] if BAD_INPUTS[name] is not None else _zip_bomb()
    result = ingest_bytes(ctx, data, name)
    assert result.status == "failed"
    assert name in result.error and "\n" not in result.error
    assert len(result.error) < 400
    with session_scope(settings) as s:
        assert s.query(TranscriptRow).count() == 0 and s.query(ChunkRow).count() == 0


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    from shifu.settings import load_settings

    monkeypatch.setenv("SHIFU_MAX_FILE_MB", "0.001")
    result = ingest_file(Context(load_settings()), _write(tmp_path, "long.txt", WELDING * 20))
    assert result.status == "failed"
    assert "long.txt" in result.error and "SHIFU_MAX_FILE_MB" in result.error


def test_a_batch_with_bad_files_still_ingests_the_good_ones(ctx, settings, tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    _write(folder, "a-weld.txt", WELDING)
    _write(folder, "b-empty.txt", b"")
    _write(folder, "c-notzip.docx", b"PK? no")
    _write(folder, "sub/d-cnc.txt", CNC)
    _write(folder, "notes.pdf", b"%PDF-1.4 not a transcript")  # unsupported: skipped in folders
    _write(folder, ".hidden/e.txt", WELDING)
    seen: list[tuple[str, int, int]] = []
    results = ingest_paths(ctx, [folder, tmp_path / "missing.txt"],
                           progress=lambda r, done, total: seen.append((Path(r.file).name, done, total)))
    status = {Path(r.file).name: r.status for r in results}
    assert status == {"missing.txt": "failed", "a-weld.txt": "added", "b-empty.txt": "failed",
                      "c-notzip.docx": "failed", "d-cnc.txt": "added"}
    assert [d for _, d, _ in seen] == [1, 2, 3, 4, 5] and {t for _, _, t in seen} == {5}
    assert len(catalog.list_transcripts(ctx)) == 2
    _assert_consistent(settings)


def test_two_files_with_the_same_name_in_one_batch(ctx, tmp_path: Path) -> None:
    a = _write(tmp_path / "a", "interview.txt", WELDING)
    b = _write(tmp_path / "b", "interview.txt", CNC)
    results = ingest_paths(ctx, [a, b])
    assert [r.status for r in results] == ["added", "failed"]
    assert "rename" in results[1].error


def test_an_index_failure_mid_ingest_leaves_nothing(ctx, settings, tmp_path: Path, monkeypatch) -> None:
    import rag.ingest

    real_open = rag.ingest.open_index

    def broken_open(s):
        index = real_open(s)

        def add(chunks, transcript_titles=None):
            raise OSError("disk full")

        index.add = add
        return index

    monkeypatch.setattr(rag.ingest, "open_index", broken_open)
    result = ingest_file(ctx, _write(tmp_path, "weld.txt", WELDING))
    assert result.status == "failed" and "disk full" in result.error and "weld.txt" in result.error
    monkeypatch.setattr(rag.ingest, "open_index", real_open)
    with session_scope(settings) as s:
        assert s.query(TranscriptRow).count() == 0
    _assert_consistent(settings)


def test_repair_deletes_index_entries_sql_does_not_know(ctx, settings, tmp_path: Path) -> None:
    from shifu.models import Chunk

    ingest_file(ctx, _write(tmp_path, "weld.txt", WELDING))
    stray = Chunk(id="c-stray0000000000", transcript_id="t-ghost", ord=0, text="无主的块：焊条要烘干。")
    index = open_index(ctx)
    index.add([stray], transcript_titles={"t-ghost": "ghost"})
    assert not check_consistency(ctx)["consistent"]
    report = repair(ctx)
    assert report.orphans == 1
    _assert_consistent(settings)


def test_repair_finishes_an_interrupted_removal(ctx, settings, tmp_path: Path) -> None:
    weld = ingest_file(ctx, _write(tmp_path, "weld.txt", WELDING))
    with session_scope(settings) as s:
        s.get(TranscriptRow, weld.transcript_id).status = "removing"  # as if killed inside `rm`
    report = repair(ctx)
    assert report.removed == [weld.transcript_id]
    assert catalog.list_transcripts(ctx, include_unready=True) == []
    assert _assert_consistent(settings)["chroma_chunks"] == 0


def test_repair_reindexes_chunks_the_index_lost(ctx, settings, tmp_path: Path) -> None:
    weld = ingest_file(ctx, _write(tmp_path, "weld.txt", WELDING))
    lost = _sql_chunk_ids(settings, weld.transcript_id)[:1]
    open_index(ctx).remove_chunks(lost)
    assert check_consistency(ctx)["missing_in_chroma"] == lost
    assert repair(ctx).reindexed == [weld.transcript_id]
    _assert_consistent(settings)


# --- processes: kill -9 and the writer lock ------------------------------------------------


def _big_interview(n: int = 60) -> str:
    lines = []
    for i in range(n):
        lines.append(f"问：第{i}个问题，焊接第{i}道工序要注意什么？")
        lines.append(f"张师傅：第{i}道工序先清理坡口，再预热到一百五十度。" + "电流要稳，手要稳，眼睛盯着熔池。" * 12)
    return "\n".join(lines) + "\n"


def _shifu(home: Path, *args: str, **env: str) -> subprocess.Popen:
    full_env = {**os.environ, "SHIFU_HOME": str(home), "COLUMNS": "200", **env}
    return subprocess.Popen([sys.executable, "-m", "ui.cli.main", *args], cwd=REPO, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_status(settings, status: str, timeout: float = 180) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.db_url)  # not the store's: it would create the schema itself
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    if conn.execute(text("SELECT count(*) FROM transcripts WHERE status = :s"), {"s": status}).scalar():
                        return
            except Exception:  # the schema is not there yet
                pass
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError(f"no transcript reached status {status!r} within {timeout} s")


def _chroma_rows(settings) -> int:
    if settings.chroma_url:  # a server answers while another process writes to it
        from rag.index import chroma_client

        client = chroma_client(settings)
        try:
            return int(client.get_collection("chunks").count())
        finally:
            client.close()
    with sqlite3.connect(settings.chroma_dir / "chroma.sqlite3", timeout=5) as conn:
        return int(conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])


def _wait_for_chroma_rows(settings, more_than: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _chroma_rows(settings) > more_than:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"Chroma of {settings.home} got no new rows within {timeout} s")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["after_sql", "while_embedding", "after_chroma"])
def test_kill_9_during_ingest_then_ingest_again_is_consistent(ctx, settings, tmp_path: Path, where: str) -> None:
    path = _write(tmp_path, "long-interview.txt", _big_interview())
    # An earlier version is in the library, so the killed ingest is a replacement.
    v1 = ingest_file(ctx, _write(tmp_path / "v1", "long-interview.txt", WELDING))
    old_ids = set(_sql_chunk_ids(settings, v1.transcript_id))
    pause = {"SHIFU_TEST_PAUSE_AFTER_SQL": "120"} if where == "after_sql" else {}
    proc = _shifu(settings.home, "ingest", str(path), **pause)
    try:
        _wait_for_status(settings, "indexing")
        if where == "while_embedding":
            time.sleep(0.3)  # embedding this file takes seconds
        elif where == "after_chroma":
            # Chroma written, BM25 (most likely) not yet
            _wait_for_chroma_rows(settings, more_than=v1.chunks)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert not check_consistency(ctx)["consistent"]
    again = ingest_file(ctx, path)  # the next writer repairs first
    assert again.ok, again.error
    report = _assert_consistent(settings)
    new_ids = set(_sql_chunk_ids(settings, v1.transcript_id))
    assert report["sql_chunks"] == len(new_ids) == again.chunks
    assert not old_ids & open_index(ctx).chroma_ids()


def _says_it_waits(proc: subprocess.Popen, lines: list[str]) -> threading.Thread:
    """Collect a second writer's stderr into `lines` until it says it waits for the lock; the reader thread."""
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    deadline = time.monotonic() + 180
    while not any(WAIT_MESSAGE in line for line in lines) and time.monotonic() < deadline:
        assert proc.poll() is None, "".join(lines)
        time.sleep(0.1)
    assert any(WAIT_MESSAGE in line for line in lines), "".join(lines)
    time.sleep(0.5)
    return reader


@pytest.mark.slow
def test_a_second_writer_waits_for_the_lock_and_both_finish(ctx, settings, tmp_path: Path) -> None:
    weld, cnc = _write(tmp_path, "weld.txt", WELDING), _write(tmp_path, "cnc.txt", CNC)
    lines: list[str] = []
    with writing(ctx):
        assert ingest_file(ctx, weld).status == "added"
        proc = _shifu(settings.home, "ingest", str(cnc))
        reader = _says_it_waits(proc, lines)
        assert proc.poll() is None  # still waiting while we hold the lock
    with proc:  # closes the pipes
        out = proc.stdout.read()  # type: ignore[union-attr]
        assert proc.wait(timeout=300) == 0, "".join(lines) + out
        reader.join(timeout=10)
    assert "added" in out
    assert {t.source_name for t in catalog.list_transcripts(ctx)} == {"weld.txt", "cnc.txt"}
    _assert_consistent(settings)


# --- several machines: one PostgreSQL and one Chroma server, a SHIFU_HOME each ------------------

on_servers_only = pytest.mark.skipif(BACKEND != "server", reason="two SHIFU_HOMEs share a library only on a server")


def _other_home(tmp_path: Path, settings) -> Path:
    """SHIFU_HOME of a second machine: its own folder; on the server back end, the same stores."""
    return tmp_path / "machine-2" if BACKEND == "server" else settings.home


@pytest.mark.slow
@on_servers_only
# Chroma's HTTP client leaves sockets for the garbage collector (the same-machine test above does too, at exit);
# in this longer test the collector runs during the test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_writer_on_another_machine_waits_and_both_interviews_are_indexed(ctx, settings, tmp_path: Path) -> None:
    weld, cnc = _write(tmp_path, "weld.txt", WELDING), _write(tmp_path, "cnc.txt", CNC)
    other = _other_home(tmp_path, settings)
    before = index_stamp(ctx)
    lines: list[str] = []
    with writing(ctx):
        assert ingest_file(ctx, weld).status == "added"
        proc = _shifu(other, "ingest", str(cnc))
        reader = _says_it_waits(proc, lines)
        assert proc.poll() is None  # still waiting while this machine writes
    with proc:
        out = proc.stdout.read()  # type: ignore[union-attr]
        assert proc.wait(timeout=300) == 0, "".join(lines) + out
        reader.join(timeout=10)
    assert "added" in out
    assert {t.source_name for t in catalog.list_transcripts(ctx)} == {"weld.txt", "cnc.txt"}
    reports = []
    for home in (settings.home, other):  # either machine sees both interviews, in SQL, Chroma and BM25 alike
        check = _shifu(home, "transcripts", "check")
        out, errors = check.communicate(timeout=300)
        assert check.returncode == 0, out + errors
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert reports[0] == reports[1] and reports[0]["consistent"] is True, reports
    assert reports[0]["chroma_chunks"] == reports[0]["bm25_chunks"] == _assert_consistent(settings)["sql_chunks"] >= 2
    time.sleep(CHECK_EVERY_S)
    assert index_stamp(ctx) != before  # readers here reopen after the other machine's write


@pytest.mark.slow
def test_a_writer_killed_with_sigkill_leaves_the_lock_free(ctx, settings, tmp_path: Path) -> None:
    other = _other_home(tmp_path, settings)
    holder = subprocess.Popen(
        [sys.executable, "-c", "from rag.ingest import writing\nfrom shifu.context import Context\n"
         "from shifu.settings import load_settings\nimport time\n"
         "with writing(Context(load_settings())):\n    print('holding', flush=True)\n    time.sleep(600)\n"],
        cwd=REPO, env={**os.environ, "SHIFU_HOME": str(other), "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding", holder.stderr
        waits: list[str] = []
        impatient = Context(settings.model_copy(update={"lock_timeout_s": 0.5}))
        with pytest.raises(ShifuError, match="SHIFU_LOCK_TIMEOUT_S"):
            with writing(impatient, on_wait=waits.append):
                pass
        assert waits == [WAIT_MESSAGE]  # the lock is held across processes (and machines)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        holder.kill()
        holder.communicate()
    patient = Context(settings.model_copy(update={"lock_timeout_s": 30.0}))
    started = time.monotonic()
    with writing(patient):
        pass
    assert time.monotonic() - started < 30


def test_a_refused_upload_says_what_to_do_in_either_language(ctx) -> None:
    from rag.ingest import ingest_bytes

    result = ingest_bytes(ctx, b"\x00\x01\x02", "broken.txt")
    assert not result.ok
    assert "NUL bytes" in result.error_in("en") and "空字节" in result.error_in("zh")
    assert "NUL bytes" not in result.error_in("zh")
