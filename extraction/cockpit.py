"""The admin's first dashboard: what the programme reaches, from the SQL store alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, select

from extraction.publishing import STATUSES
from shifu.context import Context
from shifu.tables import (
    CourseRow,
    KnowledgeGapRow,
    QuizAttemptRow,
    RatingRow,
    TranscriptRow,
    UserRow,
)


@dataclass(frozen=True)
class Dashboard:
    """Headline numbers plus per-course rows for the plots."""

    trainers: int
    workers: int
    transcripts: int
    courses_by_status: dict[str, int]
    workers_reached: int  # workers who took a quiz or rated a course
    quiz_attempts: int
    pass_rate: float | None  # 0..1, None before any attempt
    average_rating: float | None
    ratings: int
    open_gaps: int
    per_course: list[dict] = field(default_factory=list)  # title, status, attempts, pass_rate, rating


def _count(s, stmt) -> int:
    return int(s.scalar(stmt) or 0)


def dashboard(ctx: Context) -> Dashboard:
    """Compute every number of the dashboard in one pass over the store."""
    with ctx.unit_of_work() as s:
        roles = dict(s.execute(select(UserRow.role, func.count()).group_by(UserRow.role)).all())
        by_status = {st: 0 for st in STATUSES}
        by_status.update(dict(s.execute(select(CourseRow.status, func.count())
                                        .group_by(CourseRow.status)).all()))
        reached = set(s.scalars(select(QuizAttemptRow.username).distinct()))
        reached |= set(s.scalars(select(RatingRow.username).distinct()))
        attempts = _count(s, select(func.count()).select_from(QuizAttemptRow))
        passed = _count(s, select(func.count()).select_from(QuizAttemptRow)
                        .where(QuizAttemptRow.passed.is_(True)))
        avg = s.scalar(select(func.avg(RatingRow.stars)))
        n_ratings = _count(s, select(func.count()).select_from(RatingRow))
        gaps = _count(s, select(func.count()).select_from(KnowledgeGapRow)
                      .where(KnowledgeGapRow.status == "open"))
        transcripts = _count(s, select(func.count()).select_from(TranscriptRow))
        per_course = _per_course(s)
    return Dashboard(
        trainers=int(roles.get("trainer", 0)), workers=int(roles.get("worker", 0)),
        transcripts=transcripts, courses_by_status=by_status, workers_reached=len(reached),
        quiz_attempts=attempts, pass_rate=(passed / attempts) if attempts else None,
        average_rating=float(avg) if avg is not None else None, ratings=n_ratings,
        open_gaps=gaps, per_course=per_course,
    )


def _per_course(s) -> list[dict]:
    att = {cid: (n, p) for cid, n, p in s.execute(
        select(QuizAttemptRow.course_id, func.count(),
               func.sum(cast(QuizAttemptRow.passed, Integer)))
        .group_by(QuizAttemptRow.course_id)).all()}
    rat = dict(s.execute(select(RatingRow.course_id, func.avg(RatingRow.stars))
                         .group_by(RatingRow.course_id)).all())
    rows = []
    for course in s.scalars(select(CourseRow).order_by(CourseRow.created_at)):
        n, p = att.get(course.id, (0, 0))
        rows.append({"course": course.title, "status": course.status, "attempts": int(n),
                     "pass_rate": (int(p or 0) / n) if n else 0.0,
                     "rating": float(rat[course.id]) if course.id in rat else 0.0})
    return rows



def drafts_by_template(ctx: Context, name: str) -> dict[str, list[str]]:
    """For one prompt template: version -> the course versions it produced ('title v3')."""
    from shifu.tables import CourseVersionRow

    out: dict[str, list[str]] = {}
    with ctx.unit_of_work() as s:
        rows = s.execute(select(CourseRow.title, CourseVersionRow.number, CourseVersionRow.template_versions)
                         .join(CourseVersionRow, CourseVersionRow.course_id == CourseRow.id)
                         .order_by(CourseVersionRow.id)).all()
    for title, number, used in rows:
        version = (used or {}).get(name) if isinstance(used, dict) else None
        if version:
            out.setdefault(str(version), []).append(f"{title} v{number}")
    return out
