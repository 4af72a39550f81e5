"""Lesson titles against VCSum's human headlines: each title method of extraction/titles.py on the
segments the segmenter finds, the method chosen leaving one meeting out, main's keyword titles beside."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from extraction.evaluate import Meeting, Progress
from extraction.evaluate_knowhow import bigram_f1
from extraction.segment import segment_texts
from extraction.titles import METHODS, TERM_COUNTS


def _overlap_gold(meeting: Meeting, first: int, last: int) -> int:
    """Index of the gold segment that shares most utterances with [first, last)."""
    edges = [0, *meeting.boundaries, len(meeting.utterances)]
    shared = [max(0, min(last, b) - max(first, a)) for a, b in zip(edges, edges[1:], strict=False)]
    return max(range(len(shared)), key=lambda k: (shared[k], -k))


def evaluate_titles(meetings: Sequence[Meeting], progress: Progress | None = None) -> dict[str, object]:
    """Character-bigram F1 of each segment's title with the human headline of the gold segment it
    overlaps most (segments as the segmenter finds them), per title method and term count; the
    method and count chosen leaving each meeting out; main's keyword titles beside them."""
    grid: dict[tuple[str, int], list[float]] = {(m, n): [] for m in METHODS for n in TERM_COUNTS}
    fragments: dict[tuple[str, int], int] = dict.fromkeys(grid, 0)
    for meeting in meetings:
        edges = [0, *segment_texts(meeting.utterances, meeting.speakers), len(meeting.utterances)]
        spans = list(zip(edges, edges[1:], strict=False))
        stretches = [meeting.utterances[a:b] for a, b in spans]
        gold = [meeting.headlines[_overlap_gold(meeting, a, b)] for a, b in spans]
        for (method, n), scores in grid.items():
            titles = METHODS[method](stretches, "zh", n)
            fragments[method, n] += sum(len(title) < 3 for title in titles)
            scores.append(float(np.mean([bigram_f1(t, h) for t, h in zip(titles, gold, strict=True)])))
        if progress:
            progress(f"meeting {meeting.id}: {len(spans)} segments, keyword F1 {grid['keyword', 2][-1]:.3f}, "
                     f"distinctive F1 {grid['distinctive', 2][-1]:.3f}, question F1 {grid['question', 2][-1]:.3f}")
    table = {knobs: np.array(v) for knobs, v in grid.items()}
    held_out, picks = [], []
    for i in range(len(meetings) if len(meetings) >= 2 else 0):  # one meeting leaves nothing to choose on
        keep = np.ones(len(meetings), dtype=bool)
        keep[i] = False
        knobs = min(table, key=lambda k: (-float(table[k][keep].mean()), k))
        picks.append(knobs)
        held_out.append(float(table[knobs][i]))
    best = min(table, key=lambda k: (-float(table[k].mean()), k)) if meetings else ("keyword", 2)
    return {
        "meetings": len(meetings),
        "title_f1_loo": round(float(np.mean(held_out)), 4) if held_out else None,
        "chosen_on_all": {"method": best[0], "terms": best[1]},
        "distinct_choices_loo": len(set(picks)),
        "baseline_keyword_title_f1": round(float(table["keyword", 2].mean()), 4) if meetings else 0.0,
        "title_f1": {f"{m}-{n}": round(float(v.mean()), 4) for (m, n), v in table.items()} if meetings else {},
        "short_titles": {f"{m}-{n}": c for (m, n), c in fragments.items()},
    }
