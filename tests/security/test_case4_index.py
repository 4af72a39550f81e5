"""Cases 3 and 4: the index changes or breaks under a running reader; a damaged index heals from SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backends import embedded_chroma_only
from sqlalchemy import update
from typer.testing import CliRunner

from rag.ingest import _drop_chroma_system, check_consistency, ingest_bytes
from rag.retrieve import BEING_REPAIRED, BEING_REPAIRED_ZH, search
from shifu.context import Context
from shifu.errors import IndexDamaged
from shifu.tables import LexicalChunkRow, LexicalStateRow
from ui.cli.main import app

REPO = Path(__file__).resolve().parents[2]
A = "问：焊前检查什么？\n张师傅：先看气瓶和减压阀有没有漏气，用肥皂水抹一圈接头。\n问：然后呢？\n张师傅：再把工件预热到一百度。\n"
B = "问：焊前检查什么？\n张师傅：检查焊枪喷嘴有没有堵，飞溅要清掉。\n问：然后呢？\n张师傅：看地线夹牢没有。\n"


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def _garble(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\x00garbage\x9c\x80" * 64)


def _garble_lexical(ctx: Context) -> None:
    """Garble every chunk's stored terms, as a bad write would leave them (readers are told of a change)."""
    with ctx.unit_of_work() as s:
        s.execute(update(LexicalChunkRow).values(chars=b"\xff\xfe\x00garbage\x9c\x80" * 64, generation=10**6))
        s.execute(update(LexicalStateRow).values(generation=10**6))


@pytest.mark.case("3 index changed under a reader")
def test_replace_from_another_process_while_a_reader_is_open(ctx, shifu_home) -> None:
    assert ingest_bytes(ctx, A.encode(), "a.txt").ok
    reader = Context(ctx.settings)
    assert "肥皂水" in search(reader, "焊前检查什么", k=1)[0].chunk.text
    code = ("from shifu.settings import load_settings; from shifu.context import Context; "
            "from rag.ingest import ingest_bytes; import sys; "
            f"r = ingest_bytes(Context(load_settings()), {B!r}.encode(), 'a.txt'); sys.exit(0 if r.ok else 1)")
    env = {**os.environ, "SHIFU_HOME": str(shifu_home), "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300, capture_output=True)
    hits = search(reader, "焊前检查什么", k=2)
    assert hits and "喷嘴" in hits[0].chunk.text and all("肥皂水" not in h.chunk.text for h in hits)


@pytest.mark.case("3 index changed under a reader")
def test_a_stale_handle_is_reopened_once(ctx) -> None:
    assert ingest_bytes(ctx, A.encode(), "a.txt").ok
    reader = Context(ctx.settings)
    assert search(reader, "焊前检查什么", k=1)
    reader.index_slot.index.close()  # as if the store went away under it
    reader.index_slot.index._client = "gone"  # the next use fails inside Chroma
    reader.index_slot.index._collection = None
    assert search(reader, "焊前检查什么", k=1)


@pytest.mark.case("4 damaged index", data=True)
def test_garbled_lexical_index_is_reported_in_one_line_and_rebuilt(ctx) -> None:
    assert ingest_bytes(ctx, A.encode(), "a.txt").ok
    _garble_lexical(ctx)
    with pytest.raises(IndexDamaged) as found:
        check_consistency(Context(ctx.settings))
    assert "\n" not in str(found.value) and "check --fix" in str(found.value)
    out = _cli("transcripts", "check")
    assert out.exit_code == 1 and "damaged" in out.output and "Traceback" not in out.output
    out = _cli("transcripts", "check", "--fix")
    assert out.exit_code == 0, out.output
    assert "rebuilt" in out.output and "consistent" in out.output
    assert "肥皂水" in search(Context(ctx.settings), "焊前检查什么", k=1)[0].chunk.text


@embedded_chroma_only
@pytest.mark.case("4 damaged index", data=True)
def test_garbled_chroma_is_reported_and_rebuilt(ctx) -> None:
    assert ingest_bytes(ctx, A.encode(), "a.txt").ok
    _drop_chroma_system(ctx.settings.chroma_dir)  # as a new process would see the files
    _garble(ctx.settings.chroma_dir / "chroma.sqlite3")
    out = _cli("transcripts", "check")
    assert out.exit_code == 1 and "damaged" in out.output and "Traceback" not in out.output
    out = _cli("transcripts", "check", "--fix")
    assert out.exit_code == 0, out.output
    assert "肥皂水" in search(Context(ctx.settings), "焊前检查什么", k=1)[0].chunk.text


@pytest.mark.case("4 damaged index")
def test_the_app_says_the_index_is_being_repaired_then_answers(ctx) -> None:
    import gradio as gr
    from seckit import make_course, make_users, request

    from ui.web.worker import WorkerHandlers

    result = ingest_bytes(ctx, A.encode(), "a.txt", consent=True)
    make_course(ctx, "c1", result.transcript_id, status="published")
    worker = make_users(ctx)["worker"]
    app_ctx = Context(ctx.settings)
    _garble_lexical(ctx)
    with pytest.raises(gr.Error) as said:
        WorkerHandlers(app_ctx).ask("焊前检查什么？", [], request(worker))
    assert str(said.value.message) == BEING_REPAIRED_ZH and "索引正在修复" in BEING_REPAIRED_ZH
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if search(app_ctx, "焊前检查什么", k=1):
                break
        except IndexDamaged as exc:
            assert str(exc) == BEING_REPAIRED
        time.sleep(0.5)
    assert "肥皂水" in search(app_ctx, "焊前检查什么", k=1)[0].chunk.text


@pytest.mark.case("4 damaged index", data=True)
def test_an_empty_lexical_table_after_an_upgrade_is_filled_from_the_library(ctx) -> None:
    """A library from before the shared lexical index (its old bm25/ folder is ignored): check --fix fills the table."""
    from sqlalchemy import delete

    assert ingest_bytes(ctx, A.encode(), "a.txt").ok
    with ctx.unit_of_work() as s:
        s.execute(delete(LexicalChunkRow))
        s.execute(update(LexicalStateRow).values(generation=LexicalStateRow.generation + 1))
    (ctx.settings.home / "bm25" / "chunks").mkdir(parents=True)  # what an old version left
    out = _cli("transcripts", "check")
    assert out.exit_code == 1 and json.loads(out.stdout.strip().splitlines()[-1])["missing_in_bm25"] > 0
    out = _cli("transcripts", "check", "--fix")
    assert out.exit_code == 0 and "consistent" in out.output, out.output
    assert "肥皂水" in search(Context(ctx.settings), "焊前检查什么", k=1)[0].chunk.text
