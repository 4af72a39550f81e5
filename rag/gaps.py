"""Knowledge gaps: questions the material did not cover, kept for the trainer.

A trainer turns open gaps into questions for the next interview ("planned") and closes
them once the material answers them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select

from shifu.context import Context
from shifu.errors import NotFoundError, ShifuError
from shifu.tables import KnowledgeGapRow

__all__ = ["GAP_STATUSES", "KnowledgeGap", "list_gaps", "record_gap", "set_gap_status"]

GapStatus = Literal["open", "planned", "closed"]
GAP_STATUSES: tuple[str, ...] = ("open", "planned", "closed")


class KnowledgeGap(BaseModel):
    """One question the material could not answer, as the trainer's backlog shows it."""

    id: int
    question: str
    asked_by: str | None = None
    scope: str = "all"
    best_score: float | None = None
    status: str = "open"
    created_at: datetime | None = None
    subject: str = ""  # what the question is about ("叉车 电瓶"), so the trainer can group gaps


def _gap(row: KnowledgeGapRow) -> KnowledgeGap:
    from rag.answerability import question_subject

    return KnowledgeGap(
        id=row.id, question=row.question, asked_by=row.asked_by, scope=row.scope,
        best_score=row.best_score, status=row.status, created_at=row.created_at,
        subject=question_subject(row.question),
    )


def _same_question(text: str) -> str:
    """Compare questions without case, spaces or trailing punctuation."""
    return "".join(text.lower().split()).rstrip("?？!！。.")


def record_gap(ctx: Context, question: str, *, asked_by: str | None = None, scope: str = "all",
               best_score: float | None = None) -> KnowledgeGap:
    """Record an unanswered question; asking an open one again returns the existing row."""
    question = question.strip()
    key = _same_question(question)
    with ctx.unit_of_work() as s:
        # The backlog is read by a person: one row per open question, not one per asking.
        for row in s.scalars(select(KnowledgeGapRow).where(KnowledgeGapRow.status == "open",
                                                           KnowledgeGapRow.scope == scope)):
            if _same_question(row.question) == key:
                if best_score is not None and (row.best_score is None or best_score > row.best_score):
                    row.best_score = best_score
                s.flush()
                return _gap(row)
        row = KnowledgeGapRow(question=question, asked_by=asked_by, scope=scope, best_score=best_score,
                              status="open")
        s.add(row)
        s.flush()
        return _gap(row)


def list_gaps(ctx: Context, *, status: str | None = None) -> list[KnowledgeGap]:
    """The gaps, newest first; `status` keeps only open, planned or closed ones."""
    if status is not None:
        _check_status(status)
    with ctx.unit_of_work() as s:
        query = select(KnowledgeGapRow).order_by(KnowledgeGapRow.created_at.desc(), KnowledgeGapRow.id.desc())
        if status is not None:
            query = query.where(KnowledgeGapRow.status == status)
        return [_gap(r) for r in s.scalars(query)]


def set_gap_status(ctx: Context, gap_id: int, status: str) -> KnowledgeGap:
    """Mark a gap open, planned (an interview question is planned) or closed."""
    _check_status(status)
    with ctx.unit_of_work() as s:
        row = s.get(KnowledgeGapRow, gap_id)
        if row is None:
            raise NotFoundError(f"there is no knowledge gap with id {gap_id}; run `shifu gaps ls` to see the ids")
        row.status = status
        s.flush()
        return _gap(row)


def _check_status(status: str) -> None:
    if status not in GAP_STATUSES:
        raise ShifuError(f"gap status {status!r} is not one of {', '.join(GAP_STATUSES)}; use one of those")
