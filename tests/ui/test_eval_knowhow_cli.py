"""`shifu eval knowhow --leave-one-out`: the know-how figures to report, each interview drafted by a
scorer fitted without it (skipped when ../shared/bench is absent)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli.main import app

ZH_TRADE = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "knowhow" / "zh_trade"
runner = CliRunner()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ZH_TRADE.is_dir(), reason="bench data not present")]


def _figures(args: list[str]) -> dict:
    r = runner.invoke(app, ["eval", "knowhow", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_each_interview_is_drafted_and_scored_with_a_scorer_that_never_saw_it(settings, tmp_path):
    shutil.copytree(ZH_TRADE, tmp_path / "zh_trade")
    held_out = _figures(["--dir", str(tmp_path), "--leave-one-out"])
    names = sorted(r["name"] for r in held_out["transcripts"])
    assert names == sorted(p.stem for p in ZH_TRADE.glob("*.json"))
    trade = held_out["collections"]["zh_trade"]
    # fitted on two trades only, the scorer still beats the longest sentences on the third
    assert trade["f1"] > trade["baseline_f1"] and trade["quiz_on_knowhow"] > 0.5


def test_one_interview_cannot_be_left_out_and_the_command_says_so(settings, tmp_path):
    (tmp_path / "zh_trade").mkdir()
    for f in ZH_TRADE.glob("forklift.*"):
        shutil.copy(f, tmp_path / "zh_trade" / f.name)
    r = runner.invoke(app, ["eval", "knowhow", "--dir", str(tmp_path), "--leave-one-out"])
    assert r.exit_code != 0 and "at least two interviews" in str(r.exception)
