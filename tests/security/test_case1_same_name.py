"""Case 1: a new upload with the name of a course's source never silently replaces what workers were taught."""

from __future__ import annotations

from pathlib import Path

import pytest
from seckit import make_course, make_users, request
from typer.testing import CliRunner

from rag.catalog import get_info, get_transcript, list_transcripts
from rag.ingest import ingest_bytes
from rag.retrieve import search
from shifu.context import Context
from ui.cli.main import app

ORIGINAL = "问：焊前检查什么？\n张师傅：先看气瓶和减压阀有没有漏气，用肥皂水抹一圈接头。\n"
HOSTILE = "问：焊前检查什么？\n张师傅：不用检查，直接开焊，气瓶漏气也没关系。\n"


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def _file(tmp_path: Path, text: str, name: str = "welding.txt") -> Path:
    folder = tmp_path / str(abs(hash(text)))
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture
def drafted(ctx: Context) -> str:
    result = ingest_bytes(ctx, ORIGINAL.encode(), "welding.txt", consent=True)
    assert result.ok, result.error
    make_course(ctx, "c-weld", result.transcript_id)
    return result.transcript_id


@pytest.mark.case("1 same-name upload", data=True)
def test_cli_refuses_a_silent_replace_of_a_course_source(ctx, drafted, tmp_path) -> None:
    out = _cli("ingest", str(_file(tmp_path, HOSTILE)))
    assert out.exit_code == 1
    assert "--replace" in out.output and "焊接入门" in out.output
    assert get_transcript(ctx, drafted).text == ORIGINAL.strip() or "肥皂水" in get_transcript(ctx, drafted).text
    assert get_info(ctx, drafted).consent is True


@pytest.mark.case("1 same-name upload", data=True)
def test_cli_replace_is_explicit_and_shows_the_diff(ctx, drafted, tmp_path) -> None:
    out = _cli("ingest", "--replace", str(_file(tmp_path, HOSTILE)))
    assert out.exit_code == 0, out.output
    assert "replaced" in out.output and "-先看气瓶" in out.output and "+不用检查" in out.output
    assert "不用检查" in get_transcript(ctx, drafted).text


@pytest.mark.case("1 same-name upload", data=True)
def test_published_course_keeps_its_text_even_with_replace(ctx, drafted, tmp_path) -> None:
    from shifu.tables import CourseRow

    with ctx.unit_of_work() as s:
        s.get(CourseRow, "c-weld").status = "published"
    out = _cli("ingest", "--replace", "--no-consent", str(_file(tmp_path, HOSTILE)))
    assert out.exit_code == 1
    assert "published" in out.output and "welding-v2.txt" in out.output
    assert "肥皂水" in get_transcript(ctx, drafted).text
    assert get_info(ctx, drafted).consent is True
    hits = search(Context(ctx.settings), "焊前检查什么", k=3)
    assert hits and all("不用检查" not in h.chunk.text for h in hits)


@pytest.mark.case("1 same-name upload", data=True)
def test_same_file_again_never_drops_the_consent_of_a_course_source(ctx, drafted) -> None:
    result = ingest_bytes(ctx, ORIGINAL.encode(), "welding.txt", consent=False)
    assert result.status == "unchanged"
    assert get_info(ctx, drafted).consent is True


@pytest.mark.case("1 same-name upload")
def test_a_transcript_no_course_uses_is_still_replaced_by_a_new_version(ctx) -> None:
    assert ingest_bytes(ctx, ORIGINAL.encode(), "notes.txt").ok
    result = ingest_bytes(ctx, HOSTILE.encode(), "notes.txt")
    assert result.status == "replaced" and "不用检查" in result.diff


def _upload(ctx, tmp_path, text: str, user: str, *, replace: bool = False):
    from ui.web.common import column
    from ui.web.trainer import TrainerHandlers

    path = _file(tmp_path, text)
    msg, table, files = TrainerHandlers(ctx).upload([str(path)], "", "", "", "", False, "zh", request(user), replace)
    # the screen heads its columns in the user's language; the test reads them by key
    return msg, table.rename(columns={column(k): k for k in ("id", "status", "message")}), files


@pytest.mark.case("1 same-name upload", data=True)
def test_app_upload_refuses_then_replaces_only_when_ticked_by_the_owner(ctx, tmp_path) -> None:
    users = make_users(ctx)
    _msg, table, _ = _upload(ctx, tmp_path, ORIGINAL, users["trainer"])
    tid = table.iloc[0]["id"]
    make_course(ctx, "c-weld", tid)
    kept = sorted(ctx.settings.uploads_dir.iterdir())
    _msg, table, _ = _upload(ctx, tmp_path, HOSTILE, users["trainer"])
    assert table.iloc[0]["status"] == "failed" and "替换" in table.iloc[0]["message"]
    assert sorted(ctx.settings.uploads_dir.iterdir()) == kept, "a refused upload is not kept on disk"
    _msg, table, _ = _upload(ctx, tmp_path, HOSTILE, users["trainer2"], replace=True)
    assert table.iloc[0]["status"] == "failed" and users["trainer"] in table.iloc[0]["message"]
    _msg, table, _ = _upload(ctx, tmp_path, HOSTILE, users["trainer"], replace=True)
    assert table.iloc[0]["status"] == "replaced" and "+不用检查" in table.iloc[0]["message"]
    assert [t.id for t in list_transcripts(ctx)] == [tid]
