"""Key takeaways: the 10-20 most important points of a course, ranked, each linked to its lesson.

A course opens with them (Markdown, Word). The draft stores only where each point's first citation
starts, so the point keeps one home (its lesson) and a takeaway follows it through review edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extraction.course import CourseDraft, KeyPoint, KnowledgeUnit, Module, Point

FEWEST, MOST = 10, 20
_KIND_FIRST = {"warning": 0, "rule": 1, "measurement": 1, "step": 1}  # a safety point leads its rank


def rank_key_points(modules: Sequence[Module], units: Sequence[KnowledgeUnit]) -> list[KeyPoint]:
    """The course's key points: about a quarter of its points (10 to 20), by teachability, warnings first
    among equals, never a story."""
    score = {(c.transcript_id, c.start): u.score for u in units for c in u.citations[:1]}
    points = [p for m in modules for lesson in m.lessons for p in lesson.points
              if p.citations and p.kind not in ("story", "disagreement")]
    n = min(len(points), max(FEWEST, min(MOST, round(len(points) / 4))))
    ranked = sorted(points, key=lambda p: (-round(score.get(_where(p), 0.0), 1), _KIND_FIRST.get(p.kind, 2),
                                           p.citations[0].start))
    return [KeyPoint(transcript_id=p.citations[0].transcript_id, start=p.citations[0].start) for p in ranked[:n]]


def _where(p: Point) -> tuple[str, int]:
    return p.citations[0].transcript_id, p.citations[0].start


@dataclass(frozen=True)
class Takeaway:
    """A key point as a reader meets it: the point, and the number and title of its lesson."""

    point: Point
    number: str  # "2.3": module 2, lesson 3
    lesson: str

    def where(self, language: str) -> str:
        """The lesson it is taught in, as a reader is pointed to it ("见第 2.3 课 飞边")."""
        return f"见第 {self.number} 课 {self.lesson}" if language == "zh" else f"lesson {self.number}, {self.lesson}"


def takeaways(draft: CourseDraft) -> list[Takeaway]:
    """The draft's key points in rank order, each found in its lesson (one removed in review is skipped)."""
    found: dict[tuple[str, int], Takeaway] = {}
    for m, module in enumerate(draft.modules, 1):
        for n, lesson in enumerate(module.lessons, 1):
            for p in lesson.points:
                if p.citations:
                    found.setdefault(_where(p), Takeaway(p, f"{m}.{n}", lesson.title))
    return [found[(k.transcript_id, k.start)] for k in draft.key_points if (k.transcript_id, k.start) in found]
