"""Build the answerability training data and refit rag/answerability_model.json.

    python -m rag.answerability_fit [--bench ../shared/bench] [--per-set 400] [--data rows.jsonl]

Data (never the chat trust set, which only measures):
- CMRC 2018 and WebQA, questions from number 500 on (the first 300 are what `shifu eval qa
  --limit 300` measures): each question searched in its own corpus (k = 6); a positive is the
  top 5 with the gold passage among them, a hard negative the top 5 with the gold passage
  withheld (the near-miss passages retrieval returns instead).
- the question sets the project wrote (tests/rag/coverage_*_questions.json over the demo corpus,
  bench/trust/worker_safety_zh.json, and bench/trust/sets/*.json over the interviews of
  bench/trust/interviews/), asked over one library of corpus/, those interviews and the Unix
  oral histories (k = 5). Over an interview every question is judged (rag.answerability.judged);
  each demo-set row also records whether the rules around the model (the term rule of
  rag.coverage, a contradicting specific of rag.judge) let it through ("gate").

Chinese and English get their own coefficients (English has only the demo-corpus sets). Each
source weighs as much in total as the others, so 1,600 bench rows do not drown the trade
questions. Two held-out readings: five folds by question, and each interview of the demo sets left
out in turn (its questions predicted by a model fitted without them: the figure for an interview
the model has never seen). The threshold: the best balanced accuracy (answerable kept,
unanswerable refused) on the demo sets with each interview left out (a question the gate refuses
counts as refused), among thresholds keeping >= 95 % of CMRC's answerable questions on held-out
folds (the bench's answers may not fall). The safety threshold, per language: the lowest at or above
it that refuses >= 95 % of the safety questions the library does not answer, each interview left
out, behind the gate (issue 10, sixth round; docs/BENCHMARKS.md). The figures printed and written
beside the coefficients: both readings at both thresholds, and (leave_one_interview_out_safety)
the safety questions covered kept and not covered refused at the safety threshold — what the
bar costs and what it buys.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rag.answerability import (
    FEATURES,
    MODEL_FILE,
    features,
    fit_logistic,
    is_safety_question,
    judged,
)
from shifu.context import Context
from shifu.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
BENCH_KEPT = 0.95  # a CMRC question whose gold passage was retrieved is answered at least this often
SAFETY_REFUSED = 0.95  # a safety question the library does not answer is refused at least this often
FIRST_FITTED = 500  # bench questions before this one are left for `shifu eval qa --limit 300`


def bench_rows(ctx: Context, bench: Path, name: str, per_set: int) -> Iterable[dict[str, Any]]:
    """Paired rows from a BEIR set: gold present (1) and gold withheld (0), same question."""
    from rag.evaluate_qa import _hits, _system_search, read_corpus, read_qrels, read_queries

    chunks = read_corpus(bench / name / "corpus.jsonl")
    by_id = {c.id: c for c in chunks}
    relevant = read_qrels(bench / name / "qrels.tsv")
    queries = read_queries(bench / name / "queries.jsonl")[FIRST_FITTED : FIRST_FITTED + per_set]
    with tempfile.TemporaryDirectory(prefix="shifu-fit-") as tmp:
        search, index = _system_search(ctx, chunks, Path(tmp))
        for q in queries:
            gold = relevant.get(q["id"], set())
            found = search(q["text"], 6)
            top = _hits(found[:5], by_id)
            if any(h.chunk.id in gold for h in top):
                yield _row(name, q["text"], 1, top, index)
            withheld = _hits([f for f in found if f[0] not in gold][:5], by_id)
            yield _row(name, q["text"], 0, withheld, index)


def demo_rows(ctx: Context, bench: Path) -> Iterable[dict[str, Any]]:
    """Rows from the question sets written over the demo corpus, asked over corpus/ + oral histories."""
    from rag.evaluate_chat import LIBRARY_FILES, build_library
    from rag.language import detect_language
    from rag.retrieve import reader_index, search

    with tempfile.TemporaryDirectory(prefix="shifu-fit-demo-") as tmp:
        files = [REPO / f for f in LIBRARY_FILES if f.startswith("corpus/")]
        files += sorted((REPO / "bench" / "trust" / "interviews").iterdir())
        scratch = build_library(ctx, Path(tmp), [*files, bench / "oral_history_en"])
        index = reader_index(scratch)
        for path in question_sets():
            for item in json.loads(path.read_text("utf-8"))["questions"]:
                hits = search(scratch, item["q"], k=5)
                lang = "en" if detect_language(item["q"]) == "en" else "zh"
                row = _row(f"demo_{lang}", item["q"], int(item["covered"]), hits, index)
                yield {**row, "interview": _interview(item), "gate": _gate(item["q"], hits, index)}


def question_sets() -> list[Path]:
    """The question sets written by the project: tests/rag/coverage_*_questions.json over the demo
    corpus, the worker-worded safety set of bench/trust/ and the sets of bench/trust/sets/ over the
    interviews of bench/trust/interviews/ (never bench/trust/held_out/, which only measures)."""
    trust = REPO / "bench" / "trust"
    return [*(REPO / "tests" / "rag" / f"coverage_{name}_questions.json" for name in ("zh", "en", "worker")),
            *sorted(trust.glob("*.json")), *sorted((trust / "sets").glob("*.json"))]


def _interview(item: dict[str, Any]) -> str:
    """The interview a demo-set question was written over (its source, or the trade of a near-topic
    one); off-topic questions fall into five groups by their text, so that every held-out group of
    leave_one_interview_out still leaves unanswerable questions to fit on."""
    return str(item.get("source") or item.get("trade") or f"off-topic-{sum(map(ord, item['q'])) % 5}")


def _interviews(rows: list[dict[str, Any]]) -> list[str]:
    """Each row's interview ("" for bench rows); rows written before the field existed are looked up."""
    known = {it["q"]: _interview(it) for path in question_sets()
             for it in json.loads(path.read_text("utf-8"))["questions"]}
    return [r.get("interview") or known.get(r["question"], "") if r["source"].startswith("demo") else ""
            for r in rows]


def leave_one_interview_out(rows: list[dict[str, Any]]) -> np.ndarray:
    """Each demo row's probability from a model fitted with every row of its interview left out
    (bench rows always train): how the model does on an interview it has never seen. NaN for
    bench rows."""
    groups = _interviews(rows)
    probs = np.full(len(rows), np.nan)
    for group in sorted(set(groups) - {""}):
        test = [i for i, g in enumerate(groups) if g == group]
        x, y, w = _matrix([r for r, g in zip(rows, groups, strict=True) if g != group])
        coef, bias = fit_logistic(x, y, w)
        xt, _, _ = _matrix([rows[i] for i in test])
        probs[test] = 1 / (1 + np.exp(-(xt @ coef + bias)))
    return probs


def _gate(question: str, hits: list, index: Any) -> bool:
    """Do the rules around the model let the question through: the term and meaning rule
    (rag.coverage.is_covered) and no contradicting specific in the evidence (rag.judge)? A question
    either refuses is refused whatever the model says."""
    from rag.coverage import is_covered
    from rag.judge import evidence_falls_short

    return bool(hits) and is_covered(question, hits, index.embedder, index) and not evidence_falls_short(question, hits)


def _row(source: str, question: str, label: int, hits: list, index: Any) -> dict[str, Any]:
    values = features(question, hits, index.embedder, index) if hits else dict.fromkeys(FEATURES, 0.0)
    return {"source": source, "question": question, "label": label, "features": values}


def _matrix(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([[r["features"][f] for f in FEATURES] for r in rows], dtype=float)
    y = np.array([r["label"] for r in rows], dtype=float)
    counts = {s: sum(1 for r in rows if r["source"] == s) for s in {r["source"] for r in rows}}
    w = np.array([1.0 / counts[r["source"]] for r in rows])
    return x, y, w


def cross_validate(rows: list[dict[str, Any]], folds: int = 5) -> np.ndarray:
    """Each row's probability from a model fitted on the other folds (folds by question)."""
    questions = sorted({r["question"] for r in rows})
    fold_of = {q: i % folds for i, q in enumerate(questions)}
    probs = np.zeros(len(rows))
    for k in range(folds):
        train = [r for r in rows if fold_of[r["question"]] != k]
        test = [i for i, r in enumerate(rows) if fold_of[r["question"]] == k]
        x, y, w = _matrix(train)
        coef, bias = fit_logistic(x, y, w)
        xt, _, _ = _matrix([rows[i] for i in test])
        probs[test] = 1 / (1 + np.exp(-(xt @ coef + bias)))
    return probs


def _rates(rows: list[dict[str, Any]], probs: np.ndarray, t: float) -> dict[str, tuple[float, float]]:
    """Per source: (share of answerable kept, share of unanswerable refused) at threshold t."""
    out = {}
    for source in sorted({r["source"] for r in rows}):
        pos = [p >= t for r, p in zip(rows, probs, strict=True) if r["source"] == source and r["label"] == 1]
        neg = [p < t for r, p in zip(rows, probs, strict=True) if r["source"] == source and r["label"] == 0]
        out[source] = (float(np.mean(pos)) if pos else 1.0, float(np.mean(neg)) if neg else 1.0)
    return out


def safety_threshold(rows: list[dict[str, Any]], held_out: np.ndarray, general: float) -> float:
    """The lowest threshold at or above `general` refusing >= SAFETY_REFUSED of the safety questions
    the library does not answer, each read from a model fitted with its whole interview left out
    (safety first: the figure for an interview the model never saw)."""
    grid = [round(t, 2) for t in np.arange(0.1, 0.96, 0.05)]
    # A question the rules around the model refuse (rows' "gate") is refused at any threshold.
    probs = [p if r.get("gate", True) else -1.0 for r, p in zip(rows, held_out, strict=True)
             if r["source"].startswith("demo") and r["label"] == 0 and is_safety_question(r["question"])]
    safe = [t for t in grid if t >= general and (not probs or np.mean([p < t for p in probs]) >= SAFETY_REFUSED)]
    return safe[0] if safe else grid[-1]


def _safety_rates(rows: list[dict[str, Any]], held_out: np.ndarray, t: float) -> dict[str, Any]:
    """Left one interview out, at the safety threshold and behind the rules around the model (the
    rows' "gate"): safety questions covered kept, not covered refused (the price of the bar and
    what it buys)."""
    pick = [(r["label"], p if r.get("gate", True) else -1.0) for r, p in zip(rows, held_out, strict=True)
            if r["source"].startswith("demo") and is_safety_question(r["question"])]
    kept = [p >= t for y, p in pick if y == 1]
    refused = [p < t for y, p in pick if y == 0]
    return {"safety_covered_kept": round(float(np.mean(kept)), 3) if kept else None, "n_covered": len(kept),
            "safety_not_covered_refused": round(float(np.mean(refused)), 3) if refused else None,
            "n_not_covered": len(refused)}


def _behind_gate(rows: list[dict[str, Any]], probs: np.ndarray, held_out: np.ndarray) -> np.ndarray:
    """The probabilities the general threshold is chosen on: a demo-set question's from a model
    fitted without its interview (-1 when the rules around the model refuse it anyway), a bench
    question's from the five folds."""
    return np.array([(p if r.get("gate", True) else -1.0) if r["source"].startswith("demo") else q
                     for r, p, q in zip(rows, held_out, probs, strict=True)])


def thresholds(rows: list[dict[str, Any]], probs: np.ndarray) -> tuple[float, float]:
    """Thresholds from held-out probabilities. General: the best balanced accuracy (answerable
    kept, unanswerable refused) on the demo-corpus sets, among thresholds keeping >= BENCH_KEPT
    of CMRC's answerable questions (the bench may not fall). Safety (the five-fold figure, kept for
    comparison; fit() sets it leaving one interview out, safety_threshold): the lowest at or above
    it refusing >= SAFETY_REFUSED of the demo sets' unanswerable questions (safety first)."""
    grid = [round(t, 2) for t in np.arange(0.1, 0.91, 0.05)]
    demo_rows = [r for r in rows if r["source"].startswith("demo")]
    demo_probs = np.array([p for r, p in zip(rows, probs, strict=True) if r["source"].startswith("demo")])

    def demo(t: float) -> tuple[float, float]:
        kept, refused = zip(*_rates(demo_rows, demo_probs, t).values(), strict=True)
        return float(np.mean(kept)), float(np.mean(refused))

    def bench_ok(t: float) -> bool:
        rates = _rates(rows, probs, t)
        return all(rates[s][0] >= BENCH_KEPT for s in rates if s == "cmrc2018")

    allowed = [t for t in grid if bench_ok(t)] or grid[:1]
    general = max(allowed, key=lambda t: (round(sum(demo(t)) / 2, 3), -t))
    safe = [t for t in grid if t >= general and demo(t)[1] >= SAFETY_REFUSED]
    return general, (safe[0] if safe else grid[-1])


def fit(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Coefficients and thresholds per language, with their cross-validation figures."""
    model: dict[str, Any] = {"features": list(FEATURES), "languages": {}}
    # The model judges questions that ask for a kind of answer (or touch safety): fitted on those.
    # Over an interview (the demo-set rows) every question is judged; over written passages those
    # asking for a kind of answer or about safety.
    rows = [r for r in rows if judged(r["question"], r["source"].startswith("demo"))]
    for lang in ("zh", "en"):
        part = [r for r in rows if (r["source"] == "demo_en") == (lang == "en")]
        x, y, w = _matrix(part)
        coef, bias = fit_logistic(x, y, w)
        probs = cross_validate(part)
        held_out = leave_one_interview_out(part)
        general, _ = thresholds(part, _behind_gate(part, probs, held_out))
        safety = safety_threshold(part, held_out, general)
        demo = [i for i, r in enumerate(part) if r["source"].startswith("demo")]
        model["languages"][lang] = {
            "weights": [round(float(c), 4) for c in coef], "bias": round(bias, 4),
            "threshold": general, "safety_threshold": safety,
            "cross_validation": {"at_threshold": _rounded(_rates(part, probs, general)),
                                 "at_safety_threshold": _rounded(_rates(part, probs, safety)),
                                 "leave_one_interview_out": _rounded(_rates([part[i] for i in demo],
                                                                            held_out[demo], general)),
                                 "leave_one_interview_out_safety": _safety_rates(part, held_out, safety)},
        }
    return model


def _rounded(rates: dict[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
    return {s: {"answerable_kept": round(k, 3), "unanswerable_refused": round(r, 3)} for s, (k, r) in rates.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    parser.add_argument("--per-set", type=int, default=400, help="bench questions per set (from number 500)")
    parser.add_argument("--data", type=Path, help="rows file: read it when it exists, else build and write it")
    args = parser.parse_args(argv)
    if args.data and args.data.exists():
        rows = [json.loads(line) for line in args.data.read_text("utf-8").splitlines() if line.strip()]
    else:
        ctx = Context(load_settings())
        rows = list(demo_rows(ctx, args.bench))
        for name in ("cmrc2018", "webqa"):
            rows += list(bench_rows(ctx, args.bench, name, args.per_set))
        if args.data:
            args.data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    model = fit(rows)
    MODEL_FILE.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for lang, m in model["languages"].items():
        print(lang, json.dumps(m["cross_validation"], ensure_ascii=False))


if __name__ == "__main__":
    main()
