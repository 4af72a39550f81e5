"""Growth commands end to end on a small population: generate, tag, ladders, fit, and both benchmarks."""

from __future__ import annotations

import json

from app_testkit import make_course
from typer.testing import CliRunner

from ui.cli.main import app

runner = CliRunner()


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_population_then_cockpit_benchmark_at_a_small_scale(settings):
    """On both back ends (SQLite, and PostgreSQL in the server pass); a second run into a filled library is refused."""
    r = runner.invoke(app, ["demo", "population", "--seed", "2", "--scale", "0.002"])
    assert r.exit_code == 0, r.output
    counts = _last_json(r.output)
    assert counts["workers"] == 260 and counts["attempts"] > 3000
    again = runner.invoke(app, ["demo", "population", "--seed", "3", "--scale", "0.002"])
    said = again.exception
    assert again.exit_code == 1 and "empty library" in str(said) and "SHIFU_HOME" in said.zh, again.output
    r = runner.invoke(app, ["eval", "cockpit", "--repeats", "3", "--naive-repeats", "1"])
    assert r.exit_code == 0, r.output
    result = _last_json(r.output)
    assert result["attempts"] == counts["attempts"]
    assert {"worker_profile", "trainer_profile", "enterprise_profile", "cockpit_by_enterprise",
            "cockpit_at_risk"} <= set(result["views"])
    assert result["views"]["cockpit_by_enterprise"]["naive"]["n"] == 1


def test_mastery_evaluation_prints_bkt_beside_the_baseline():
    r = runner.invoke(app, ["eval", "mastery", "--learners", "120", "--answers", "8", "--skills", "2"])
    assert r.exit_code == 0, r.output
    result = _last_json(r.output)
    assert result["bkt_fitted"]["auc"] > result["share_so_far"]["auc"]


def test_tag_ladder_and_fit_commands(settings):
    make_course(settings, "pub")
    r = runner.invoke(app, ["skills", "tag"])
    assert r.exit_code == 0 and "pub" in r.output, r.output
    assert "坡口" in runner.invoke(app, ["skills", "list", "焊工"]).output
    r = runner.invoke(app, ["tiers", "set", "焊工", "新手", "熟练:skills=坡口", "骨干:count=2;required=坡口"])
    assert r.exit_code == 0 and "新手 · 熟练 · 骨干" in r.output, r.output
    r = runner.invoke(app, ["skills", "fit"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["skills", "rename", "焊工", "坡口", "坡口清理"])
    assert r.exit_code == 0 and "坡口清理" in runner.invoke(app, ["skills", "list", "焊工"]).output
