"""Lesson titles against VCSum's human headlines: each title method of extraction/titles.py on the
segments the segmenter finds, the method chosen leaving one meeting out, main's keyword titles and the
drafts' method beside."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from extraction.evaluate import Meeting, Progress, choose_left_out
from extraction.evaluate_knowhow import bigram_f1
from extraction.segment import segment_texts
from extraction.titles import BASELINE, DEFAULT, METHODS

Knobs = tuple[str, int]


def _overlap_gold(meeting: Meeting, first: int, last: int) -> int:
    """Index of the gold segment that shares most utterances with [first, last)."""
    edges = [0, *meeting.boundaries, len(meeting.utterances)]
    shared = [max(0, min(last, b) - max(first, a)) for a, b in zip(edges, edges[1:], strict=False)]
    return max(range(len(shared)), key=lambda k: (shared[k], -k))


def _name(knobs: Knobs) -> str:
    method, n = knobs
    return method if len(METHODS[method][1]) == 1 else f"{method}-{n}"


def _pick(table: dict[Knobs, np.ndarray], keep: np.ndarray) -> Knobs:
    """The method and term count with the best mean F1 on the kept meetings (ties: the first listed)."""
    order = list(table)
    return max(order, key=lambda k: (float(table[k][keep].mean()), -order.index(k)))


def _leave_one_out(table: dict[Knobs, np.ndarray], meetings: int) -> tuple[list[float], list[Knobs]]:
    """Each meeting's F1 under the knobs chosen on the other meetings, and those knobs."""
    return choose_left_out(table, meetings, _pick)


def evaluate_titles(meetings: Sequence[Meeting], progress: Progress | None = None,
                    samples: list[dict[str, str]] | None = None) -> dict[str, object]:
    """Character-bigram F1 of each segment's title with the human headline of the gold segment it
    overlaps most (segments as the segmenter finds them; mean per meeting, then over meetings), per
    title method and term count; the method and count chosen leaving each meeting out; main's keyword
    titles and the drafts' method beside. `samples`, when given, receives every title beside its headline."""
    grid: dict[Knobs, list[float]] = {(m, n): [] for m, (_, counts) in METHODS.items() for n in counts}
    short: dict[Knobs, int] = dict.fromkeys(grid, 0)
    for meeting in meetings:
        edges = [0, *segment_texts(meeting.utterances, meeting.speakers), len(meeting.utterances)]
        spans = list(zip(edges, edges[1:], strict=False))
        stretches = [meeting.utterances[a:b] for a, b in spans]
        gold = [meeting.headlines[_overlap_gold(meeting, a, b)] for a, b in spans]
        for (method, n), scores in grid.items():
            titles = METHODS[method][0](stretches, "zh", n)
            short[method, n] += sum(len(title) < 3 for title in titles)
            scores.append(float(np.mean([bigram_f1(t, h) for t, h in zip(titles, gold, strict=True)])))
            if samples is not None and (method, n) in ((DEFAULT, 1), BASELINE):
                samples += [{"meeting": meeting.id, "method": _name((method, n)), "title": t, "headline": h}
                            for t, h in zip(titles, gold, strict=True)]
        if progress:
            progress(f"meeting {meeting.id}: {len(spans)} segments, keyword F1 {grid[BASELINE][-1]:.3f}, "
                     f"{DEFAULT} F1 {grid[DEFAULT, 1][-1]:.3f}")
    table = {knobs: np.array(v) for knobs, v in grid.items()}
    held_out, picks = _leave_one_out(table, len(meetings))
    per_method = {m: _leave_one_out({k: v for k, v in table.items() if k[0] == m}, len(meetings))[0] for m in METHODS}
    best = _pick(table, np.ones(len(meetings), dtype=bool)) if meetings else BASELINE

    def mean(knobs: Knobs) -> float:
        return round(float(table[knobs].mean()), 4) if meetings else 0.0

    return {
        "meetings": len(meetings),
        "title_f1_loo": round(float(np.mean(held_out)), 4) if held_out else None,
        "title_f1_loo_by_method": {m: round(float(np.mean(v)), 4) for m, v in per_method.items() if v},
        "chosen_on_all": {"method": best[0], "terms": best[1], "name": _name(best)},
        "chosen_loo": {_name(k): picks.count(k) for k in dict.fromkeys(picks)},
        "distinct_choices_loo": len(set(picks)),
        "default_method": DEFAULT,
        "default_title_f1": mean((DEFAULT, 1)),
        "baseline_keyword_title_f1": mean(BASELINE),
        "title_f1": {_name(k): mean(k) for k in table},
        "short_titles": {_name(k): c for k, c in short.items()},
    }
