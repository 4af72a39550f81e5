"""Build the judge's sentence labels and refit rag/judge_model.json, choosing thresholds leaving
one interview out.

    python -m rag.judge_fit [--bench ../shared/bench] [--trust DIR ...] [--data rows.jsonl]
                            [--model-rows answerability_rows.jsonl]

Data (never the chat trust set, never bench/trust/held_out, which only measure): the question
sets the project wrote over the demo corpus (tests/rag/coverage_*_questions.json,
bench/trust/*.json) and the sets of every ``--trust`` folder (``sets/*.json`` over its
``interviews/``: trustdata's bench/trust layout), asked over one library of corpus/, the Unix oral
histories and those interviews (k = 5). For a covered question the windows of one or two sentences
holding half the gold quote's characters are positive, its other windows negative; every window
of a question the library does not answer is negative. Each question weighs as much as any
other whatever its number of windows.

Two models per language: the window model (logistic over rag.judge.FEATURES, on the windows'
labels) picks a question's best window among those naming no other specific; the verdict
(logistic over that window's features and score, the answerability model's log-odds and the
evidence's contradiction, on the questions' labels) says whether the evidence answers. With
``--model-rows`` the verdict reads the answerability model's probability of each demo-set question
from a model fitted without that question's interview, as it will read a new question's.

The decision (rag.judge.decide): evidence naming only another specific of the kind asked about
refuses; a question the answerability model refuses is answered when its best window is grounded
and the verdict reaches the threshold; a safety question never is. The threshold is chosen on
probabilities of both models fitted with the question's whole interview left out, for the best
balanced accuracy (covered answered, not covered refused); a language where that beats the
answerability model alone (left out the same way) without refusing fewer safety questions gets
"decides": true. The figures printed and written beside the coefficients are those
leave-one-interview-out figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rag.judge import (
    FEATURES,
    MODEL_FILE,
    evidence_falls_short,
    grounded,
    verdict_inputs,
    verdict_probability,
    window_score,
    windows,
)

REPO = Path(__file__).resolve().parent.parent
NEVER = 1.01  # a threshold no probability reaches
_GOLD = 0.5  # share of the gold quote's characters a positive window holds


def question_sets(trust: Iterable[Path] = ()) -> list[Path]:
    """The question sets written by the project (tests/rag, bench/trust) and those of --trust folders."""
    from rag.answerability_fit import question_sets as base

    return list(dict.fromkeys([*base(), *(p for folder in trust for p in sorted((folder / "sets").glob("*.json")))]))


def _interview(item: dict[str, Any]) -> str:
    from rag.answerability_fit import _interview as base

    return base(item)


def build_rows(bench: Path, trust: Iterable[Path] = ()) -> list[dict[str, Any]]:
    """One row per question: its decision by the logistic model, its windows' features and labels."""
    from rag.answerability import decide as model_decide
    from rag.answerability import is_safety_question, judged, spoken
    from rag.coverage import is_covered
    from rag.evaluate_chat import LIBRARY_FILES, build_library, quote_overlap
    from rag.language import detect_language
    from rag.retrieve import reader_index, search
    from shifu.context import Context
    from shifu.settings import load_settings

    trust = list(trust)
    ctx = Context(load_settings())
    rows = []
    with tempfile.TemporaryDirectory(prefix="shifu-judge-fit-") as tmp:
        files = [REPO / f for f in LIBRARY_FILES if f.startswith("corpus/")]
        files += [bench / "oral_history_en", *(p for folder in trust for p in sorted((folder / "interviews").iterdir()))]
        scratch = build_library(ctx, Path(tmp), files)
        index = reader_index(scratch)
        for path in question_sets(trust):
            for item in json.loads(path.read_text("utf-8"))["questions"]:
                q = item["q"]
                hits = search(scratch, q, k=5)
                decision = model_decide(q, hits, index.embedder, index)
                found = windows(q, hits, index.embedder)
                quote: str | None = item.get("quote") if item["covered"] else None
                rows.append({
                    "question": q, "lang": "en" if detect_language(q) == "en" else "zh",
                    "set": path.stem, "interview": _interview(item), "covered": bool(item["covered"]),
                    "safety": is_safety_question(q), "judged": judged(q, spoken(hits)),
                    "terms_covered": is_covered(q, hits, index.embedder, index),
                    "model_covered": decision.covered, "model_p": decision.probability,
                    "contradiction": evidence_falls_short(q, hits),
                    "windows": [{"features": w.features, "text": w.text,
                                 "label": int(quote is not None and quote_overlap(quote, w.text) >= _GOLD)}
                                for w in found],
                })
    return rows


def _matrix(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window rows: features, labels, weights (each question weighs 1; its positive windows half
    of it when it has any)."""
    x, y, w = [], [], []
    for r in rows:
        n = len(r["windows"])
        pos = sum(v["label"] for v in r["windows"])
        for win in r["windows"]:
            x.append([win["features"][f] for f in FEATURES])
            y.append(win["label"])
            w.append(0.5 / pos if win["label"] else (0.5 if pos else 1.0) / max(1, n - pos))
    return np.array(x, dtype=float).reshape(-1, len(FEATURES)), np.array(y, dtype=float), np.array(w)


def _verdict_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions the verdict decides: those the answerability model judges, past the term rule."""
    return [r for r in rows if r["judged"] and r["terms_covered"]]


def _inputs(row: dict[str, Any], window: dict[str, Any]) -> list[float]:
    """The verdict's inputs for a row, its windows scored by the window model `window`."""
    best, score = _best(row, window)
    return verdict_inputs(best, score, row["model_p"], row["contradiction"])


def _best(row: dict[str, Any], window: dict[str, Any]) -> tuple[dict[str, float] | None, float]:
    """The features and score of the row's best window that does not contradict (as rag.judge.judge)."""
    candidates = [w["features"] for w in row["windows"] if not w["features"]["contradicts"]]
    if not candidates:
        return None, -10.0
    score, best = max(((window_score(f, window), f) for f in candidates), key=lambda sf: sf[0])
    return best, score


def fit_both(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The window model on the windows' labels, then the verdict on the questions' labels."""
    from rag.answerability import fit_logistic

    x, y, w = _matrix(rows)
    coef, bias = fit_logistic(x, y, w)
    window = {"weights": [round(float(c), 4) for c in coef], "bias": round(float(bias), 4)}
    decided_rows = _verdict_rows(rows)
    xq = np.array([_inputs(r, window) for r in decided_rows])
    yq = np.array([float(r["covered"]) for r in decided_rows])
    mean, scale = xq.mean(axis=0), np.maximum(xq.std(axis=0), 0.01)
    vcoef, vbias = fit_logistic((xq - mean) / scale, yq)
    verdict = {"weights": [round(float(c), 4) for c in vcoef], "bias": round(float(vbias), 4),
               "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale]}
    return {"window": window, "verdict": verdict}


def leave_one_interview_out(rows: list[dict[str, Any]]) -> list[float]:
    """Each question's verdict probability from both models fitted without its interview; 0 when
    its best window is not grounded (rag.judge.grounded: the verdict may not answer then)."""
    out = [0.0] * len(rows)
    for group in sorted({r["interview"] for r in rows}):
        coef = fit_both([r for r in rows if r["interview"] != group])
        for i, r in enumerate(rows):
            if r["interview"] == group:
                best, _ = _best(r, coef["window"])
                ok = best is not None and grounded(best)
                out[i] = verdict_probability(_inputs(r, coef["window"]), coef["verdict"]) if ok else 0.0
    return out


def decided(row: dict[str, Any], p: float, threshold: float, safety_threshold: float) -> bool:
    """The chat's decision for a row (as rag.answerability.decide makes it)."""
    if not row["terms_covered"]:
        return False
    if not row["judged"]:
        return bool(row["model_covered"])
    return not row["contradiction"] and (row["model_covered"] or p >= (safety_threshold if row["safety"] else threshold))


def rates(rows: list[dict[str, Any]], probs: list[float], t: float, ts: float,
          *, baseline: bool = False) -> dict[str, Any]:
    """Covered answered, not covered refused, safety not covered refused (counts and shares)."""
    got = [bool(r["model_covered"] and r["terms_covered"]) if baseline else decided(r, p, t, ts)
           for r, p in zip(rows, probs, strict=True)]

    def share(pick: list[bool]) -> dict[str, Any]:
        return {"n": len(pick), "share": round(sum(pick) / len(pick), 3) if pick else None}

    return {
        "covered_answered": share([g for r, g in zip(rows, got, strict=True) if r["covered"]]),
        "not_covered_refused": share([not g for r, g in zip(rows, got, strict=True) if not r["covered"]]),
        "safety_covered_answered": share([g for r, g in zip(rows, got, strict=True) if r["covered"] and r["safety"]]),
        "safety_not_covered_refused": share([not g for r, g in zip(rows, got, strict=True)
                                              if not r["covered"] and r["safety"]]),
    }


def thresholds(rows: list[dict[str, Any]], probs: list[float]) -> tuple[float, float]:
    """General: the best balanced accuracy (covered answered, not covered refused) on held-out
    probabilities. Safety: never (NEVER). The judge only ever refuses a safety question the model
    would answer (a contradicting specific); rescuing one the model refuses was measured and left
    out: left one interview out it answered none of our safety questions not covered, but on the
    chat trust set and the fifth round's runs it answered a near-topic safety question (a material's
    temperature limit, a battery fire) and rescued no covered one (docs/BENCHMARKS.md)."""
    grid = [round(t, 2) for t in np.arange(0.1, 0.96, 0.05)] + [NEVER]

    def balanced(t: float) -> float:
        r = rates(rows, probs, t, NEVER)
        return (r["covered_answered"]["share"] or 0) + (r["not_covered_refused"]["share"] or 0)

    return max(grid, key=lambda t: (round(balanced(t), 3), t)), NEVER


def _better(judged: dict[str, Any], alone: dict[str, Any]) -> bool:
    """Does the judge beat the model alone (balanced accuracy, left one interview out) without
    refusing fewer safety questions that are not covered?"""
    def balanced(r: dict[str, Any]) -> float:
        return (r["covered_answered"]["share"] or 0) + (r["not_covered_refused"]["share"] or 0)

    safety = (judged["safety_not_covered_refused"]["share"] or 1.0) >= (alone["safety_not_covered_refused"]["share"] or 1.0)
    return bool(balanced(judged) > balanced(alone) and safety)


def fit(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Both models per language (all rows), thresholds and figures leaving one interview out."""
    model: dict[str, Any] = {"features": list(FEATURES), "languages": {}}
    for lang in ("zh", "en"):
        part = [r for r in rows if r["lang"] == lang]
        held = leave_one_interview_out(part)
        t, ts = thresholds(part, held)
        judged_rates = rates(part, held, t, ts)
        alone = rates(part, held, t, ts, baseline=True)
        model["languages"][lang] = {
            **fit_both(part), "threshold": t, "safety_threshold": ts, "decides": _better(judged_rates, alone),
            "leave_one_interview_out": {"judge": judged_rates, "model_alone": alone},
        }
    return model


def with_model_held_out(rows: list[dict[str, Any]], model_rows: Path) -> list[dict[str, Any]]:
    """The rows with the answerability model's probability and decision for each demo-set question
    taken from a model fitted without its interview (rag.answerability_fit's rows, its leave one
    interview out): the verdict reads the model as it reads a question it never saw. Questions
    the model was never fitted on (the --trust sets) keep the fitted model's."""
    from rag.answerability import judged
    from rag.answerability import load_model as answerability_model
    from rag.answerability_fit import leave_one_interview_out as model_left_out

    fitted = [r for r in (json.loads(line) for line in model_rows.read_text("utf-8").splitlines() if line.strip())
              if judged(r["question"], r["source"].startswith("demo"))]
    held: dict[str, float] = {}
    for lang in ("zh", "en"):
        part = [r for r in fitted if (r["source"] == "demo_en") == (lang == "en")]
        for r, p in zip(part, model_left_out(part), strict=True):
            if r["source"].startswith("demo") and not np.isnan(p):
                held[r["question"]] = float(p)
    bars = answerability_model()["languages"]
    out = []
    for r in rows:
        if r["judged"] and r["question"] in held and r["model_p"] < 1.0:  # 1.0: answered on its words alone
            p = round(held[r["question"]], 4)
            bar = bars[r["lang"]]["safety_threshold" if r["safety"] else "threshold"]
            r = {**r, "model_p": p, "model_covered": p >= bar}
        out.append(r)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    parser.add_argument("--trust", type=Path, action="append", default=[],
                        help="a folder with interviews/ and sets/*.json (worker-worded questions over them); "
                        "default bench/trust when it has sets/")
    parser.add_argument("--data", type=Path, help="rows file: read it when it exists, else build and write it")
    parser.add_argument("--model-rows", type=Path, help="rows of `python -m rag.answerability_fit --data F`: "
                        "read the answerability model leaving each interview out (recommended)")
    args = parser.parse_args(argv)
    own = REPO / "bench" / "trust"
    if not args.trust and (own / "sets").is_dir():
        args.trust = [own]  # trustdata's interviews and sets, once merged
    if args.data and args.data.exists():
        rows = [json.loads(line) for line in args.data.read_text("utf-8").splitlines() if line.strip()]
    else:
        rows = build_rows(args.bench, args.trust)
        if args.data:
            args.data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    if args.model_rows:
        rows = with_model_held_out(rows, args.model_rows)
    model = fit(rows)
    MODEL_FILE.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for lang, m in model["languages"].items():
        print(lang, json.dumps({k: m[k] for k in ("threshold", "safety_threshold", "leave_one_interview_out")},
                               ensure_ascii=False))


if __name__ == "__main__":
    main()
