"""`shifu eval cockpit`: p50/p95 of every profile and cockpit view, beside the naive query of the same view.

The fast views read the pre-aggregated totals (worker_stats, enterprise_months, activity_months) and indexed rows; the
naive ones compute the same numbers from the 2M quiz attempts. Run on a database filled by
`shifu demo population`; the last line printed is JSON.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, cast, func, select

from extraction import cockpit
from extraction.growth import profiles
from shifu.auth import User
from shifu.context import Context
from shifu.tables import CourseRow, QuizAttemptRow, RatingRow, UserRow

ADMIN = User(username="admin", role="admin", enterprise=None, created_at=datetime(2026, 1, 1))


def _times(fn: Callable[[], object], repeats: int) -> dict:
    spent = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        spent.append(1000 * (time.perf_counter() - t0))
    spent.sort()
    p95 = spent[min(len(spent) - 1, max(0, round(0.95 * len(spent)) - 1))]
    return {"p50_ms": round(statistics.median(spent), 1), "p95_ms": round(p95, 1), "n": repeats}


def _month(s) -> Any:
    """'YYYY-MM' of an attempt's time: SQLite stores text, PostgreSQL a timestamp."""
    if s.get_bind().dialect.name == "postgresql":
        return func.to_char(QuizAttemptRow.created_at, "YYYY-MM")
    return func.substr(QuizAttemptRow.created_at, 1, 7)


def _naive_trainer(ctx: Context, trainer: str) -> dict:
    """The trainer profile's numbers straight from the attempts and ratings."""
    with ctx.unit_of_work() as s:
        ids = select(CourseRow.id).where(CourseRow.created_by == trainer)
        n, p = s.execute(select(func.count(), func.sum(cast(QuizAttemptRow.passed, Integer)))
                         .where(QuizAttemptRow.course_id.in_(ids))).one()
        good = s.execute(select(func.count(), func.sum(case((RatingRow.stars >= 4, 1), else_=0)))
                         .where(RatingRow.course_id.in_(ids))).one()
        month = _month(s)
        s.execute(select(month, func.count()).where(QuizAttemptRow.course_id.in_(ids)).group_by(month)).all()
        return {"attempts": n, "passed": p, "ratings": good}


def _naive_enterprise(ctx: Context, enterprise: str) -> dict:
    with ctx.unit_of_work() as s:
        return dict(s.execute(select(func.count(), func.sum(cast(QuizAttemptRow.passed, Integer)))
                              .join(UserRow, UserRow.username == QuizAttemptRow.username)
                              .where(UserRow.enterprise == enterprise)).one()._mapping)


def _naive_trends(ctx: Context, f: cockpit.CockpitFilter) -> list:
    with ctx.unit_of_work() as s:
        month = _month(s)
        q = (select(month, func.count(), func.sum(cast(QuizAttemptRow.passed, Integer)))
             .join(UserRow, UserRow.username == QuizAttemptRow.username).group_by(month))
        if f.enterprise:
            q = q.where(UserRow.enterprise == f.enterprise)
        return list(s.execute(q).all())


def _naive_courses(ctx: Context) -> list:
    with ctx.unit_of_work() as s:
        return list(s.execute(select(QuizAttemptRow.course_id, func.count(), func.sum(cast(QuizAttemptRow.passed, Integer)))
                         .group_by(QuizAttemptRow.course_id)).all())


def run(ctx: Context, repeats: int = 20, naive_repeats: int = 3, seed: int = 1) -> dict:
    """Time every view; naive ones fewer times (they take seconds at full size)."""
    rng = random.Random(seed)
    with ctx.unit_of_work() as s:
        workers = list(s.scalars(select(UserRow.username).where(UserRow.role == "worker").limit(5000)))
        trainers = list(s.scalars(select(UserRow.username).where(UserRow.role == "trainer")))
        enterprises = [e for e in s.scalars(select(UserRow.enterprise).distinct()) if e]
        attempts = s.scalar(select(func.count()).select_from(QuizAttemptRow))
    if not workers or not trainers or not enterprises:
        from shifu.errors import ShifuError

        raise ShifuError("the database has no population to measure; run `shifu demo population` first")
    every, one = cockpit.CockpitFilter(), lambda: cockpit.CockpitFilter(enterprise=rng.choice(enterprises))
    views: dict[str, tuple[Callable[[], object], Callable[[], object] | None]] = {
        "worker_profile": (lambda: profiles.worker_profile(ctx, ADMIN, rng.choice(workers)), None),
        "trainer_profile": (lambda: profiles.trainer_profile(ctx, ADMIN, rng.choice(trainers)),
                            lambda: _naive_trainer(ctx, rng.choice(trainers))),
        "enterprise_profile": (lambda: profiles.enterprise_profile(ctx, ADMIN, rng.choice(enterprises)),
                               lambda: _naive_enterprise(ctx, rng.choice(enterprises))),
        "cockpit_by_enterprise": (lambda: cockpit.by_enterprise(ctx, every), lambda: cockpit.naive_by_enterprise(ctx, every)),
        "cockpit_by_course": (lambda: cockpit.by_course(ctx, every), lambda: _naive_courses(ctx)),
        "cockpit_trends": (lambda: cockpit.trends(ctx, every), lambda: _naive_trends(ctx, every)),
        "cockpit_trends_one_enterprise": (lambda: cockpit.trends(ctx, one()), lambda: _naive_trends(ctx, one())),
        "cockpit_at_risk": (lambda: cockpit.at_risk(ctx, every), lambda: cockpit.naive_at_risk(ctx, every)),
        "cockpit_tiers": (lambda: cockpit.tier_distribution(ctx, every), None),
        "cockpit_gaps": (lambda: cockpit.gap_list(ctx), None),
        "cockpit_overdue": (lambda: cockpit.overdue(ctx, one()), None),
    }
    out = {}
    for name, (fast, naive) in views.items():
        out[name] = {"fast": _times(fast, repeats)}
        if naive is not None:
            out[name]["naive"] = _times(naive, naive_repeats)
    worst = max(v["fast"]["p95_ms"] for v in out.values())
    return {"attempts": attempts, "workers": len(workers), "trainers": len(trainers), "enterprises": len(enterprises),
            "views": out, "worst_fast_p95_ms": worst, "all_under_1s": worst <= 1000}
