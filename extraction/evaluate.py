"""Quality numbers for drafting: topic segmentation on VCSum meetings (Pk, WindowDiff against
two baselines in the same run) and offline drafts of real transcripts (quotes, validity,
support, items per hour, seconds)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from extraction.segment import segment_texts
from shifu.errors import ShifuError

Embed = Callable[[list[str]], np.ndarray]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Meeting:
    """A VCSum meeting flattened: utterances, their speakers, gold boundaries (first utterance of segments 2..n)."""

    id: str
    utterances: list[str]
    speakers: list[str]
    boundaries: list[int]
    headlines: list[str]

    @property
    def n_segments(self) -> int:
        return len(self.boundaries) + 1


def load_meetings(path: str | Path) -> list[Meeting]:
    """Meetings of a VCSum-format JSONL file (one meeting per line with `segments`)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ShifuError(f"cannot read {path} ({exc.strerror or exc}); give a VCSum meetings.jsonl file") from None
    meetings = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            utterances: list[str] = []
            speakers: list[str] = []
            boundaries: list[int] = []
            for seg in raw["segments"]:
                if utterances:
                    boundaries.append(len(utterances))
                utterances.extend(str(u) for u in seg["utterances"])
                speakers.extend(str(s) for s in seg.get("speakers") or [""] * len(seg["utterances"]))
            meetings.append(Meeting(str(raw.get("meeting_id", number)), utterances, speakers, boundaries,
                                    [str(s.get("headline", "")) for s in raw["segments"]]))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ShifuError(f"{path} line {number} is not a VCSum meeting ({exc}); each line needs "
                             "'segments' with 'utterances' and 'speakers'") from None
    return meetings


def _labels(n: int, boundaries: Sequence[int]) -> np.ndarray:
    marks = np.zeros(n, dtype=int)
    for b in boundaries:
        if 0 < b < n:
            marks[b] = 1
    return np.cumsum(marks)


def pk_windowdiff(n: int, gold: Sequence[int], found: Sequence[int], k: int) -> tuple[float, float]:
    """Pk and WindowDiff of `found` boundaries against `gold` over n units with window k (lower is better)."""
    if n <= k:
        return 0.0, 0.0
    g, h = _labels(n, gold), _labels(n, found)
    same_g = g[:-k] == g[k:]
    same_h = h[:-k] == h[k:]
    pk = float(np.mean(same_g != same_h))
    wd = float(np.mean((g[k:] - g[:-k]) != (h[k:] - h[:-k])))
    return pk, wd


def window_k(meeting: Meeting) -> int:
    """Half the mean gold segment length, in utterances (at least 2)."""
    return max(2, int(round(len(meeting.utterances) / meeting.n_segments / 2)))


def evaluate_segmentation(meetings: Sequence[Meeting], embed: Embed | None = None,
                          progress: Progress | None = None) -> dict[str, float | int]:
    """Pk/WindowDiff of the segmenter and of two baselines (one segment; even split with the gold count)."""
    rows: dict[str, list[tuple[float, float]]] = {"ours": [], "one": [], "even": []}
    found_counts = []
    for m in meetings:
        n, k = len(m.utterances), window_k(m)
        vectors = embed(m.utterances) if embed is not None else None
        found = segment_texts(m.utterances, m.speakers, vectors)
        found_counts.append(len(found) + 1)
        even = [round(n * j / m.n_segments) for j in range(1, m.n_segments)]
        rows["ours"].append(pk_windowdiff(n, m.boundaries, found, k))
        rows["one"].append(pk_windowdiff(n, m.boundaries, [], k))
        rows["even"].append(pk_windowdiff(n, m.boundaries, even, k))
        if progress:
            progress(f"meeting {m.id}: {n} utterances, gold {m.n_segments} segments, found {len(found) + 1}, "
                     f"Pk {rows['ours'][-1][0]:.3f}")

    def mean(name: str, i: int) -> float:
        return round(float(np.mean([r[i] for r in rows[name]])), 4) if rows[name] else 0.0

    return {
        "meetings": len(meetings),
        "pk": mean("ours", 0),
        "windowdiff": mean("ours", 1),
        "baseline_one_segment_pk": mean("one", 0),
        "baseline_one_segment_windowdiff": mean("one", 1),
        "baseline_even_split_pk": mean("even", 0),
        "baseline_even_split_windowdiff": mean("even", 1),
        "segments_found_mean": round(float(np.mean(found_counts)), 2) if found_counts else 0.0,
        "segments_gold_mean": round(float(np.mean([m.n_segments for m in meetings])), 2) if meetings else 0.0,
        "embeddings": embed is not None,
    }


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """Run fn and return (its result, seconds)."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start
