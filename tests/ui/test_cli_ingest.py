"""The ingest area's commands as a trainer types them: ingest, transcripts ls/show/rm/check, search, eval ingest."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.ingest import WAIT_MESSAGE, writing
from shifu.errors import ShifuError
from ui.cli.main import app

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
WIDE = {"COLUMNS": "250"}

WELDING = """问：张师傅，焊接前您第一件事检查什么？
张师傅：先看气瓶和减压阀有没有漏气。用肥皂水抹一圈接头，冒泡就是漏了，绝对不能开焊。
问：焊缝出现气孔一般是什么原因？
张师傅：多半是焊条受潮了。焊条用之前要在烘箱里烘干，三百五十度烘一个小时。
"""

LATHE_SRT = """1
00:00:01,000 --> 00:00:04,000
<v 主持人>李师傅，车床对刀怎么对？

2
00:01:05,000 --> 00:01:30,500
<v 李师傅>先用对刀块，每把刀都在同一个块上碰一下，再试切第一件，量好了才信程序。
"""


def _run(*args: str, **env: str):
    return CliRunner().invoke(app, list(args), env={**WIDE, **env})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "interviews"
    root.mkdir()
    (root / "weld.txt").write_text(WELDING, encoding="utf-8")
    (root / "lathe.srt").write_text(LATHE_SRT, encoding="utf-8")
    return root


def test_ingest_shows_a_summary_and_fails_the_batch_on_a_bad_file(folder: Path) -> None:
    (folder / "broken.docx").write_bytes(b"not a zip at all")
    result = _run("ingest", str(folder), "--trade", "焊工", "--date", "2024-05-06", "--consent")
    assert result.exit_code == 1
    out = result.output
    assert out.count("added") == 2 and "failed" in out
    errors = [line for line in result.stderr.splitlines() if line.startswith("✗")]
    assert len(errors) == 1 and "broken.docx" in errors[0]
    assert "1 of 3 files failed" in result.stderr

    listed = _run("transcripts", "ls")
    assert listed.exit_code == 0
    assert "weld" in listed.output and "lathe" in listed.output and "焊工" in listed.output
    assert "2024-05-06" in listed.output and "yes" in listed.output


def test_ingest_again_reports_unchanged_and_exits_zero(folder: Path) -> None:
    assert _run("ingest", str(folder)).exit_code == 0
    again = _run("ingest", str(folder / "weld.txt"))
    assert again.exit_code == 0 and "unchanged" in again.output


def test_a_bad_date_is_refused_before_anything_runs(folder: Path) -> None:
    result = _run("ingest", str(folder), "--date", "06/05/2024")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_show_search_rm_and_check(folder: Path) -> None:
    assert _run("ingest", str(folder)).exit_code == 0
    shown = _run("transcripts", "show", "lathe.srt")  # the file name works as well as the id
    assert shown.exit_code == 0, shown.output
    assert "李师傅" in shown.output and "(expert)" in shown.output and "(interviewer)" in shown.output
    assert "[01:05–01:30]" in shown.output and "chunk 0" in shown.output

    found = _run("search", "对刀块怎么用", "-k", "2")
    assert found.exit_code == 0
    first = found.output.splitlines()[0]
    assert first.startswith("1.") and "lathe" in first and "李师傅" in first and "00:01–01:30" in first
    assert "对刀块" in found.output

    check = _run("transcripts", "check")
    assert check.exit_code == 0
    assert json.loads(check.output.strip().splitlines()[-1])["consistent"] is True

    tid = next(line.split()[0] for line in _run("transcripts", "ls").output.splitlines() if "lathe" in line)
    removed = _run("transcripts", "rm", tid)
    assert removed.exit_code == 0 and tid in removed.output
    assert "lathe" not in _run("transcripts", "ls").output
    assert "对刀块" not in _run("search", "对刀块怎么用").output
    assert json.loads(_run("transcripts", "check").output.strip().splitlines()[-1])["consistent"] is True

    missing = _run("transcripts", "show", "t-nonexistent")
    assert missing.exit_code != 0 and "no transcript" in str(missing.exception)


def test_a_writer_that_cannot_get_the_lock_says_so(ctx, folder: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writing(ctx):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        result = _run("ingest", str(folder), SHIFU_LOCK_TIMEOUT_S="0.5")
    finally:
        release.set()
        holder.join()
    assert WAIT_MESSAGE in result.stderr
    assert isinstance(result.exception, ShifuError) and "SHIFU_LOCK_TIMEOUT_S" in str(result.exception)
    assert _run("ingest", str(folder)).exit_code == 0  # once free, the same command works


def test_the_demo_corpus_ingests_cleanly() -> None:
    result = _run("ingest", str(CORPUS))
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.count("added") >= 6


def test_eval_ingest_prints_json_last(tmp_path: Path) -> None:
    path = tmp_path / "weld.txt"
    path.write_text(WELDING * 3, encoding="utf-8")
    result = _run("eval", "ingest", "--file", str(path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["chunks"] >= 1 and report["chars"] > 100 and report["seconds"] > 0


def test_the_consent_command_named_by_the_publish_refusal_exists_and_unblocks_it() -> None:
    import re

    assert _run("ingest", str(CORPUS / "welding_tig_mig_zh_gbk.txt"), "--no-consent").exit_code == 0
    drafted = _run("draft", "welding_tig_mig_zh_gbk.txt")
    assert drafted.exit_code == 0, drafted.output
    course_id = re.search(r"course-[0-9a-f]{12}", drafted.output).group()
    assert _run("courses", "submit", course_id).exit_code == 0
    refused = _run("courses", "publish", course_id)
    assert refused.exit_code == 1
    hint = re.search(r"`shifu (transcripts consent \S+ --yes)`", str(refused.exception))
    assert hint, refused.exception
    # the command the refusal names works as written, with the file name in place of FILE_OR_ID
    given = _run(*hint.group(1).replace("FILE_OR_ID", "welding_tig_mig_zh_gbk.txt").split())
    assert given.exit_code == 0 and "consent recorded" in given.output
    assert "yes" in _run("transcripts", "ls").output
    published = _run("courses", "publish", course_id)
    assert "consent" not in str(published.exception or "")
    withdrawn = _run("transcripts", "consent", "welding_tig_mig_zh_gbk.txt", "--no")
    assert withdrawn.exit_code == 0 and "withdrawn" in withdrawn.output
    assert f"courses unpublish {course_id}" in " ".join(withdrawn.output.split()), "the published course is named"
    assert " no " in _run("transcripts", "ls").output


def test_rm_refuses_a_transcript_a_published_course_uses_unless_forced() -> None:
    import re

    name = "welding_tig_mig_zh_gbk.txt"
    assert _run("ingest", str(CORPUS / name), "--consent").exit_code == 0
    course_id = re.search(r"course-[0-9a-f]{12}", _run("draft", name).output).group()
    assert _run("courses", "submit", course_id).exit_code == 0
    assert _run("courses", "publish", course_id).exit_code == 0, "the offline draft carries no flags"
    refused = _run("transcripts", "rm", name)
    assert refused.exit_code == 1
    message = str(refused.exception)
    assert course_id in message and "published" in message and "--force" in message
    assert "no transcripts yet" not in _run("transcripts", "ls").output  # nothing was removed
    forced = _run("transcripts", "rm", name, "--force")
    assert forced.exit_code == 0 and "removed" in forced.stdout
    assert course_id in forced.stderr and "cannot be published again" in forced.stderr
    assert "no transcripts yet" in _run("transcripts", "ls").output


def test_rm_of_a_transcript_behind_a_draft_course_warns(folder: Path) -> None:
    import re

    name = "welding_tig_mig_zh_gbk.txt"
    assert _run("ingest", str(CORPUS / name)).exit_code == 0
    course_id = re.search(r"course-[0-9a-f]{12}", _run("draft", name).output).group()
    removed = _run("transcripts", "rm", name)
    assert removed.exit_code == 0 and course_id in removed.stderr and "draft" in removed.stderr
    plain = _run("ingest", str(folder / "weld.txt"))
    assert plain.exit_code == 0
    quiet = _run("transcripts", "rm", "weld.txt")
    assert quiet.exit_code == 0 and quiet.stderr == ""  # no course uses it: nothing to warn about
