"""`make bench` report logic on tiny eval outputs; no real benchmark runs here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import run as bench
from bench.run import Row, last_json, plan, ratio, render_report, rows_for

RETRIEVAL = {
    "retrieval-cmrc2018-hybrid": {"recall@1": 0.78, "recall@5": 0.95, "recall@10": 0.97, "mrr": 0.85,
                                  "p95_ms": 40.0, "p95_cpu_ms": 30.0, "index_s": 90.0, "peak_rss_mb": 900.0},
    "retrieval-cmrc2018-bigram-bm25": {"recall@1": 0.74, "recall@5": 0.935, "recall@10": 0.958, "mrr": 0.825,
                                       "p95_ms": 5.0, "p95_cpu_ms": 4.0, "index_s": 3.0, "peak_rss_mb": 300.0},
}


def by_metric(rows: list[Row], bench_prefix: str) -> dict[str, Row]:
    return {r.metric: r for r in rows if r.benchmark.startswith(bench_prefix)}


def test_last_json_reads_only_the_last_line():
    assert last_json('progress {"not": "this"}\n{"n": 3}\n\n') == {"n": 3}
    assert last_json('{"n": 3}\nTraceback: boom') is None
    assert last_json("") is None
    assert last_json("[1, 2]") is None


def test_ratio_is_system_over_baseline_and_none_without_one():
    assert ratio(0.95, 0.935) == pytest.approx(1.016, abs=1e-3)
    assert ratio(1.0, None) is None
    assert ratio(1.0, 0) is None
    assert ratio(None, 0.5) is None


def test_retrieval_rows_compare_hybrid_with_bigram_bm25_of_the_same_run():
    rows = by_metric(rows_for(RETRIEVAL), "retrieval cmrc2018")
    assert rows["R@5"].passed is True and rows["R@5"].baseline == 0.935
    assert rows["MRR"].ratio == pytest.approx(0.85 / 0.825, abs=1e-3)
    assert rows["R@1"].passed is None  # reported, no target
    p95 = rows["query p95 ms"]
    assert p95.lower_better and p95.passed is True and p95.target == "≤ 50 ms"
    assert not any(r.benchmark.startswith("retrieval webqa") for r in rows_for(RETRIEVAL))


def test_losing_to_the_baseline_fails_even_when_the_absolute_number_looks_good():
    worse = dict(RETRIEVAL)
    worse["retrieval-cmrc2018-hybrid"] = dict(RETRIEVAL["retrieval-cmrc2018-hybrid"], mrr=0.80)
    assert by_metric(rows_for(worse), "retrieval cmrc2018")["MRR"].passed is False


def test_a_missing_baseline_cannot_pass_a_beat_the_baseline_target():
    only_ours = {"retrieval-cmrc2018-hybrid": RETRIEVAL["retrieval-cmrc2018-hybrid"]}
    assert by_metric(rows_for(only_ours), "retrieval cmrc2018")["R@5"].passed is False


def test_qa_rows_read_the_nested_baseline_summary():
    qa = {"qa-webqa": {"n": 1034, "answer_contains_gold": 0.80, "cited_fraction": 1.0, "cited_relevant": 0.9,
                       "p95_ms": 120.0, "baseline": {"answer_contains_gold": 0.78, "cited_fraction": 1.0,
                                                     "cited_relevant": 0.88, "p95_ms": 10.0}}}
    rows = by_metric(rows_for(qa), "qa webqa")
    assert rows["answer contains gold"].passed is True
    assert rows["answers cited"].passed is True
    assert rows["answer p95 ms"].passed is False  # over the 100 ms target
    assert rows["answer p95 ms"].ratio == 12.0


def test_segmentation_pk_lower_is_better_against_both_baselines():
    seg = {"segmentation": {"meetings": 22, "pk": 0.44, "windowdiff": 0.5, "baseline_one_segment_pk": 0.429,
                            "baseline_one_segment_windowdiff": 0.429, "baseline_even_split_pk": 0.458,
                            "baseline_even_split_windowdiff": 0.5, "segments_found_mean": 5,
                            "segments_gold_mean": 6.1}}
    pk = [r for r in rows_for(seg) if r.metric == "Pk"]
    assert [r.passed for r in pk] == [False, True]  # worse than one segment, better than even split
    assert [r.target for r in pk] == ["< baseline and < 0.429 (published)", "< baseline and < 0.458 (published)"]
    assert all(r.lower_better for r in pk)


def test_beating_a_weak_baseline_of_the_run_is_not_enough_below_the_published_number():
    weak = dict(RETRIEVAL)
    weak["retrieval-cmrc2018-bigram-bm25"] = dict(RETRIEVAL["retrieval-cmrc2018-bigram-bm25"], mrr=0.70)
    weak["retrieval-cmrc2018-hybrid"] = dict(RETRIEVAL["retrieval-cmrc2018-hybrid"], mrr=0.80)
    assert by_metric(rows_for(weak), "retrieval cmrc2018")["MRR"].passed is False  # .80 < published .825
    # a quick run answers a subset, so only the baseline of the same run counts
    quick = by_metric(rows_for(weak, quick=True), "retrieval cmrc2018")["MRR"]
    assert quick.passed is True and quick.target == "> baseline"


def test_drafting_and_chat_rows_check_the_issue_targets():
    results = {
        "drafting-vcsum": {"transcripts": 22, "hours": 9.5, "failed": 0, "points_quoted_rate": 1.0,
                           "quiz_quoted_rate": 1.0, "quiz_valid_rate": 0.97, "quiz_supported_rate": 0.89,
                           "duplicate_stems": 0, "min_items_per_hour": 9.1, "seconds_per_hour_worst": 12.0,
                           "seconds_total": 100.0},
        "chat-load": {"users": 10, "questions_per_user": 20, "alone": {"p50_ms": 100.0, "p95_ms": 200.0},
                      "while_drafting": {"p50_ms": 300.0, "p95_ms": 900.0, "drafts_finished": 2}},
    }
    rows = rows_for(results)
    drafting = by_metric(rows, "drafting vcsum")
    assert drafting["answers supported by quote"].passed is False
    assert drafting["quiz items valid"].passed is True
    assert drafting["seconds per interview hour (worst ≥30 min)"].passed is True
    chat = by_metric(rows, "chat-load")["chat p95 ms while drafting"]
    assert chat.passed is True and chat.ratio == 4.5 and chat.baseline == 200.0


def test_knowhow_f1_must_reach_the_issue_target_and_beat_the_baseline_by_its_factor():
    def collection(f1: float, base: float) -> dict:
        return {"transcripts": 5, "f1": f1, "baseline_f1": base, "point_precision": 0.5}

    results = {"knowhow": {"collections": {"oral_history_en": collection(0.62, 0.52),
                                           "zh_trade": collection(0.80, 0.60)}}}
    rows = rows_for(results)
    english = by_metric(rows, "knowhow oral_history_en")["F1"]
    chinese = by_metric(rows, "knowhow zh_trade")["F1"]
    assert english.passed is False, "0.62 is above .60 but not 1.25 x 0.52 = 0.65"
    assert chinese.passed is True


def test_report_has_a_table_per_benchmark_with_ratio_target_and_result():
    rows = rows_for(RETRIEVAL)
    runs = [bench.StepRun("retrieval-cmrc2018-hybrid", ["x"], 0, 1.0, RETRIEVAL["retrieval-cmrc2018-hybrid"]),
            bench.StepRun("qa-webqa", ["shifu", "eval", "qa"], 1, 2.0, None, "exit code 1\nTraceback: boom")]
    text = render_report(rows, runs, {"cores": 2, "load_average": [1.0, 1.0, 1.0]})
    assert "## retrieval cmrc2018" in text
    assert "| R@5 | 0.950 | 0.935 (bigram BM25) | 1.016 | > baseline and > 0.935 (published) | PASS |" in text
    assert "| query p95 ms ↓ | 40 | 5.000 (bigram BM25) | 8.000 | ≤ 50 ms | PASS |" in text
    assert "1 of 2 eval commands printed their JSON" in text
    assert "### qa-webqa failed" in text and "Traceback: boom" in text


def test_quick_plan_uses_fewer_queries_and_meetings(tmp_path: Path):
    bench_dir = tmp_path / "bench"
    for name in ("cmrc2018", "webqa"):
        (bench_dir / name).mkdir(parents=True)
        (bench_dir / name / "queries.jsonl").write_text("".join(f'{{"_id": "{i}"}}\n' for i in range(300)))
    (bench_dir / "vcsum").mkdir()
    (bench_dir / "vcsum" / "meetings.jsonl").write_text("".join(f'{{"id": {i}}}\n' for i in range(20)))
    steps = {s.key: s for s in plan(bench_dir, tmp_path / "out", bench.GROUPS, quick=True, port=9)}
    assert set(steps) >= {"retrieval-webqa-hybrid", "retrieval-webqa-bigram-bm25", "qa-cmrc2018", "chat-load"}
    queries = Path(steps["retrieval-webqa-hybrid"].args[steps["retrieval-webqa-hybrid"].args.index("--queries") + 1])
    assert len(queries.read_text().splitlines()) == bench.QUICK_QUERIES
    assert tmp_path / "out" in queries.parents  # subsets go beside the results, not into the bench folder
    assert steps["qa-cmrc2018"].args[-2:] == ["--limit", str(bench.QUICK_QUERIES)]
    assert "--method" in steps["qa-cmrc2018"].args and "both" in steps["qa-cmrc2018"].args
    assert [s.group for s in plan(bench_dir, tmp_path, ["qa"])] == ["qa", "qa"]


def fake_eval(tmp_path: Path, script: str):
    """Replace the eval command with a tiny Python script that behaves like one."""
    path = tmp_path / "fake_eval.py"
    path.write_text(script)
    return lambda args: [sys.executable, str(path), *args]


def test_main_writes_the_report_and_exits_zero_when_every_command_prints_json(tmp_path, monkeypatch):
    out = {"seconds": 1.5, "chars": 15000, "chunks": 50, "chars_per_s": 10000, "load_s": 5.0}
    monkeypatch.setattr(bench, "eval_command", fake_eval(tmp_path, f"print('loading'); print({json.dumps(out)!r})"))
    code = bench.main(["--bench", str(tmp_path), "--only", "ingest", "--out", str(tmp_path / "res"),
                       "--home", str(tmp_path / "home")])
    assert code == 0
    saved = json.loads((tmp_path / "res" / "results.json").read_text())
    assert saved["machine"]["cores"] >= 1 and len(saved["machine"]["load_average"]) == 3
    assert saved["rows"][0]["metric"] == "seconds after model load" and saved["rows"][0]["passed"] is True
    assert "| seconds after model load ↓ | 1.500 |" in (tmp_path / "res" / "report.md").read_text()


def test_main_exits_nonzero_and_shows_the_stderr_tail_when_a_command_prints_no_json(tmp_path, monkeypatch, capsys):
    script = "import sys; print('Traceback (most recent call last):\\nValueError: broken corpus', file=sys.stderr); sys.exit(2)"
    monkeypatch.setattr(bench, "eval_command", fake_eval(tmp_path, script))
    code = bench.main(["--bench", str(tmp_path), "--only", "ingest", "--out", str(tmp_path / "res"),
                       "--home", str(tmp_path / "home")])
    assert code == 1
    assert "ValueError: broken corpus" in capsys.readouterr().err
    assert "exit code 2" in (tmp_path / "res" / "report.md").read_text()


def test_unknown_group_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--bench", str(tmp_path), "--only", "retrievl"])


def test_serve_rows_judge_the_ratio_the_p95_and_crossing_failures():
    def run(processes: int, per_s: float, p95: float, p95_logins: float, statuses: dict) -> dict:
        return {"processes": processes, "chat": {"chats_per_s": per_s, "p95_ms": p95, "errors": 0, "statuses": statuses},
                "chat_with_logins": {"chats_per_s": per_s, "p95_ms": p95_logins, "errors": 0, "statuses": {"200": 9}}}

    results = {"serve": {"machine": "2 CPUs", "load": {"users": 50, "questions": 10, "logins": 100},
                         "runs": [run(1, 10.0, 3000, 3500, {"200": 9}), run(3, 18.0, 1500, 1600, {"200": 9, "404": 1})],
                         "ratio": 1.8, "ratio_target": 2.5, "p95_ms": 1500, "p95_with_logins_ms": 1600}}
    rows = by_metric(rows_for(results), "serve")
    assert rows["chats per second, 3 processes"].ratio == 1.8
    assert rows["3 processes / 1 process, chats per second"].passed is False
    assert rows["chat p95 ms, 3 processes"].passed is False and rows["chat p95 ms, 3 processes"].baseline == 3000
    assert rows["failed requests (errors, 401, 404), all rounds"].system == 1
    assert rows["failed requests (errors, 401, 404), all rounds"].passed is False


def test_scale_rows_hold_the_issue_targets_at_100k_and_only_report_smaller_sizes():
    size = {"add_interview_s": 0.6, "search_p95_ms": 48.7, "start_and_answer_cpu_s": 6.9,
            "seen_by_another_process_s": 0.5, "build_s": 1643, "peak_rss_mb": 1321}
    slow = dict(size, chunks=100_000, search_p95_ms=140.0)
    rows = rows_for({"scale": {"sizes": [dict(size, chunks=10_000), dict(size, chunks=100_000), slow]}})
    small = [r for r in rows if "10,000 chunks" in r.benchmark]
    assert small and all(r.passed is None for r in small)  # reported, not judged
    big = [r for r in rows if "100,000 chunks" in r.benchmark and r.passed is not None]
    assert [r.passed for r in big] == [True] * 4 + [True, False, True, True]
    assert "scale" not in bench.GROUPS  # not in a default run: it takes tens of minutes
    assert [(s.key, s.group) for s in plan(Path("b"), Path("o"), ["scale"])] == [("scale", "scale")]
