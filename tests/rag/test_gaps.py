"""Knowledge gaps: what a trainer sees in the backlog after workers ask uncovered questions."""

from __future__ import annotations

import json

import pytest

from rag.gaps import list_gaps, record_gap, set_gap_status
from shifu.errors import NotFoundError, ShifuError


def test_recorded_question_is_listed_open(ctx) -> None:
    gap = record_gap(ctx, "公司食堂几点开饭？", asked_by="worker1", scope="published", best_score=0.05)
    [listed] = list_gaps(ctx)
    assert listed.id == gap.id
    assert (listed.question, listed.asked_by, listed.scope, listed.status) == (
        "公司食堂几点开饭？", "worker1", "published", "open")
    assert listed.best_score == pytest.approx(0.05)


def test_same_open_question_is_one_row(ctx) -> None:
    first = record_gap(ctx, "公司食堂几点开饭？", best_score=0.05)
    again = record_gap(ctx, " 公司食堂几点开饭 ?", best_score=0.08)
    assert again.id == first.id
    [only] = list_gaps(ctx)
    assert only.best_score == pytest.approx(0.08)


def test_close_and_filter_by_status(ctx) -> None:
    a = record_gap(ctx, "退火炉温度多少？")
    record_gap(ctx, "夜班补贴怎么算？")
    set_gap_status(ctx, a.id, "closed")
    assert [g.question for g in list_gaps(ctx, status="open")] == ["夜班补贴怎么算？"]
    assert [g.question for g in list_gaps(ctx, status="closed")] == ["退火炉温度多少？"]
    # Asking a closed question again opens a new row: the trainer must see it came back.
    assert record_gap(ctx, "退火炉温度多少？").id != a.id


def test_unknown_gap_and_bad_status_are_explained(ctx) -> None:
    with pytest.raises(NotFoundError, match="shifu gaps ls"):
        set_gap_status(ctx, 999, "closed")
    with pytest.raises(ShifuError, match="open, planned, closed"):
        list_gaps(ctx, status="done")


def test_cli_lists_and_closes_gaps(ctx) -> None:
    from typer.testing import CliRunner

    from ui.cli.main import app

    gap = record_gap(ctx, "夜班补贴怎么算？", asked_by="worker1")
    runner = CliRunner()
    listed = runner.invoke(app, ["gaps", "ls"])
    assert listed.exit_code == 0, listed.output
    assert "夜班" in listed.stdout and "open" in listed.stdout
    closed = runner.invoke(app, ["gaps", "close", str(gap.id)])
    assert closed.exit_code == 0, closed.output
    assert "closed" in closed.stdout
    assert list_gaps(ctx, status="open") == []
    as_json = runner.invoke(app, ["gaps", "ls", "--json"])
    [row] = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert (row["question"], row["status"], row["asked_by"]) == ("夜班补贴怎么算？", "closed", "worker1")


def test_cli_says_when_gaps_exist_in_other_states(ctx) -> None:
    from typer.testing import CliRunner

    from ui.cli.main import app

    runner = CliRunner()
    assert "no knowledge gaps recorded" in runner.invoke(app, ["gaps", "ls"]).stdout
    assert "no open knowledge gaps recorded" in runner.invoke(app, ["gaps", "ls", "--status", "open"]).stdout
    planned = record_gap(ctx, "夜班补贴怎么算？")
    closed = record_gap(ctx, "退火炉温度多少？")
    set_gap_status(ctx, planned.id, "planned")
    set_gap_status(ctx, closed.id, "closed")
    out = runner.invoke(app, ["gaps", "ls", "--status", "open"], env={"COLUMNS": "200"}).stdout
    assert "no open knowledge gaps (2 in other states" in out and "recorded" not in out
