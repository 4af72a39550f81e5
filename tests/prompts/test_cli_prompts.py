"""`shifu prompts ls | show | diff | edit | activate | rollback` as an admin uses them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from prompts.registry import active_version, shipped
from ui.cli.prompts import register

app = typer.Typer()
register(app, typer.Typer())
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250", **(env or {})})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_ls_lists_every_template_with_its_active_version() -> None:
    out = run("prompts", "ls")
    for name in ("qa", "draft_units", "draft_outline", "draft_quiz", "regenerate_item"):
        assert name in out
    assert shipped("qa").version in out


def test_edit_from_a_file_then_activate_diff_and_rollback(settings, tmp_path: Path) -> None:
    v0 = shipped("qa").version
    new = tmp_path / "qa.yaml"
    new.write_text(shipped("qa").body.replace("简短", "简短明了"), encoding="utf-8")
    out = run("prompts", "edit", "qa", "--file", str(new), "--by", "admin1")
    v1 = re.search(r"version ([0-9a-f]+)", out).group(1)
    assert v1 != v0 and f"shifu prompts activate qa {v1}" in out
    assert active_version(settings, "qa") == v0
    assert "now uses version " + v1 in run("prompts", "activate", "qa", v1)
    shown = run("prompts", "show", "qa")
    assert "简短明了" in shown and f"* {v1}  override by admin1" in shown
    assert "+  - 用提问的语言简短明了回答" in run("prompts", "diff", "qa", v0, v1)
    assert f"rolled back to version {v0}" in run("prompts", "rollback", "qa")
    assert "简短明了" not in run("prompts", "show", "qa").split("versions of qa")[0]
    assert "焊缝发蓝是什么原因" in run("prompts", "show", "qa", "--sample")


def test_edit_uses_the_editor(settings, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text(encoding='utf-8').replace('简短', '简洁'), encoding='utf-8')\n")
    out = run("prompts", "edit", "qa", "--activate", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""})
    assert "and activated" in out
    assert active_version(settings, "qa") != shipped("qa").version
    assert "简洁" in run("prompts", "show", "qa") and "简洁" not in shipped("qa").body


def test_a_broken_edit_is_refused_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "qa.yaml"
    bad.write_text(shipped("qa").body + "temperature: 2\n", encoding="utf-8")
    result = runner.invoke(app, ["prompts", "edit", "qa", "--file", str(bad)])
    assert result.exit_code != 0
    assert "temperature" in str(result.exception)


@pytest.mark.parametrize("args", [["prompts", "show", "nope"], ["prompts", "activate", "qa", "deadbeef0000"]])
def test_unknown_names_and_versions_fail_clearly(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0 and "shifu prompts" in str(result.exception)


def test_show_into_a_file_feeds_edit_back_exactly(settings, tmp_path: Path) -> None:
    # a narrow terminal width must not wrap long lines of the YAML written to a file
    shown = runner.invoke(app, ["prompts", "show", "qa"], env={"COLUMNS": "40"})
    assert shown.exit_code == 0 and shown.stdout == shipped("qa").body  # no wrapping, no versions list
    assert "versions of qa" in shown.stderr  # still shown to the person at the terminal
    saved = tmp_path / "qa.yaml"
    saved.write_text(shown.stdout.replace("简短", "简短明了"), encoding="utf-8")
    out = run("prompts", "edit", "qa", "--file", str(saved), "--activate")
    assert "and activated" in out and " ;" not in out
    raw = runner.invoke(app, ["prompts", "show", "qa", "--raw"], env={"COLUMNS": "40"})
    assert raw.stdout == saved.read_text(encoding="utf-8") and raw.stderr == ""
    assert active_version(settings, "qa") != shipped("qa").version


def test_the_edit_message_has_no_stray_space(tmp_path: Path) -> None:
    new = tmp_path / "qa.yaml"
    new.write_text(shipped("qa").body.replace("简短", "简洁"), encoding="utf-8")
    out = run("prompts", "edit", "qa", "--file", str(new))
    assert re.search(r"saved qa version [0-9a-f]+; activate it with `shifu prompts activate qa ", out), out


def test_rollback_walks_back_and_then_says_it_is_at_the_shipped_version(settings, tmp_path: Path) -> None:
    v0 = shipped("qa").version
    ids = []
    for word in ("简洁", "扼要"):
        new = tmp_path / f"{word}.yaml"
        new.write_text(shipped("qa").body.replace("简短", word), encoding="utf-8")
        ids.append(re.search(r"version ([0-9a-f]+)", run("prompts", "edit", "qa", "--file", str(new), "--activate")).group(1))
    v1, v2 = ids
    assert active_version(settings, "qa") == v2
    assert f"rolled back to version {v1}" in run("prompts", "rollback", "qa")
    assert f"rolled back to version {v0}" in run("prompts", "rollback", "qa")
    again = runner.invoke(app, ["prompts", "rollback", "qa"])
    assert again.exit_code != 0 and "at its shipped version" in str(again.exception)
    assert active_version(settings, "qa") == v0  # it did not bounce back to an override
