"""Fit the selection scorer on the bench's know-how references, checked by leaving one interview out.

    python -m extraction.selection_fit ../shared/bench/knowhow [--drafts] [--write]

Each interview counts the same (its sentences are weighted by one over their number), so the 22
VCSum panels do not drown the eight interviews; the reported figures are those of each interview
scored by a model that never saw it. With --drafts every interview is drafted whole (outline,
lessons, quiz) by the offline engine with the weights fitted without it, and scored as
`shifu eval knowhow` scores a draft (quiz_on_knowhow included).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from extraction.evaluate_knowhow import (
    Case,
    find_cases,
    locate,
    longest_sentences,
    matches,
    score_course,
    scoring_text,
)
from extraction.selection import FEATURES, feature_rows, select_units, weights
from shifu.errors import ShifuError
from shifu.models import Chunk, Transcript

L2 = 1.0


@dataclass
class Prepared:
    """One interview's candidates, features and labels."""

    case: Case
    transcript: Transcript
    chunks: list[Chunk]
    units: list
    x: np.ndarray
    y: np.ndarray
    text: str


def prepare(case: Case) -> Prepared:
    from extraction.segment import segment_transcript
    from extraction.units import extract_units
    from rag.chunk import chunk_transcript
    from rag.parse import parse_transcript

    t = parse_transcript(case.transcript.read_bytes(), case.transcript.name)
    t.id = "t-" + t.sha256[:12]
    chunks = chunk_transcript(t)
    units = extract_units(t, chunks, segment_transcript(t, None))
    text = scoring_text(case.transcript)
    refs = [s for it in case.reference["items"] for s in (locate(q, text) for q in it["quotes"]) if s]
    y = []
    for u in units:
        span = locate(u.text, text)
        y.append(1.0 if span and any(matches(span, r) for r in refs) else 0.0)
    return Prepared(case, t, chunks, units, feature_rows(t, units), np.array(y), text)


def fit(xs: list[np.ndarray], ys: list[np.ndarray], groups: list[str], l2: float = L2) -> np.ndarray:
    """Logistic regression by Newton's method; every kind of material (group) weighs the same, and
    every interview the same within its kind."""
    x = np.vstack(xs)
    y = np.concatenate(ys)
    per_group = {g: groups.count(g) for g in groups}
    sw = np.concatenate([np.full(len(a), 1.0 / (max(len(a), 1) * per_group[g])) for a, g in zip(ys, groups, strict=True)])
    sw *= len(y) / sw.sum()
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0
    for _ in range(30):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (sw * (p - y)) + reg * w
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x + np.diag(reg + 1e-6)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def score_selection(d: Prepared, w: np.ndarray, cfg: dict) -> dict:
    """The held-out figures of one interview with these weights and settings, beside the baseline."""
    kept = select_units(d.transcript, d.chunks, [u.model_copy() for u in d.units], list(w), cfg).kept
    points = [[c.quote for c in u.citations] for u in kept]  # as a draft cites them
    ours = score_course(points, [], d.case.reference, d.text)
    base = score_course([[s] for s in longest_sentences(d.case.transcript, len(points))], [], d.case.reference, d.text)
    return {"collection": d.case.collection, "name": d.case.name, **ours, "baseline_f1": base["f1"]}


def leave_one_out(data: list[Prepared], cfg: dict) -> list[dict]:
    rows = []
    for i, d in enumerate(data):
        rest = [e for j, e in enumerate(data) if j != i]
        w = fit([e.x for e in rest], [e.y for e in rest], [e.case.collection for e in rest])
        rows.append(score_selection(d, w, cfg))
    return rows


def drafts_left_out(root: Path, settings, cfg: dict | None = None, progress=None,
                    collections: Sequence[str] = ()) -> dict:
    """`shifu eval knowhow`'s figures, each interview drafted with weights fitted on the others only.

    `cfg` defaults to the shipped scorer (its threshold and budget); `collections` limits which
    interviews are drafted, while every other interview still counts in each fit.
    """
    from extraction.evaluate_knowhow import evaluate_case, summarise

    cfg = dict(weights()) if cfg is None else cfg
    cases = find_cases(root)
    if len(cases) < 2:
        raise ShifuError(f"leaving one interview out needs at least two interviews with references under {root} "
                         f"(found {len(cases)}); point --dir at the knowhow folder")
    data = [prepare(c) for c in cases]
    rows = []
    for i, case in enumerate(cases):
        if collections and case.collection not in collections:
            continue
        rest = [e for j, e in enumerate(data) if j != i]
        w = fit([e.x for e in rest], [e.y for e in rest], [e.case.collection for e in rest])
        held_out = {**cfg, "weights": {f: float(v) for f, v in zip(FEATURES, w, strict=True)}}
        rows.append(evaluate_case(case, settings, selection=held_out))
        if progress:
            progress(json.dumps(rows[-1], ensure_ascii=False))
    return {"collections": summarise(rows), "transcripts": rows}


def summary(rows: list[dict]) -> dict:
    out = {}
    for c in dict.fromkeys(r["collection"] for r in rows):
        g = [r for r in rows if r["collection"] == c]
        out[c] = {k: round(float(np.mean([r[k] for r in g if r[k] is not None])), 3)
                  for k in ("f1", "baseline_f1", "point_precision", "recall_weighted", "recall_top",
                            "points_per_10k_chars") if any(r[k] is not None for r in g)}
    return out


def main(argv: list[str]) -> None:
    root = Path(argv[0])
    cfg = json.loads((Path(__file__).parent / "selection_weights.json").read_text(encoding="utf-8"))
    if "--drafts" in argv:
        from shifu.settings import load_settings

        result = drafts_left_out(root, load_settings(), cfg, progress=print)
        print(json.dumps(result["collections"], ensure_ascii=False))
        return
    data = [prepare(c) for c in find_cases(root)]
    rows = leave_one_out(data, cfg)
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))
    print(json.dumps(summary(rows), ensure_ascii=False))
    if "--write" in argv:
        w = fit([d.x for d in data], [d.y for d in data], [d.case.collection for d in data])
        cfg["weights"] = {f: round(float(v), 4) for f, v in zip(FEATURES, w, strict=True)}
        (Path(__file__).parent / "selection_weights.json").write_text(
            json.dumps(cfg, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
