"""Quality numbers for drafting: topic segmentation on VCSum meetings (Pk, WindowDiff against
two baselines in the same run) and offline drafts of real transcripts (quotes, validity,
support, items per hour, seconds)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from extraction.segment import (
    PANEL,
    PANEL_THRESHOLDS,
    PANEL_WINDOWS,
    SegmentParams,
    gap_scores,
    pick_boundaries,
    segment_texts,
)
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


def _panel_params(window: int, threshold: float) -> SegmentParams:
    return replace(PANEL, window=window, threshold=threshold)


def _pk_grid(meetings: Sequence[Meeting], vectors: Sequence[np.ndarray | None]) -> dict[tuple[int, float], np.ndarray]:
    """Pk of every meeting under every (window, threshold) of the panel segmenter's grid."""
    grid: dict[tuple[int, float], np.ndarray] = {}
    for window in PANEL_WINDOWS:
        scores = [gap_scores(m.utterances, m.speakers, v, _panel_params(window, 0.0))
                  for m, v in zip(meetings, vectors, strict=True)]
        for threshold in PANEL_THRESHOLDS:
            params = _panel_params(window, threshold)
            grid[window, threshold] = np.array([
                pk_windowdiff(len(m.utterances), m.boundaries, pick_boundaries(s, params), window_k(m))[0]
                for m, s in zip(meetings, scores, strict=True)])
    return grid


def _best(grid: dict[tuple[int, float], np.ndarray], keep: np.ndarray) -> tuple[int, float]:
    # lowest mean Pk over the kept meetings; ties go to the first in grid order (deterministic)
    return min(grid, key=lambda knobs: float(grid[knobs][keep].mean()))


def choose_left_out(table: dict, n: int, choose: Callable[[dict, np.ndarray], object]) -> tuple[list[float], list]:
    """For each of n meetings: the knobs `choose` picks from `table` (knobs -> score per meeting) on the
    other meetings, and that meeting's score under them. One meeting leaves nothing to choose on."""
    held_out, picks = [], []
    for i in range(n if n >= 2 else 0):
        keep = np.ones(n, dtype=bool)
        keep[i] = False
        knobs = choose(table, keep)
        picks.append(knobs)
        held_out.append(float(table[knobs][i]))
    return held_out, picks


def leave_one_out_pk(meetings: Sequence[Meeting], vectors: Sequence[np.ndarray | None]) -> dict[str, object]:
    """Choose (window, threshold) on all meetings but one, score the one left out; repeat for each.

    Returns the mean held-out Pk, the in-sample Pk of the choice made on all meetings, and the choices."""
    grid = _pk_grid(meetings, vectors)
    n = len(meetings)
    held_out, picks = choose_left_out(grid, n, _best)
    everyone = _best(grid, np.ones(n, dtype=bool))
    return {
        "pk_loo": round(float(np.mean(held_out)), 4) if held_out else None,
        "pk_in_sample": round(float(grid[everyone].mean()), 4) if n else 0.0,
        "chosen_on_all": {"window": everyone[0], "threshold": everyone[1]},
        "distinct_choices_loo": len(set(picks)),
    }


def evaluate_segmentation(meetings: Sequence[Meeting], embed: Embed | None = None,
                          progress: Progress | None = None) -> dict[str, object]:
    """Pk/WindowDiff of the segmenter and of two baselines (one segment; even split with the gold count),
    and its Pk when its two knobs are chosen leaving each meeting out."""
    rows: dict[str, list[tuple[float, float]]] = {"ours": [], "one": [], "even": []}
    found_counts = []
    vectors: list[np.ndarray | None] = []
    for m in meetings:
        n, k = len(m.utterances), window_k(m)
        vectors.append(embed(m.utterances) if embed is not None else None)
        found = segment_texts(m.utterances, m.speakers, vectors[-1])
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
        **leave_one_out_pk(meetings, vectors),
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


# --- drafting ----------------------------------------------------------------------


def meeting_transcript_json(meeting: Meeting) -> bytes:
    """A VCSum meeting as a transcript in the shifu JSON format: each utterance a turn.

    The first speaker chairs the panel (interviewer); everyone else speaks as an expert."""
    host = meeting.speakers[0] if meeting.speakers else ""
    turns = [{"speaker": f"发言人{sp}", "text": u, "role": "interviewer" if sp == host else "expert"}
             for sp, u in zip(meeting.speakers, meeting.utterances, strict=False) if u.strip()]
    title = meeting.headlines[0] if meeting.headlines else f"会议 {meeting.id}"
    return json.dumps({"title": title, "language": "zh", "turns": turns}, ensure_ascii=False).encode("utf-8")


def draft_metrics(result, minutes: float, seconds: float) -> dict[str, float | int]:
    """Quote, validity and support rates of one offline draft."""
    from extraction.validate import supported

    draft = result.draft
    points = [p for m in draft.modules for lesson in m.lessons for p in lesson.points]
    quiz = draft.quiz
    sources = result.sources

    def verbatim(citations) -> bool:
        return bool(citations) and all(
            c.transcript_id in sources and sources[c.transcript_id].text[c.start:c.end] == c.quote and c.quote
            for c in citations)

    stems = [q.stem for q in quiz]
    return {
        "minutes": round(minutes, 1),
        "seconds": round(seconds, 2),
        "modules": len(draft.modules),
        "points": len(points),
        "points_quoted": sum(verbatim(p.citations) for p in points),
        "quiz": len(quiz),
        "quiz_quoted": sum(verbatim(q.citations) for q in quiz),
        "quiz_valid": sum(not q.flags for q in quiz),
        "quiz_supported": sum(supported(q) for q in quiz),
        "duplicate_stems": len(stems) - len(set(stems)),
        "follow_ups": len(draft.follow_up_questions),
    }


def evaluate_drafting(named_files: Sequence[tuple[str, bytes]], settings, *, use_embeddings: bool = True,
                      progress: Progress | None = None) -> dict[str, float | int | None]:
    """Offline drafts of transcript files (name, bytes), in memory, and their quality numbers."""
    from extraction.offline_engine import build_offline_draft
    from extraction.quiz import interview_minutes
    from rag.chunk import chunk_transcript
    from rag.parse import parse_transcript

    embed = None
    if use_embeddings:
        from shifu.embeddings import get_embedder

        embed = get_embedder(settings).embed
    totals: dict[str, float] = {}
    per_file = []
    failed = []
    for name, data in named_files:
        start = time.perf_counter()
        try:
            t = parse_transcript(data, name)
            t.id = "t-" + (t.sha256[:12] or name)
            chunks = chunk_transcript(t, chunk_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
            result = build_offline_draft([t], {t.id: chunks}, embed=embed)
        except ShifuError as exc:
            failed.append(f"{name}: {exc}")
            if progress:
                progress(f"{name}: not drafted ({exc})")
            continue
        seconds = time.perf_counter() - start
        row = draft_metrics(result, interview_minutes(t), seconds)
        per_file.append(row)
        for key, value in row.items():
            totals[key] = totals.get(key, 0) + value
        if progress:
            progress(f"{name}: {row['minutes']} min, {row['modules']} modules, {row['points']} points, "
                     f"{row['quiz']} quiz items ({row['quiz_valid']} valid, {row['quiz_supported']} supported), "
                     f"{row['seconds']} s")

    def rate(a: str, b: str) -> float:
        return round(totals.get(a, 0) / totals[b], 4) if totals.get(b) else 0.0

    hours = totals.get("minutes", 0) / 60
    # per hour only over long interviews: a short one is all start-up cost (jieba, USE loading)
    long = [r for r in per_file if r["minutes"] >= 30]
    worst = max(long, key=lambda r: r["seconds"] / r["minutes"]) if long else None
    longest = max(per_file, key=lambda r: r["minutes"]) if per_file else None
    return {
        "transcripts": len(per_file),
        "failed": len(failed),
        "hours": round(hours, 2),
        "points": int(totals.get("points", 0)),
        "quiz_items": int(totals.get("quiz", 0)),
        "points_quoted_rate": rate("points_quoted", "points"),
        "quiz_quoted_rate": rate("quiz_quoted", "quiz"),
        "quiz_valid_rate": rate("quiz_valid", "quiz"),
        "quiz_supported_rate": rate("quiz_supported", "quiz"),
        "duplicate_stems": int(totals.get("duplicate_stems", 0)),
        "items_per_hour": round(totals.get("quiz", 0) / hours, 2) if hours else 0.0,
        "min_items_per_hour": round(min((r["quiz"] / (r["minutes"] / 60) for r in per_file if r["minutes"]),
                                        default=0.0), 2),
        "seconds_total": round(totals.get("seconds", 0), 2),
        "seconds_per_hour_worst": round(worst["seconds"] / (worst["minutes"] / 60), 2) if worst else None,
        "longest_minutes": longest["minutes"] if longest else 0.0,
        "longest_seconds": longest["seconds"] if longest else 0.0,
        "seconds_max": round(max((r["seconds"] for r in per_file), default=0.0), 2),
        "embeddings": use_embeddings,
    }
