"""`shifu eval scale` on a tiny bench: one JSON line per size, the checks a second process makes, random vectors said."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ui.cli.main import app

QUESTIONS = ["焊接前要预热到多少度？", "钨极应该怎么处理", "试鞋时看什么", "what breaks the insert"]
PASSAGES = ["焊接前先把坡口打磨干净，再预热到一百五十度，不然容易出气孔。", "氩弧焊的钨极要磨尖，电流别开太大。",
            "顾客试鞋的时候，要让他站起来走两步，看脚后跟是否打滑。",
            "Check the tool offset before the first cut; a wrong offset breaks the insert."]


def test_eval_scale_grows_a_library_and_reports_each_size(tmp_path) -> None:
    for name in ("cmrc2018", "webqa"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "corpus.jsonl").write_text("".join(
            json.dumps({"_id": f"{name}{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(PASSAGES)),
            encoding="utf-8")
        (folder / "queries.jsonl").write_text("".join(
            json.dumps({"_id": f"q{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(QUESTIONS)),
            encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "scale", "--sizes", "150", "--bench", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert "random" in out["vectors"]
    (row,) = out["sizes"]
    assert "error" not in row, row
    assert row["chunks"] == 150 and row["build_s"] > 0 and row["disk_mb"] >= 0
    assert 0 <= row["seen_by_another_process_s"] < 5
    assert row["search_p95_ms"] >= row["search_p50_ms"] > 0


def test_eval_scale_refuses_sizes_that_are_not_numbers(tmp_path) -> None:
    result = CliRunner().invoke(app, ["eval", "scale", "--sizes", "10k", "--bench", str(tmp_path)])
    assert result.exit_code != 0 and "whole numbers" in result.output
