"""Spaced review with FSRS: every quiz item a worker answered becomes a card; 今日复习 lists those due.

A right answer counts as Good, a wrong one as Again (the worker never has to grade themself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler
from sqlalchemy import select
from sqlalchemy.orm import Session

from shifu.tables import ReviewCardRow

# No fuzz: the same answers give the same schedule, in tests and in support calls alike. No learning
# steps of minutes: a worker reviews on later days, not again within the quiz they just took.
_SCHEDULER = Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


def review(s: Session, username: str, course_id: str, item_id: str, right: bool, at: datetime) -> ReviewCardRow:
    """Record one answer on the card of (worker, item), creating the card on the first answer."""
    row = s.scalar(select(ReviewCardRow).where(ReviewCardRow.username == username, ReviewCardRow.course_id == course_id,
                                               ReviewCardRow.item_id == item_id))
    card = Card.from_dict(row.card) if row is not None else Card(due=_aware(at))
    card, _log = _SCHEDULER.review_card(card, Rating.Good if right else Rating.Again, review_datetime=_aware(at))
    if row is None:
        row = ReviewCardRow(username=username, course_id=course_id, item_id=item_id, reps=0)
        s.add(row)
    row.card, row.due, row.reps = card.to_dict(), _naive(card.due), (row.reps or 0) + 1
    return row


@dataclass(frozen=True)
class DueReview:
    course_id: str
    item_id: str
    due: datetime
    reps: int


def due(s: Session, username: str, now: datetime, limit: int = 20) -> list[DueReview]:
    """The worker's cards due by `now`, most overdue first (today's review queue)."""
    rows = s.execute(select(ReviewCardRow.course_id, ReviewCardRow.item_id, ReviewCardRow.due, ReviewCardRow.reps)
                     .where(ReviewCardRow.username == username, ReviewCardRow.due <= _naive(_aware(now)))
                     .order_by(ReviewCardRow.due).limit(limit)).all()
    return [DueReview(*r) for r in rows]
