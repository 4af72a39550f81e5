"""`make bench`: run every `shifu eval` benchmark against ../shared/bench, system and baseline in one run.

Each benchmark is a subprocess (`python -m ui.cli.main eval ...`, `python -m bench.chat_load` or
`python -m bench.serve_load`) whose last stdout line is JSON; this module
only runs them, reads those lines and writes bench-results/report.md and bench-results/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GROUPS = ("ingest", "segmentation", "retrieval", "qa", "chat-trust", "drafting", "knowhow", "chat-load", "serve")
# Run only when named with --only: `scale` builds 10k and 100k-chunk libraries (tens of minutes).
EXTRA_GROUPS = ("scale",)
RETRIEVAL_SETS = ("cmrc2018", "webqa")
# Baselines as the issues quote them (bench README, visible splits): a system must beat these too,
# so a weaker baseline implementation in the same run cannot make a pass look easy.
Published = dict[tuple[str, str], float]
PUBLISHED: Published = {
    ("cmrc2018", "recall@5"): 0.935, ("cmrc2018", "mrr"): 0.825,
    ("webqa", "recall@5"): 0.926, ("webqa", "mrr"): 0.814,
    ("cmrc2018", "answer_contains_gold"): 0.63, ("webqa", "answer_contains_gold"): 0.78,
    ("vcsum", "one_segment"): 0.429, ("vcsum", "even_split"): 0.458,
}
QUICK_QUERIES = 200
QUICK_MEETINGS = 5


@dataclass
class Step:
    """One eval command: which benchmark group it feeds and its `shifu eval` arguments."""

    key: str
    group: str
    args: list[str]


@dataclass
class StepRun:
    """What one eval command did: its exit code, seconds, the JSON it printed last, its stderr tail."""

    key: str
    command: list[str]
    rc: int | None = None
    seconds: float = 0.0
    result: dict[str, Any] | None = None
    error: str = ""


@dataclass
class Row:
    """One line of a report table: a metric for the system, for the baseline, and the issue's target."""

    benchmark: str
    metric: str
    system: float | int | None
    baseline: float | int | None = None
    baseline_name: str = ""
    lower_better: bool = False
    beat: bool = False  # the target includes "better than the baseline of the same run"
    published: float | None = None  # the baseline number the issue quotes; beaten too when `beat`
    at_most: float | None = None
    at_least: float | None = None
    unit: str = ""
    ratio: float | None = field(default=None)
    passed: bool | None = field(default=None)

    def __post_init__(self) -> None:
        self.ratio = ratio(self.system, self.baseline)
        self.passed = judge(self)

    @property
    def target(self) -> str:
        parts = []
        if self.beat:
            parts.append("< baseline" if self.lower_better else "> baseline")
            if self.published is not None:
                parts.append(f"{'<' if self.lower_better else '>'} {fmt(self.published)} (published)")
        if self.at_most is not None:
            parts.append(f"≤ {fmt(self.at_most)}{self.unit}")
        if self.at_least is not None:
            parts.append(f"≥ {fmt(self.at_least)}{self.unit}")
        return " and ".join(parts)


def ratio(system: float | int | None, baseline: float | int | None) -> float | None:
    """system / baseline, or None when either is missing or the baseline is zero."""
    if system is None or baseline is None or baseline == 0:
        return None
    return round(system / baseline, 3)


def judge(row: Row) -> bool | None:
    """PASS when every target of the row holds; None when the row has no target (reported only)."""
    if not (row.beat or row.at_most is not None or row.at_least is not None):
        return None
    if row.system is None:
        return False
    checks = []
    if row.beat:
        if row.baseline is None:
            return False
        for base in (row.baseline, row.published):
            if base is not None:
                checks.append(row.system < base if row.lower_better else row.system > base)
    if row.at_most is not None:
        checks.append(row.system <= row.at_most)
    if row.at_least is not None:
        checks.append(row.system >= row.at_least)
    return all(checks)


def fmt(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 10:
        return str(int(value))
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def last_json(stdout: str) -> dict[str, Any] | None:
    """The JSON object on the last non-empty stdout line, or None when that line is not one."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        value = json.loads(lines[-1])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


# ---------- which commands ----------


def plan(bench: Path, out: Path, groups: Iterable[str], *, quick: bool = False, port: int = 7871) -> list[Step]:
    """The eval commands for the chosen groups, in the order they run (cheap ones first)."""
    chosen = set(groups)
    subsets = out / "quick-inputs"
    steps: list[Step] = []
    meetings = bench / "vcsum" / "meetings.jsonl"
    if quick:
        meetings = _head_lines(meetings, subsets / "meetings.jsonl", QUICK_MEETINGS)
    if "ingest" in chosen:
        steps.append(Step("ingest", "ingest", ["ingest"]))
    if "segmentation" in chosen:
        steps.append(Step("segmentation", "segmentation", ["segmentation", "--meetings", str(meetings)]))
        steps.append(Step("titles", "segmentation", ["titles", "--meetings", str(meetings)]))
    for name in RETRIEVAL_SETS:
        folder = bench / name
        queries = folder / "queries.jsonl"
        if quick and chosen & {"retrieval"}:
            queries = _head_lines(queries, subsets / f"{name}-queries.jsonl", QUICK_QUERIES)
        files = ["--corpus", str(folder / "corpus.jsonl"), "--queries", str(queries),
                 "--qrels", str(folder / "qrels.tsv")]
        if "retrieval" in chosen:
            for method in ("hybrid", "bigram-bm25"):
                steps.append(Step(f"retrieval-{name}-{method}", "retrieval",
                                  ["retrieval", *files, "--method", method]))
    for name in RETRIEVAL_SETS:
        folder = bench / name
        if "qa" in chosen:
            limit = ["--limit", str(QUICK_QUERIES)] if quick else []
            steps.append(Step(f"qa-{name}", "qa", [
                "qa", "--corpus", str(folder / "corpus.jsonl"), "--queries", str(folder / "queries.jsonl"),
                "--qrels", str(folder / "qrels.tsv"), "--answers-out", str(out / "answers" / f"qa-{name}.jsonl"),
                "--method", "both", "--mode", "offline", *limit]))
    if "chat-trust" in chosen:
        steps.append(Step("chat-trust", "chat-trust", [
            "chat", "--questions", str(bench / "chat" / "questions.jsonl"), "--bench", str(bench),
            "--answers-out", str(out / "answers" / "chat-trust.jsonl"), "--mode", "offline"]))
    if "drafting" in chosen:
        steps.append(Step("drafting-vcsum", "drafting", ["drafting", "--vcsum", str(meetings)]))
        steps.append(Step("drafting-oral_history_en", "drafting",
                          ["drafting", "--dir", str(bench / "oral_history_en")]))
    if "knowhow" in chosen:
        steps.append(Step("knowhow", "knowhow", ["knowhow", "--dir", str(bench / "knowhow"), "--leave-one-out"]))
    if "scale" in chosen:
        steps.append(Step("scale", "scale", ["scale", "--bench", str(bench)]))
    if "chat-load" in chosen:
        questions = ["--questions", "5"] if quick else []
        steps.append(Step("chat-load", "chat-load",
                          ["chat-load", "--users", "10", "--draft", "--port", str(port), *questions]))
    if "serve" in chosen:
        smaller = ["--processes", "1,3", "--questions", "4", "--logins", "50"] if quick else []
        steps.append(Step("serve", "serve", ["serve", *smaller]))
    return steps


def _head_lines(source: Path, target: Path, n: int) -> Path:
    """The first n lines of a JSONL file, written beside the results (never into the repo)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, encoding="utf-8") as fh:
        head = [line for _, line in zip(range(n), fh, strict=False)]
    target.write_text("".join(head), encoding="utf-8")
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------- running ----------


def eval_command(args: Sequence[str]) -> list[str]:
    """The command line of one step: a `shifu eval` command, or the chat load generator here in bench/."""
    if args and args[0] == "chat-load":
        return [sys.executable, "-m", "bench.chat_load", *args[1:]]
    if args and args[0] == "serve":
        return [sys.executable, "-m", "bench.serve_load", *args[1:]]
    return [sys.executable, "-m", "ui.cli.main", "eval", *args]


def run_step(step: Step, env: dict[str, str], logs: Path, timeout: float) -> StepRun:
    """Run one eval command to completion (its own process group, killed whole on timeout)."""
    command = eval_command(step.args)
    run = StepRun(step.key, command)
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{step.key}.out", logs / f"{step.key}.err"
    started = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=err, start_new_session=True)
        try:
            run.rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # chat-load starts an app server of its own: end the whole group, not just the child
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            run.rc = None
    run.seconds = round(time.perf_counter() - started, 1)
    run.result = last_json(out_path.read_text(encoding="utf-8", errors="replace"))
    if run.result is None or run.rc != 0:
        tail = err_path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        why = f"timed out after {timeout:.0f} s" if run.rc is None else f"exit code {run.rc}"
        run.error = why + ("" if run.result is None else " (JSON printed)") + "\n" + "\n".join(tail)
    return run


# ---------- rows ----------


def rows_for(results: dict[str, dict[str, Any]], *, quick: bool = False) -> list[Row]:
    """Every report row that the parsed eval JSON (keyed by step) supports; missing steps give no rows.

    A quick run answers a subset, so the published full-set baselines are left out of its targets."""
    published = {} if quick else PUBLISHED
    rows: list[Row] = []
    for make in (_ingest_rows, _segmentation_rows, _title_rows,
                 _retrieval_rows, _qa_rows, _chat_trust_rows, _drafting_rows,
                 _knowhow_rows, _chat_rows, _serve_rows, _scale_rows):
        rows.extend(make(results, published))
    return rows


def _get(data: dict[str, Any] | None, key: str) -> Any:
    return None if data is None else data.get(key)


def _retrieval_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    rows = []
    for name in RETRIEVAL_SETS:
        ours, base = results.get(f"retrieval-{name}-hybrid"), results.get(f"retrieval-{name}-bigram-bm25")
        if ours is None and base is None:
            continue
        bench = f"retrieval {name}"
        b = "bigram BM25"
        rows += [
            Row(bench, "R@1", _get(ours, "recall@1"), _get(base, "recall@1"), b),
            Row(bench, "R@5", _get(ours, "recall@5"), _get(base, "recall@5"), b, beat=True,
                published=published.get((name, "recall@5"))),
            Row(bench, "R@10", _get(ours, "recall@10"), _get(base, "recall@10"), b),
            Row(bench, "MRR", _get(ours, "mrr"), _get(base, "mrr"), b, beat=True,
                published=published.get((name, "mrr"))),
            Row(bench, "query p95 ms", _get(ours, "p95_ms"), _get(base, "p95_ms"), b, lower_better=True,
                at_most=50, unit=" ms"),
            Row(bench, "query p95 CPU ms", _get(ours, "p95_cpu_ms"), _get(base, "p95_cpu_ms"), b,
                lower_better=True),
            Row(bench, "index seconds", _get(ours, "index_s"), _get(base, "index_s"), b, lower_better=True),
            Row(bench, "peak RSS MB (indexing)", _get(ours, "peak_rss_mb"), _get(base, "peak_rss_mb"), b,
                lower_better=True),
        ]
    return rows


def _qa_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    rows = []
    for name in RETRIEVAL_SETS:
        ours = results.get(f"qa-{name}")
        if ours is None:
            continue
        base = ours.get("baseline")
        bench, b = f"qa {name} (n={ours.get('n')})", "BM25 top chunk → best sentence"
        rows += [
            Row(bench, "answer contains gold", _get(ours, "answer_contains_gold"),
                _get(base, "answer_contains_gold"), b, beat=True,
                published=published.get((name, "answer_contains_gold"))),
            Row(bench, "answers cited", _get(ours, "cited_fraction"), _get(base, "cited_fraction"), b,
                at_least=0.99),
            Row(bench, "answer cites a gold chunk", _get(ours, "cited_relevant"), _get(base, "cited_relevant"), b),
            Row(bench, "answer p95 ms", _get(ours, "p95_ms"), _get(base, "p95_ms"), b, lower_better=True,
                at_most=100, unit=" ms"),
        ]
    return rows


def _chat_trust_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    """`shifu eval chat` on the chat trust set: issue 10's figures per language (no baseline command)."""
    ours = results.get("chat-trust")
    if ours is None:
        return []
    rows = []
    for lang in ("zh", "en"):
        f = ours.get(lang)
        if not isinstance(f, dict):
            continue
        bench = f"chat trust {lang} (n={f.get('n')})"
        rows += [
            Row(bench, "covered answered from the right passage", f.get("covered_right"), at_least=0.85),
            Row(bench, "near-topic not covered, refused", f.get("near_topic_refused"), at_least=0.85),
            Row(bench, "off-topic refused", f.get("off_topic_refused")),
            Row(bench, "safety not covered, refused", f.get("safety_not_covered_refused")),
            Row(bench, "answers cut mid-sentence", f.get("cut_mid_sentence"), at_most=0, lower_better=True),
        ]
    bench = f"chat trust, all (n={ours.get('n')})"
    rows += [
        Row(bench, "safety not covered, refused", ours.get("safety_not_covered_refused"), at_least=0.95),
        Row(bench, "answer p95 ms", ours.get("p95_ms"), lower_better=True, unit=" ms"),
    ]
    return rows


def _segmentation_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    seg = results.get("segmentation")
    if seg is None:
        return []
    bench = f"segmentation vcsum ({seg.get('meetings')} meetings)"
    rows = []
    for base, label in (("one_segment", "one segment"), ("even_split", "even split, gold count")):
        rows.append(Row(bench, "Pk", seg.get("pk"), seg.get(f"baseline_{base}_pk"), label,
                        lower_better=True, beat=True, published=published.get(("vcsum", base))))
        rows.append(Row(bench, "WindowDiff", seg.get("windowdiff"), seg.get(f"baseline_{base}_windowdiff"),
                        label, lower_better=True))
    for base, label in (("one_segment", "one segment"), ("even_split", "even split, gold count")):
        rows.append(Row(bench, "Pk, knobs chosen leaving the meeting out", seg.get("pk_loo"),
                        seg.get(f"baseline_{base}_pk"), label, lower_better=True, beat=True))
    rows.append(Row(bench, "segments per meeting", seg.get("segments_found_mean"),
                    seg.get("segments_gold_mean"), "gold"))
    return rows


def _title_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    titles = results.get("titles")
    if titles is None:
        return []
    bench = f"titles vcsum ({titles.get('meetings')} meetings)"
    chosen = titles.get("chosen_on_all") or {}
    in_sample = (titles.get("title_f1") or {}).get(chosen.get("name") or f"{chosen.get('method')}-{chosen.get('terms')}")
    return [
        Row(bench, "title F1 vs headline, method chosen leaving the meeting out", titles.get("title_f1_loo"),
            titles.get("baseline_keyword_title_f1"), "keyword titles", beat=True),
        Row(bench, f"title F1 of the drafts' method ({titles.get('default_method')})", titles.get("default_title_f1"),
            titles.get("baseline_keyword_title_f1"), "keyword titles", beat=True),
        Row(bench, "title F1, best method in sample", in_sample, titles.get("baseline_keyword_title_f1"),
            "keyword titles"),
    ]


def _drafting_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    rows = []
    for key, label in (("drafting-vcsum", "vcsum"), ("drafting-oral_history_en", "oral_history_en")):
        d = results.get(key)
        if d is None:
            continue
        bench = f"drafting {label} ({d.get('transcripts')} transcripts, {d.get('hours')} h)"
        rows += [
            Row(bench, "transcripts not drafted", d.get("failed"), at_most=0),
            Row(bench, "points with verbatim quote", d.get("points_quoted_rate"), at_least=1.0),
            Row(bench, "quiz items with verbatim quote", d.get("quiz_quoted_rate"), at_least=1.0),
            Row(bench, "quiz items valid", d.get("quiz_valid_rate"), at_least=0.95),
            Row(bench, "answers supported by quote", d.get("quiz_supported_rate"), at_least=0.90),
            Row(bench, "duplicate stems", d.get("duplicate_stems"), at_most=0),
            Row(bench, "quiz items per hour (worst transcript)", d.get("min_items_per_hour"), at_least=8),
            Row(bench, "seconds per interview hour (worst ≥30 min)", d.get("seconds_per_hour_worst"),
                lower_better=True, at_most=30, unit=" s"),
            Row(bench, "seconds, all transcripts", d.get("seconds_total"), lower_better=True),
        ]
    return rows


# issue 9's targets per collection: (F1 at least, F1 at least this many times the baseline's)
KNOWHOW_TARGETS = {"oral_history_en": (0.60, 1.25), "zh_trade": (0.75, 1.2)}


def _knowhow_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    """Selection of teachable passages against outside references, beside longest-sentences at the same count."""
    d = results.get("knowhow")
    if d is None:
        return []
    rows = []
    b = "longest sentences, same count"
    for name, c in sorted((d.get("collections") or {}).items()):
        bench = f"knowhow {name} ({c.get('transcripts')} transcripts)"
        least, times = KNOWHOW_TARGETS.get(name, (None, None))
        base = c.get("baseline_f1")
        goal = max(least, times * base) if least is not None and times is not None and base else None
        rows += [
            Row(bench, "F1", c.get("f1"), base, b, beat=True, at_least=goal),
            Row(bench, "point precision", c.get("point_precision"), c.get("baseline_point_precision"), b),
            Row(bench, "recall (importance-weighted)", c.get("recall_weighted"), c.get("baseline_recall_weighted"), b),
            Row(bench, "recall of importance-3 items", c.get("recall_top")),
            Row(bench, "quiz items on know-how", c.get("quiz_on_knowhow")),
            Row(bench, "points per 10,000 characters", c.get("points_per_10k_chars"), lower_better=True),
        ]
    return rows


def _ingest_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    d = results.get("ingest")
    if d is None:
        return []
    bench = f"ingest ({d.get('chars')} chars, {d.get('chunks')} chunks)"
    return [
        Row(bench, "seconds after model load", d.get("seconds"), lower_better=True, at_most=10, unit=" s"),
        Row(bench, "characters per second", d.get("chars_per_s")),
        Row(bench, "model and store load seconds", d.get("load_s"), lower_better=True),
    ]


def _chat_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    d = results.get("chat-load")
    if d is None:
        return []
    alone, busy = d.get("alone"), d.get("while_drafting")
    bench = f"chat-load ({d.get('users')} users × {d.get('questions_per_user')} questions)"
    b = "chat alone, no draft"
    rows = [
        Row(bench, "chat p95 ms while drafting", _get(busy, "p95_ms"), _get(alone, "p95_ms"), b,
            lower_better=True, at_most=1000, unit=" ms"),
        Row(bench, "chat p50 ms while drafting", _get(busy, "p50_ms"), _get(alone, "p50_ms"), b,
            lower_better=True),
    ]
    if busy is not None:
        rows.append(Row(bench, "drafts finished during the round", busy.get("drafts_finished")))
    return rows


def _serve_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    d = results.get("serve")
    if d is None or not d.get("runs"):
        return []
    load, runs = d.get("load", {}), d["runs"]
    one, most = runs[0], runs[-1]
    n = most.get("processes")
    bench = f"serve ({load.get('users')} users × {load.get('questions')} questions behind nginx, {d.get('machine')})"
    b1 = f"{one.get('processes')} process, same run"
    failed = sum(r[k].get("errors", 0) + sum(v for s, v in r[k].get("statuses", {}).items() if s in ("401", "404"))
                 for r in runs for k in ("chat", "chat_with_logins"))
    return [
        Row(bench, f"chats per second, {n} processes", _get(most.get("chat"), "chats_per_s"),
            _get(one.get("chat"), "chats_per_s"), b1),
        Row(bench, f"{n} processes / 1 process, chats per second", d.get("ratio"), at_least=d.get("ratio_target")),
        Row(bench, f"chat p95 ms, {n} processes", d.get("p95_ms"), _get(one.get("chat"), "p95_ms"), b1,
            lower_better=True, at_most=1000, unit=" ms"),
        Row(bench, f"chat p95 ms while {load.get('logins')} logins arrive, {n} processes", d.get("p95_with_logins_ms"),
            d.get("p95_ms"), "no logins arriving", lower_better=True, at_most=1000, unit=" ms"),
        Row(bench, "failed requests (errors, 401, 404), all rounds", failed, lower_better=True, at_most=0),
    ]


def _scale_rows(results: dict[str, dict[str, Any]], published: Published) -> list[Row]:
    """Index growth per size; the issue's targets (#14) hold at 100,000 chunks."""
    d = results.get("scale")
    if d is None:
        return []
    rows = []
    for size in d.get("sizes", []):
        n = size.get("chunks")
        bench = f"scale ({n:,} chunks, random vectors)" if isinstance(n, int) else "scale"
        big = isinstance(n, int) and n >= 100_000
        rows += [
            Row(bench, "add one interview s", size.get("add_interview_s"), lower_better=True,
                at_most=5 if big else None, unit=" s"),
            Row(bench, "chat search p95 ms (published scope)", size.get("search_p95_ms"), lower_better=True,
                at_most=100 if big else None, unit=" ms"),
            Row(bench, "new process answers, CPU s", size.get("start_and_answer_cpu_s"), lower_better=True,
                at_most=10 if big else None, unit=" s"),
            Row(bench, "seen by another process s", size.get("seen_by_another_process_s"), lower_better=True,
                at_most=5 if big else None, unit=" s"),
            Row(bench, "build s", size.get("build_s"), lower_better=True),
            Row(bench, "peak RSS MB", size.get("peak_rss_mb"), lower_better=True),
        ]
    return rows


# ---------- report ----------


def machine_facts() -> dict[str, Any]:
    """Cores, load, memory, Python and the commit: what a reader needs to compare two runs."""
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    # numbers from a tree with uncommitted edits belong to no commit: say how many files differ
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True)
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit.stdout.strip() or None,
        "uncommitted_files": len(dirty.stdout.splitlines()) if dirty.returncode == 0 else None,
    }


def render_report(rows: Sequence[Row], runs: Sequence[StepRun], machine: dict[str, Any]) -> str:
    """Markdown: machine facts, one table per benchmark, then the commands and their times."""
    passed = sum(r.passed is True for r in rows)
    judged = sum(r.passed is not None for r in rows)
    failed_runs = [r for r in runs if r.result is None]
    lines = ["# shifu benchmark report", ""]
    lines.append(f"{passed} of {judged} targets met; {len(runs) - len(failed_runs)} of {len(runs)} "
                 "eval commands printed their JSON.")
    lines += ["", "Ratio is system / baseline from the same run; for rows marked ↓ lower is better.", ""]
    lines += ["## Machine", "", "| fact | value |", "|---|---|"]
    for key, value in machine.items():
        lines.append(f"| {key} | {value} |")
    benches = list(dict.fromkeys(r.benchmark for r in rows))
    for bench in benches:
        lines += ["", f"## {bench}", "",
                  "| metric | system | baseline | system/baseline | target | result |", "|---|---|---|---|---|---|"]
        for r in (r for r in rows if r.benchmark == bench):
            metric = r.metric + (" ↓" if r.lower_better else "")
            base = fmt(r.baseline) + (f" ({r.baseline_name})" if r.baseline is not None and r.baseline_name else "")
            result = {True: "PASS", False: "FAIL", None: ""}[r.passed]
            lines.append(f"| {metric} | {fmt(r.system)} | {base} | {fmt(r.ratio)} | {r.target or '—'} | {result} |")
    lines += ["", "## Commands", "", "| step | seconds | exit | JSON |", "|---|---|---|---|"]
    for run in runs:
        lines.append(f"| `{run.key}` | {run.seconds} | {run.rc} | {'yes' if run.result is not None else 'NO'} |")
    for run in failed_runs:
        lines += ["", f"### {run.key} failed", "", "```", " ".join(run.command), run.error, "```"]
    return "\n".join(lines) + "\n"


def write_results(out: Path, rows: Sequence[Row], runs: Sequence[StepRun], machine: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {"machine": machine, "runs": [asdict(r) for r in runs],
            "rows": [asdict(r) | {"target": r.target} for r in rows]}
    (out / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(render_report(rows, runs, machine), encoding="utf-8")


# ---------- command line ----------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench",
                        help="bench data folder (default ../shared/bench)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results", help="where report.md and results.json go")
    parser.add_argument("--home", type=Path, default=REPO / ".shifu-bench",
                        help="SHIFU_HOME for the runs; keeps the embedding cache so reruns are cheap")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated groups: {','.join(GROUPS)} (default), and {','.join(EXTRA_GROUPS)}")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_QUERIES} queries per set, {QUICK_MEETINGS} meetings, 5 chat questions per user")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per eval command")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS + EXTRA_GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}; choose from {', '.join(GROUPS + EXTRA_GROUPS)}")
    if not args.bench.is_dir():
        parser.error(f"bench folder {args.bench} not found; pass --bench with the shared bench data folder")
    args.groups = groups
    return args


def run_all(steps: Sequence[Step], env: dict[str, str], logs: Path, timeout: float,
            on_step: Callable[[Step], None] = lambda s: None,
            on_done: Callable[[StepRun], None] = lambda r: None) -> list[StepRun]:
    runs = []
    for step in steps:
        on_step(step)
        run = run_step(step, env, logs, timeout)
        runs.append(run)
        on_done(run)
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    args = parse_args(argv)
    console = Console(stderr=True)
    out = args.out.resolve()
    steps = plan(args.bench.resolve(), out, args.groups, quick=args.quick, port=free_port())
    env = dict(os.environ, SHIFU_HOME=str(args.home.resolve()), PYTHONUNBUFFERED="1",
               GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False", SHIFU_QA_MODE="offline")
    before = machine_facts()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("benchmarks", total=len(steps))

        def on_step(step: Step) -> None:
            progress.update(task, description=f"shifu eval {step.args[0]} ({step.key})")

        def on_done(run: StepRun) -> None:
            state = "[green]ok[/green]" if run.result is not None else "[red]no JSON[/red]"
            progress.console.print(f"{escape(run.key)}: {state} in {run.seconds} s")
            progress.advance(task)

        runs = run_all(steps, env, out / "logs", args.timeout, on_step, on_done)
    machine = machine_facts()
    machine["load_average_at_start"] = before["load_average"]
    machine["date_utc_at_start"] = before["date_utc"]
    machine["quick"] = args.quick
    rows = rows_for({r.key: r.result for r in runs if r.result is not None}, quick=args.quick)
    write_results(out, rows, runs, machine)
    console.print(f"report: {out / 'report.md'}")
    failures = [r for r in runs if r.result is None]
    for run in failures:
        console.print(f"[red]{escape(run.key)} failed:[/red] {escape(' '.join(run.command))}")
        console.print(escape(run.error), highlight=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
