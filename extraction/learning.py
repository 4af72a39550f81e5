"""What workers do with published courses: browse the catalogue, take quizzes, rate, give feedback.

Everything here reads only the *published* version of a course: a worker never sees a
draft, whatever the caller asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from extraction.course import CourseDraft, QuizItem
from extraction.growth.record import record_answers
from rag.published import published_versions
from shifu.context import Context
from shifu.errors import NotFoundError, ShifuError
from shifu.tables import (
    AnswerFeedbackRow,
    CourseRow,
    QuizAttemptRow,
    RatingRow,
    TranscriptRow,
    utcnow,
)

PASS_RATIO = 0.6  # a quiz is passed at 60% or more


@dataclass(frozen=True)
class CatalogueEntry:
    """A published course as the catalogue lists it."""

    course_id: str
    title: str
    trade: str | None
    enterprise: str | None
    version: int
    lessons: int
    quiz_items: int
    experts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ItemResult:
    """How one quiz answer was marked, with the explanation a worker learns from."""

    item_id: str
    stem: str
    given: list[str]
    correct: list[str]
    right: bool
    explanation: str


@dataclass(frozen=True)
class QuizResult:
    """A stored quiz attempt."""

    course_id: str
    version: int
    score: int
    total: int
    passed: bool
    items: list[ItemResult]

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total) if self.total else 0


def _published_rows(s, course_id: str | None = None):
    """(course, version) rows of published courses; the only way this module reads courses."""
    q = published_versions().order_by(CourseRow.title)
    if course_id is not None:
        q = q.where(CourseRow.id == course_id)
    return s.execute(q).all()


def _from_sources(s, ids: list[str]) -> tuple[str | None, str | None]:
    """Trade and enterprise of a course's interviews, for courses that do not set their own."""
    rows = s.execute(select(TranscriptRow.trade, TranscriptRow.enterprise)
                     .where(TranscriptRow.id.in_(ids or []))).all()
    trade = next((r.trade for r in rows if r.trade), None)
    enterprise = next((r.enterprise for r in rows if r.enterprise), None)
    return trade, enterprise


def catalogue(ctx: Context, trade: str | None = None,
              enterprise: str | None = None) -> list[CatalogueEntry]:
    """Published courses, optionally of one trade and/or enterprise."""
    out = []
    with ctx.unit_of_work() as s:
        for course, version in _published_rows(s):
            src_trade, src_enterprise = _from_sources(s, list(version.transcript_ids or []))
            course_trade, course_enterprise = course.trade or src_trade, course.enterprise or src_enterprise
            if trade and (course_trade or "") != trade:
                continue
            if enterprise and (course_enterprise or "") != enterprise:
                continue
            draft = CourseDraft.model_validate(version.data)
            out.append(CatalogueEntry(
                course_id=course.id, title=draft.title or course.title, trade=course_trade,
                enterprise=course_enterprise, version=version.number,
                lessons=sum(len(m.lessons) for m in draft.modules), quiz_items=len(draft.quiz),
                experts=sorted({src.expert for src in draft.sources if src.expert}),
            ))
    return out


def published_course(ctx: Context, course_id: str) -> tuple[int, CourseDraft]:
    """(version, course) of the published version; NotFoundError for drafts and unknown ids."""
    with ctx.unit_of_work() as s:
        rows = _published_rows(s, course_id)
        if not rows:
            raise NotFoundError(f"course {course_id!r} is not published; pick one from the catalogue")
        _course, version = rows[0]
        return version.number, CourseDraft.model_validate(version.data)


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", str(text)).lower()


def _given_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def mark_item(item: QuizItem, given: list[str]) -> bool:
    """True when the answer is right: the same set of options, or a short answer naming the key."""
    if item.type == "short_answer":
        response = _norm(" ".join(given))
        keys = [_norm(a) for a in item.answer if _norm(a)]
        return bool(response) and any(k == response or (len(k) >= 2 and k in response) for k in keys)
    if item.type == "true_false":
        return {_norm(g) for g in given} == {_norm(a) for a in item.answer}
    return {g.strip() for g in given} == {a.strip() for a in item.answer}


def submit_quiz(ctx: Context, username: str, course_id: str,
                answers: dict[str, object]) -> QuizResult:
    """Mark a worker's answers to a published course's quiz and store the attempt."""
    version, draft = published_course(ctx, course_id)
    if not draft.quiz:
        raise ShifuError(f"course {draft.title!r} has no quiz yet; ask its trainer to add one")
    if not any(_given_list(answers.get(item.id)) for item in draft.quiz):
        raise ShifuError("no question is answered; answer at least one before you submit (an empty quiz is not counted)")
    items = []
    for item in draft.quiz:
        given = _given_list(answers.get(item.id))
        items.append(ItemResult(item.id, item.stem, given, list(item.answer), mark_item(item, given),
                                item.explanation))
    score = sum(r.right for r in items)
    total = len(items)
    passed = score >= PASS_RATIO * total
    with ctx.unit_of_work() as s:
        row = QuizAttemptRow(username=username, course_id=course_id, version=version,
                             answers={r.item_id: r.given for r in items}, score=score, total=total,
                             passed=passed, created_at=utcnow())
        s.add(row)
        # unanswered items are skipped, not marked wrong: they say nothing about what the worker knows
        marks = {r.item_id: r.right for r in items if r.given}
        record_answers(s, username, course_id, draft, marks, passed, row.created_at)
    return QuizResult(course_id, version, score, total, passed, items)


def attempts_of(ctx: Context, username: str, course_id: str | None = None) -> list[dict]:
    """A worker's stored attempts, newest first."""
    with ctx.unit_of_work() as s:
        q = select(QuizAttemptRow).where(QuizAttemptRow.username == username)
        if course_id:
            q = q.where(QuizAttemptRow.course_id == course_id)
        rows = s.scalars(q.order_by(QuizAttemptRow.id.desc())).all()
        return [{"course_id": r.course_id, "version": r.version, "score": r.score, "total": r.total,
                 "passed": r.passed, "at": r.created_at} for r in rows]


def rate_course(ctx: Context, username: str, course_id: str, stars: int,
                comment: str | None = None) -> None:
    """Record a worker's 1-5 rating of a published course; a new rating replaces their old one."""
    stars = int(stars)
    if not 1 <= stars <= 5:
        raise ShifuError(f"a rating is 1 to 5 stars, not {stars}; pick a number of stars")
    published_course(ctx, course_id)  # refuses drafts and unknown ids
    with ctx.unit_of_work() as s:
        row = s.scalar(select(RatingRow).where(RatingRow.username == username,
                                               RatingRow.course_id == course_id))
        if row is None:
            s.add(RatingRow(username=username, course_id=course_id, stars=stars,
                            comment=(comment or "").strip() or None))
        else:
            row.stars, row.comment = stars, (comment or "").strip() or None


def record_feedback(ctx: Context, username: str, question: str, answer: str,
                    helpful: bool) -> None:
    """Thumbs up (helpful=True) or down on a chat answer."""
    if not (question or "").strip():
        raise ShifuError("there is no answer to rate yet; ask a question first")
    with ctx.unit_of_work() as s:
        s.add(AnswerFeedbackRow(username=username, question=question, answer=answer or "",
                                helpful=bool(helpful)))
