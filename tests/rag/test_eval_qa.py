"""`shifu eval qa` on a tiny BEIR set: one JSON line per answer, the summary JSON printed last."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

PASSAGES = {
    "p1": "氩弧焊焊不锈钢时，氩气流量一般8到12升每分钟，喷嘴到工件保持8到10毫米。",
    "p2": "数控车床对刀常用试切法：先车一刀外圆，量出直径，输入刀补。",
    "p3": "鞋店试穿时，脚趾前面要留一指左右的空，大概一厘米。",
    "p4": "光缆接续前要开剥外护套，加强芯留5到8厘米固定在接头盒里。",
}
QUESTIONS = [
    ("q1", "焊不锈钢时氩气流量一般多少？", ["8到12升每分钟"], "p1"),
    ("q2", "数控车床对刀常用什么方法？", ["试切法"], "p2"),
    ("q3", "试穿时脚趾前面要留多少空？", ["一指"], "p3"),
]


@pytest.fixture
def bench(tmp_path: Path) -> dict[str, Path]:
    files = {name: tmp_path / name for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv")}
    files["corpus.jsonl"].write_text(
        "".join(json.dumps({"_id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in PASSAGES.items()),
        encoding="utf-8")
    files["queries.jsonl"].write_text(
        "".join(json.dumps({"_id": q, "text": t, "answers": a}, ensure_ascii=False) + "\n"
                for q, t, a, _ in QUESTIONS), encoding="utf-8")
    files["qrels.tsv"].write_text("query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{p}\t1\n" for q, _, _, p in QUESTIONS),
                                  encoding="utf-8")
    return files


def _invoke(bench: dict[str, Path], out: Path, *extra: str) -> dict:
    from ui.cli.main import app

    result = CliRunner().invoke(app, ["eval", "qa", "--corpus", str(bench["corpus.jsonl"]),
                                      "--queries", str(bench["queries.jsonl"]), "--qrels", str(bench["qrels.tsv"]),
                                      "--answers-out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_system_answers_every_query_and_prints_summary_last(bench, tmp_path: Path) -> None:
    out = tmp_path / "answers.jsonl"
    summary = _invoke(bench, out)
    assert summary["n"] == 3 and summary["method"] == "system" and summary["mode"] == "offline"
    assert summary["answer_contains_gold"] == 1.0
    assert summary["cited_fraction"] == 1.0
    for key in ("covered_fraction", "p50_ms", "p95_ms"):
        assert key in summary
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
    for row, (_, _, _, passage) in zip(rows, QUESTIONS, strict=True):
        assert {"id", "answer", "citations", "covered"} <= set(row)
        assert row["citations"][0]["chunk_id"] == passage
        assert row["citations"][0]["quote"] in PASSAGES[passage]


def test_both_methods_in_one_run(bench, tmp_path: Path) -> None:
    out = tmp_path / "answers.jsonl"
    summary = _invoke(bench, out, "--method", "both", "--limit", "2")
    assert summary["n"] == 2 and summary["baseline"]["n"] == 2
    assert summary["baseline"]["method"] == "baseline"
    assert (tmp_path / "answers.baseline.jsonl").exists()


def test_unknown_method_is_explained(bench, tmp_path: Path) -> None:
    from ui.cli.main import app

    result = CliRunner().invoke(app, ["eval", "qa", "--corpus", str(bench["corpus.jsonl"]),
                                      "--queries", str(bench["queries.jsonl"]), "--qrels", str(bench["qrels.tsv"]),
                                      "--answers-out", str(tmp_path / "a.jsonl"), "--method", "magic"])
    assert result.exit_code != 0
    assert "system" in str(result.exception) + result.output
