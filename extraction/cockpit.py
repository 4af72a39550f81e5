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
    per_course: list[dict] = field(default_factory=list)  # title, status, attempts, pass_rate, rating, ratings


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
    """Attempts and passes from the monthly totals (never the millions of attempts), ratings per course."""
    from shifu.tables import CourseMonthRow

    att = {cid: (n, p) for cid, n, p in s.execute(
        select(CourseMonthRow.course_id, func.sum(CourseMonthRow.attempts), func.sum(CourseMonthRow.passed))
        .group_by(CourseMonthRow.course_id)).all()}
    rated = {cid: (avg, n) for cid, avg, n in s.execute(
        select(RatingRow.course_id, func.avg(RatingRow.stars), func.count()).group_by(RatingRow.course_id)).all()}
    rows = []
    for course in s.scalars(select(CourseRow).order_by(CourseRow.created_at)):
        n, p = att.get(course.id, (0, 0))
        avg, ratings = rated.get(course.id, (None, 0))
        rows.append({"course": course.title, "status": course.status, "attempts": int(n or 0),
                     "pass_rate": (int(p or 0) / n) if n else 0.0,
                     "rating": float(avg) if avg is not None else 0.0, "ratings": int(ratings)})
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


# --- the cockpit (驾驶舱) at the programme's scale (issue 13) ---------------------------
# Every view reads pre-aggregated totals kept up to date on each quiz submission, never the 2M
# attempts: worker_stats (one row per worker), enterprise_months (month x enterprise x trade, a few
# thousand rows), course_months (month x course) and activity_months (month x enterprise x course). The period is kept to the month.

AT_RISK_DAYS = 30  # inactive this long, or
AT_RISK_FAILS = 3  # this many failed quizzes in a row


@dataclass(frozen=True)
class CockpitFilter:
    enterprise: str | None = None
    trade: str | None = None
    since: str | None = None  # ISO date (or month), inclusive, counted by month
    until: str | None = None  # ISO date (or month), inclusive, counted by month


def _months(table, f: CockpitFilter, by_trade: bool):
    """The rows of a monthly totals table that pass the filter."""
    q = select(table)
    if f.enterprise:
        q = q.where(table.enterprise == f.enterprise)
    if f.since:
        q = q.where(table.month >= f.since[:7])
    if f.until:
        q = q.where(table.month <= f.until[:7])
    if f.trade:
        q = q.where(table.trade == f.trade if by_trade else
                    table.course_id.in_(select(CourseRow.id).where(CourseRow.trade == f.trade)))
    return q.subquery()


def _rate(n, p) -> float:
    return round(int(p or 0) / n, 3) if n else 0.0


def trends(ctx: Context, f: CockpitFilter) -> list[dict]:
    """Attempts and pass rate per month."""
    from shifu.tables import EnterpriseMonthRow

    with ctx.unit_of_work() as s:
        d = _months(EnterpriseMonthRow, f, by_trade=True)
        rows = s.execute(select(d.c.month, func.sum(d.c.attempts), func.sum(d.c.passed))
                         .group_by(d.c.month).order_by(d.c.month)).all()
    return [{"month": m, "attempts": int(n), "pass_rate": _rate(n, p)} for m, n, p in rows]


def by_course(ctx: Context, f: CockpitFilter) -> list[dict]:
    """Course comparison: attempts and pass rate per course, busiest first."""
    from shifu.tables import ActivityMonthRow, CourseMonthRow

    with ctx.unit_of_work() as s:
        d = _months(ActivityMonthRow if f.enterprise else CourseMonthRow, f, by_trade=False)
        rows = s.execute(select(d.c.course_id, func.sum(d.c.attempts), func.sum(d.c.passed))
                         .group_by(d.c.course_id)).all()
        titles = dict(s.execute(select(CourseRow.id, CourseRow.title)).all())
    out = [{"course": titles.get(c, c), "attempts": int(n), "pass_rate": _rate(n, p)} for c, n, p in rows]
    return sorted(out, key=lambda r: -r["attempts"])


def by_enterprise(ctx: Context, f: CockpitFilter) -> list[dict]:
    """Attempts and pass rate per enterprise, busiest first."""
    from shifu.tables import EnterpriseMonthRow

    with ctx.unit_of_work() as s:
        d = _months(EnterpriseMonthRow, f, by_trade=True)
        rows = s.execute(select(d.c.enterprise, func.sum(d.c.attempts), func.sum(d.c.passed))
                         .group_by(d.c.enterprise)).all()
    out = [{"enterprise": e or "—", "attempts": int(n), "pass_rate": _rate(n, p)} for e, n, p in rows]
    return sorted(out, key=lambda r: -r["attempts"])


def at_risk(ctx: Context, f: CockpitFilter, now=None, limit: int = 200) -> list[dict]:
    """Workers inactive for AT_RISK_DAYS days, or failing AT_RISK_FAILS quizzes in a row."""
    from datetime import timedelta

    from shifu.tables import WorkerStatRow, utcnow

    cutoff = (now or utcnow()) - timedelta(days=AT_RISK_DAYS)
    with ctx.unit_of_work() as s:
        q = select(WorkerStatRow).where((WorkerStatRow.last_at < cutoff) | (WorkerStatRow.fails_in_row >= AT_RISK_FAILS))
        if f.enterprise:
            q = q.where(WorkerStatRow.enterprise == f.enterprise)
        if f.trade:
            q = q.where(WorkerStatRow.trade == f.trade)
        rows = s.scalars(q.order_by(WorkerStatRow.fails_in_row.desc(), WorkerStatRow.last_at).limit(limit)).all()
        return [{"worker": r.username, "enterprise": r.enterprise or "", "trade": r.trade or "",
                 "last_active": r.last_at.strftime("%Y-%m-%d") if r.last_at else "",
                 "fails_in_row": r.fails_in_row,
                 "why": (f"连续 {r.fails_in_row} 次未通过" if r.fails_in_row >= AT_RISK_FAILS
                         else f"{AT_RISK_DAYS} 天以上没有学习")} for r in rows]


def gap_list(ctx: Context, limit: int = 200) -> list[dict]:
    """The open knowledge gaps with what to do about each (the dashboard counted them; this lists them)."""
    with ctx.unit_of_work() as s:
        rows = s.scalars(select(KnowledgeGapRow).where(KnowledgeGapRow.status != "closed")
                         .order_by(KnowledgeGapRow.created_at.desc()).limit(limit)).all()
        return [{"question": g.question, "asked_by": g.asked_by or "", "status": g.status,
                 "asked": g.created_at.strftime("%Y-%m-%d"),
                 "action": "下次访谈时请师傅讲一讲" if g.status == "open" else "已列入访谈计划"} for g in rows]


def overdue(ctx: Context, f: CockpitFilter, now=None, limit: int = 200) -> list[dict]:
    """Assignments past their due date and not done."""
    from shifu.tables import AssignmentRow, utcnow

    with ctx.unit_of_work() as s:
        q = select(AssignmentRow).where(AssignmentRow.due < (now or utcnow()), AssignmentRow.done_at.is_(None))
        if f.enterprise:
            q = q.where(AssignmentRow.enterprise == f.enterprise)
        rows = s.scalars(q.order_by(AssignmentRow.due).limit(limit)).all()
        return [{"worker": a.username, "enterprise": a.enterprise or "", "kind": a.kind, "target": a.target,
                 "due": a.due.strftime("%Y-%m-%d") if a.due else "", "by": a.assigned_by or ""} for a in rows]


def tier_distribution(ctx: Context, f: CockpitFilter) -> list[dict]:
    from shifu.tables import WorkerStatRow

    with ctx.unit_of_work() as s:
        q = select(WorkerStatRow.tier, func.count()).group_by(WorkerStatRow.tier)
        if f.enterprise:
            q = q.where(WorkerStatRow.enterprise == f.enterprise)
        if f.trade:
            q = q.where(WorkerStatRow.trade == f.trade)
        rows = [{"tier": t or "—", "workers": int(n)} for t, n in s.execute(q).all()]
    from extraction.growth.tiers import NATIONAL

    order = {name: i for i, name in enumerate(NATIONAL)}  # the national ladder's order; other ladders after it
    return sorted(rows, key=lambda r: (order.get(r["tier"], len(order)), r["tier"]))


def top_n(rows: list[dict], key: str, label: str, n: int = 15, *, others: str = "其他 {n} 项") -> list[dict]:
    """The n largest rows, then one row OTHERS ({n}: how many) summing the rest: a plot that stays readable
    with 190 bars."""
    rows = sorted(rows, key=lambda r: -r[key])
    if len(rows) <= n:
        return rows
    rest = rows[n:]
    return rows[:n] + [{label: others.format(n=len(rest)), key: sum(r[key] for r in rest), "others": True}]


def to_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """A table as CSV text, with its header even when empty (the caller adds a BOM when Excel must open it)."""
    import csv
    import io

    if not rows and not columns:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def naive_by_enterprise(ctx: Context, f: CockpitFilter) -> list[dict]:
    """The same view as :func:`by_enterprise` straight from the attempts (the benchmark's reference)."""
    from shifu.tables import UserRow

    with ctx.unit_of_work() as s:
        q = (select(UserRow.enterprise, func.count(), func.sum(cast(QuizAttemptRow.passed, Integer)))
             .join(UserRow, UserRow.username == QuizAttemptRow.username).group_by(UserRow.enterprise))
        if f.enterprise:
            q = q.where(UserRow.enterprise == f.enterprise)
        rows = s.execute(q).all()
    return sorted(({"enterprise": e or "—", "attempts": int(n), "pass_rate": round(int(p) / n, 3) if n else 0.0}
                   for e, n, p in rows), key=lambda r: -r["attempts"])


def naive_at_risk(ctx: Context, f: CockpitFilter, now=None) -> list[dict]:
    """At-risk workers from the attempts (inactive only; the failing streak needs the totals)."""
    from datetime import timedelta

    from shifu.tables import UserRow, utcnow

    cutoff = (now or utcnow()) - timedelta(days=AT_RISK_DAYS)
    with ctx.unit_of_work() as s:
        q = (select(QuizAttemptRow.username, func.max(QuizAttemptRow.created_at))
             .join(UserRow, UserRow.username == QuizAttemptRow.username).group_by(QuizAttemptRow.username)
             .having(func.max(QuizAttemptRow.created_at) < cutoff))
        if f.enterprise:
            q = q.where(UserRow.enterprise == f.enterprise)
        return [{"worker": u, "last_active": str(at)[:10]} for u, at in s.execute(q).all()]
