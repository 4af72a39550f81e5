"""The three profiles the programme judges itself by, and who may see which, enforced here on the server.

- 职工成长画像 (worker): a worker sees their own; a trainer sees the learners of their courses in
  their own enterprise; an admin sees everyone.
- 内训师能力画像 (trainer): the trainer and admins.
- 企业培训画像 (enterprise): admins, and the trainers of that enterprise.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from extraction.growth.standing import skill_states, standing_in
from shifu.auth import User
from shifu.context import Context
from shifu.errors import NotFoundError, ShifuError
from shifu.tables import (
    CourseMonthRow,
    CourseRow,
    KnowledgeGapRow,
    QuizAttemptRow,
    RatingRow,
    SkillRow,
    TranscriptRow,
    UserRow,
    WorkerStatRow,
)

GOOD = 4  # a rating of 4 or 5 stars counts towards 好评率


class NotVisible(ShifuError):
    """The viewer may not see this profile."""


def _user(s: Session, username: str) -> UserRow:
    row = s.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise NotFoundError(f"there is no user {username!r}; check the name")
    return row


def learns_from(s: Session, worker: str, trainer: str) -> bool:
    """True when the worker took a quiz of a course the trainer made."""
    courses = select(CourseRow.id).where(CourseRow.created_by == trainer)
    return s.scalar(select(QuizAttemptRow.id).where(QuizAttemptRow.username == worker,
                                                     QuizAttemptRow.course_id.in_(courses)).limit(1)) is not None


def may_see_worker(s: Session, viewer: User, username: str) -> bool:
    if viewer.role == "admin" or viewer.username == username:
        return True
    if viewer.role != "trainer":
        return False
    target = _user(s, username)
    return bool(viewer.enterprise) and target.enterprise == viewer.enterprise and learns_from(s, username, viewer.username)


def _refuse(zh: str, en: str) -> NotVisible:
    return NotVisible(en, zh=zh)


def worker_profile(ctx: Context, viewer: User, username: str) -> dict:
    """职工成长画像: mastery per skill, tier, history, strengths and weak points."""
    with ctx.unit_of_work() as s:
        if not may_see_worker(s, viewer, username):
            raise _refuse("无权查看该职工的画像（只能看自己，或本企业学习你课程的学员）",
                          "not allowed to see this worker's profile (your own, or learners of your courses in your enterprise)")
        user = _user(s, username)
        states = skill_states(s, username)
        standings = [standing_in(s, username, tr, states) for tr in sorted({st.trade for st in states})]
        stats = s.get(WorkerStatRow, username)
        proficient = [st.skill for st in states if st.estimate.proficient]
        weak = [st.skill for st in sorted(states, key=lambda st: st.estimate.p_known)
                if st.estimate.enough and not st.estimate.proficient]
        return {"username": username, "enterprise": user.enterprise or "",
                "skills": [{"skill": st.skill, "trade": st.trade, "p_known": round(st.estimate.p_known, 3),
                            "band": round(st.estimate.band, 3), "attempts": st.estimate.attempts,
                            "label": st.estimate.label()} for st in states],
                "tiers": [{"trade": st.trade, "tier": st.tier,
                           "explain": {"zh": st.explain("zh"), "en": st.explain("en")}} for st in standings],
                "attempts": stats.attempts if stats else 0, "passed": stats.passed if stats else 0,
                "last_at": stats.last_at.strftime("%Y-%m-%d") if stats and stats.last_at else "",
                "strengths": proficient[:5], "weak_points": weak[:5]}


def trainer_profile(ctx: Context, viewer: User, trainer: str) -> dict:
    """内训师能力画像: courses, workers reached, 好评率, pass rate, gaps answered, activity by month."""
    with ctx.unit_of_work() as s:
        row = _user(s, trainer)
        if not (viewer.role == "admin" or viewer.username == trainer):
            raise _refuse("只有本人和管理员能看内训师画像", "only the trainer and admins see a trainer's profile")
        courses = s.execute(select(CourseRow.id, CourseRow.status).where(CourseRow.created_by == trainer)).all()
        ids = [c for c, _ in courses]
        reached = s.scalar(select(func.count(func.distinct(QuizAttemptRow.username)))
                           .where(QuizAttemptRow.course_id.in_(ids))) or 0
        n_ratings, good = s.execute(select(func.count(), func.sum(case((RatingRow.stars >= GOOD, 1), else_=0)))
                                    .where(RatingRow.course_id.in_(ids))).one()
        A = CourseMonthRow  # noqa: N806
        attempts, passed = s.execute(select(func.sum(A.attempts), func.sum(A.passed)).where(A.course_id.in_(ids))).one()
        months = s.execute(select(A.month, func.sum(A.attempts)).where(A.course_id.in_(ids))
                           .group_by(A.month).order_by(A.month)).all()
        last_interview = s.scalar(select(func.max(TranscriptRow.created_at)).where(TranscriptRow.uploaded_by == trainer))
        answered = 0 if last_interview is None else s.scalar(
            select(func.count()).select_from(KnowledgeGapRow).where(
                KnowledgeGapRow.status == "closed", KnowledgeGapRow.created_at <= last_interview)) or 0
        learners = list(s.scalars(
            select(QuizAttemptRow.username).distinct().join(UserRow, UserRow.username == QuizAttemptRow.username)
            .where(QuizAttemptRow.course_id.in_(ids), UserRow.enterprise == row.enterprise)
            .order_by(QuizAttemptRow.username).limit(50))) if row.enterprise else []
        return {"trainer": trainer, "enterprise": row.enterprise or "", "courses": len(ids),
                "published": sum(st == "published" for _, st in courses), "workers_reached": int(reached),
                "ratings": int(n_ratings or 0),
                "good_rating_share": round(int(good or 0) / n_ratings, 3) if n_ratings else None,
                "pass_rate": round(int(passed or 0) / attempts, 3) if attempts else None,
                "gaps_answered": int(answered),
                "activity": [{"month": m, "attempts": int(n)} for m, n in months],
                "learners": learners}  # learners in the trainer's enterprise, whose profiles the trainer may open


def may_see_enterprise(viewer: User, enterprise: str) -> bool:
    return viewer.role == "admin" or (viewer.role == "trainer" and viewer.enterprise == enterprise)


def enterprise_profile(ctx: Context, viewer: User, enterprise: str) -> dict:
    """企业培训画像: people, courses, trade coverage, engagement, pass rate, tier distribution."""
    if not may_see_enterprise(viewer, enterprise):
        raise _refuse("只有管理员和本企业的内训师能看企业画像", "only admins and the enterprise's trainers see its profile")
    with ctx.unit_of_work() as s:
        roles = dict(s.execute(select(UserRow.role, func.count()).where(UserRow.enterprise == enterprise)
                               .group_by(UserRow.role)).all())
        courses = s.execute(select(CourseRow.id, CourseRow.trade).where(CourseRow.enterprise == enterprise)).all()
        trades = sorted({t for _, t in courses if t})
        active, attempts, passed, last = s.execute(
            select(func.count(), func.sum(WorkerStatRow.attempts), func.sum(WorkerStatRow.passed),
                   func.max(WorkerStatRow.last_at)).where(WorkerStatRow.enterprise == enterprise)).one()
        tiers = dict(s.execute(select(WorkerStatRow.tier, func.count()).where(WorkerStatRow.enterprise == enterprise)
                               .group_by(WorkerStatRow.tier)).all())
        skills_per_trade = dict(s.execute(select(SkillRow.trade, func.count()).where(SkillRow.trade.in_(trades))
                                          .group_by(SkillRow.trade)).all())
        workers = int(roles.get("worker", 0))
        return {"enterprise": enterprise, "workers": workers, "trainers": int(roles.get("trainer", 0)),
                "courses": len(courses), "trades": trades,
                "coverage": {t: int(skills_per_trade.get(t, 0)) for t in trades},  # skills taught per trade
                "engaged_workers": int(active or 0),
                "engagement": round(int(active or 0) / workers, 3) if workers else None,
                "pass_rate": round(int(passed or 0) / attempts, 3) if attempts else None,
                "tier_distribution": {(k or "—"): int(v) for k, v in tiers.items()}}
