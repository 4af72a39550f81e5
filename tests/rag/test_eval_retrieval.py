"""`shifu eval retrieval` on a tiny BEIR sample: JSON last, run file, baselines in the same command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ui.cli.main import app

CORPUS = {
    "d1": "焊接前先把坡口打磨干净，再预热到一百五十度，不然容易出气孔。",
    "d2": "氩弧焊的钨极要磨尖，电流别开太大。",
    "d3": "顾客试鞋的时候，要让他站起来走两步，看脚后跟是否打滑。",
    "d4": "退换货先道歉，再看小票和鞋底磨损，没穿过的七天内直接换。",
    "d5": "Check the tool offset before the first cut; a wrong offset breaks the insert.",
    "d6": "A dull insert squeals and the chips turn blue from the heat.",
}
QUERIES = {
    "q1": ("焊接前要预热到多少度？", "d1"),
    "q2": ("钨极应该怎么处理", "d2"),
    "q3": ("试鞋时看什么", "d3"),
    "q4": ("what breaks the insert", "d5"),
    "q5": ("没有评判的问题", None),  # no qrels: not counted
}
KEYS = {"n", "recall@1", "recall@5", "recall@10", "mrr", "p50_ms", "p95_ms", "index_s"}


@pytest.fixture
def beir(tmp_path):
    (tmp_path / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in CORPUS.items()),
        encoding="utf-8")
    (tmp_path / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": k, "text": t}, ensure_ascii=False) + "\n" for k, (t, _) in QUERIES.items()),
        encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{k}\t{d}\t1\n" for k, (_, d) in QUERIES.items() if d),
        encoding="utf-8")
    return tmp_path


def run(beir, *extra):
    args = ["eval", "retrieval", "--corpus", str(beir / "corpus.jsonl"), "--queries", str(beir / "queries.jsonl"),
            "--qrels", str(beir / "qrels.tsv"), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_prints_metrics_as_json_on_the_last_line_and_writes_the_run(beir):
    out = run(beir, "--run-out", str(beir / "run.txt"))
    assert KEYS <= out.keys()
    assert out["n"] == 4 and out["method"] == "hybrid"
    assert out["recall@1"] == 1.0 and out["mrr"] == 1.0
    lines = (beir / "run.txt").read_text(encoding="utf-8").splitlines()
    qid, docid, rank, score = lines[0].split()
    assert (qid, docid, rank) == ("q1", "d1", "1") and float(score) > 0
    assert {line.split()[0] for line in lines} == {"q1", "q2", "q3", "q4"}


def test_the_bigram_baseline_runs_in_the_same_command(beir):
    out = run(beir, "--method", "bigram-bm25")
    assert out["method"] == "bigram-bm25" and out["n"] == 4 and out["recall@5"] >= 0.75


def test_the_temporary_index_leaves_the_real_one_alone(beir, shifu_home):
    run(beir)
    assert not (shifu_home / "chroma").exists() and not (shifu_home / "bm25").exists()


def test_an_unknown_method_is_one_line_naming_the_choices(beir):
    result = CliRunner().invoke(app, ["eval", "retrieval", "--corpus", str(beir / "corpus.jsonl"),
                                      "--queries", str(beir / "queries.jsonl"), "--qrels", str(beir / "qrels.tsv"),
                                      "--method", "magic"])
    assert result.exit_code != 0
    assert "bigram-bm25" in str(result.exception)
