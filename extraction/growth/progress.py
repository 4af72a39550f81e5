"""A worker's growth in one place: mastery per skill, tier per trade, paths, next steps, reviews, history.

This is the service behind 我的学习 and the worker profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from extraction.growth import reviews, tiers
from extraction.growth.standing import SkillState, keep_tier, skill_states, standing_in
from shifu.context import Context
from shifu.tables import (
    AssignmentRow,
    CourseRow,
    PathRow,
    QuizAttemptRow,
    utcnow,
)


@dataclass(frozen=True)
class PathProgress:
    path_id: int
    title: str
    tier: str
    done: int
    total: int
    next_course: str | None  # course id of the first step not done


@dataclass
class Growth:
    """Everything 我的学习 shows."""

    username: str
    skills: list[SkillState] = field(default_factory=list)
    standings: list[tiers.TierStanding] = field(default_factory=list)
    paths: list[PathProgress] = field(default_factory=list)
    due_reviews: list[reviews.DueReview] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)  # passed courses: course_id, title, at


def passed_courses(s: Session, username: str) -> dict[str, datetime]:
    """Course id -> when the worker first passed its quiz."""
    rows = s.execute(select(QuizAttemptRow.course_id, QuizAttemptRow.created_at)
                     .where(QuizAttemptRow.username == username, QuizAttemptRow.passed.is_(True))
                     .order_by(QuizAttemptRow.id)).all()
    out: dict[str, datetime] = {}
    for cid, at in rows:
        out.setdefault(cid, at)
    return out


def path_progress(path: PathRow, passed: set[str]) -> PathProgress:
    steps = [st["course_id"] for st in (path.steps or [])]
    done = [c for c in steps if c in passed]
    nxt = next((c for c in steps if c not in passed), None)
    return PathProgress(path.id, path.title, path.tier, len(done), len(steps), nxt)


def next_steps(states: list[SkillState], due: list[reviews.DueReview], paths: list[PathProgress],
               titles: dict[str, str], assigned: list[dict], lang: str = "zh") -> list[str]:
    """Personal next steps, most useful first: overdue assignments, due reviews, weak skills, the path's next course."""
    zh = lang == "zh"
    out = [(f"完成指派：《{a['title']}》（{a['due']} 截止）" if zh else f"Finish the assigned {a['title']} (due {a['due']})")
           for a in assigned if not a["done"]]
    if due:
        out.append(f"今日复习 {len(due)} 题" if zh else f"Review {len(due)} questions due today")
    weak = [st for st in states if st.estimate.enough and not st.estimate.proficient]
    weak.sort(key=lambda st: st.estimate.p_known)
    out += [(f"加强薄弱技能：{st.skill}" if zh else f"Practise a weak skill: {st.skill}") for st in weak[:3]]
    thin = [st for st in states if not st.estimate.enough]
    out += [(f"多做几题以判断：{st.skill}" if zh else f"Answer a few more on: {st.skill}") for st in thin[:2]]
    for p in paths:
        if p.next_course:
            title = titles.get(p.next_course, p.next_course)
            out.append(f"学习路径「{p.title}」下一步：《{title}》" if zh else f"Path {p.title}, next: {title}")
    if not out:
        out.append("眼下没有必做的事：去课程目录选一门新课，学新的技能" if zh
                   else "Nothing is due: pick a new course in the catalogue to learn new skills")
    return out


def growth(ctx: Context, username: str, now: datetime | None = None, lang: str = "zh") -> Growth:
    """A worker's growth: what 我的学习 shows."""
    now = now or utcnow()
    with ctx.unit_of_work() as s:
        g = Growth(username)
        g.skills = skill_states(s, username)
        trades = sorted({st.trade for st in g.skills})
        g.standings = [standing_in(s, username, tr, g.skills) for tr in trades]
        passed = passed_courses(s, username)
        titles = dict(s.execute(select(CourseRow.id, CourseRow.title)).all())
        assigned_paths = {int(a.target) for a in s.scalars(select(AssignmentRow).where(
            AssignmentRow.username == username, AssignmentRow.kind == "path"))}
        for path in s.scalars(select(PathRow).order_by(PathRow.id)):
            if path.trade in trades or path.id in assigned_paths:
                g.paths.append(path_progress(path, set(passed)))
        g.due_reviews = reviews.due(s, username, now)
        g.assignments = assignments_of(s, username, passed, titles, now)
        g.next_steps = next_steps(g.skills, g.due_reviews, g.paths, titles, g.assignments, lang)
        g.history = [{"course": titles.get(r.course_id, r.course_id), "score": f"{r.score}/{r.total}",
                      "passed": r.passed, "at": r.created_at.strftime("%Y-%m-%d %H:%M")}
                     for r in s.scalars(select(QuizAttemptRow).where(QuizAttemptRow.username == username)
                                        .order_by(QuizAttemptRow.id.desc()).limit(50))]
        g.certificates = [{"course_id": c, "title": titles.get(c, c), "at": at.strftime("%Y-%m-%d")}
                          for c, at in passed.items()]
        keep_tier(s, username, g.standings)
    return g


def assignments_of(s: Session, username: str, passed: dict[str, datetime], titles: dict[str, str],
                   now: datetime) -> list[dict]:
    out = []
    paths = {p.id: p for p in s.scalars(select(PathRow))}
    for a in s.scalars(select(AssignmentRow).where(AssignmentRow.username == username).order_by(AssignmentRow.due)):
        if a.kind == "path" and int(a.target) in paths:
            prog = path_progress(paths[int(a.target)], set(passed))
            title, done = prog.title, prog.done == prog.total
        else:
            title, done = titles.get(a.target, a.target), a.target in passed
        due = a.due.strftime("%Y-%m-%d") if a.due else "—"
        out.append({"title": title, "kind": a.kind, "due": due, "done": done,
                    "overdue": bool(a.due and a.due < now and not done), "by": a.assigned_by or ""})
    return out


def certificate(ctx: Context, username: str, course_id: str) -> dict:
    """The facts a certificate of completion prints; ShifuError when the course is not passed."""
    from shifu.errors import ShifuError

    with ctx.unit_of_work() as s:
        at = passed_courses(s, username).get(course_id)
        course = s.get(CourseRow, course_id)
        if at is None or course is None:
            raise ShifuError(f"{username} has not passed the quiz of course {course_id!r}; pass it to get a certificate")
        return {"username": username, "course": course.title, "trade": course.trade or "",
                "enterprise": course.enterprise or "", "date": at.strftime("%Y-%m-%d")}


def assign(ctx: Context, by: str, kind: str, target: str, usernames: list[str], due_in_days: int | None,
           enterprise: str | None = None) -> int:
    """Assign a course or path to workers (or to every worker of `enterprise`); returns how many were assigned."""
    from shifu.errors import ShifuError

    if kind not in ("course", "path"):
        raise ShifuError(f"assign a 'course' or a 'path', not {kind!r}")
    due = utcnow() + timedelta(days=due_in_days) if due_in_days else None
    from shifu.tables import UserRow

    with ctx.unit_of_work() as s:
        if enterprise:
            usernames = list(s.scalars(select(UserRow.username).where(UserRow.enterprise == enterprise,
                                                                       UserRow.role == "worker")))
        if not usernames:
            raise ShifuError("pick at least one worker to assign to (or an enterprise that has workers)")
        if kind == "course" and s.get(CourseRow, target) is None:
            raise ShifuError(f"there is no course {target!r}; pick one from the catalogue")
        if kind == "path" and (not str(target).isdigit() or s.get(PathRow, int(target)) is None):
            raise ShifuError(f"there is no path {target!r}; create it first")
        ents = dict(s.execute(select(UserRow.username, UserRow.enterprise).where(UserRow.username.in_(usernames))).all())
        unknown = [u for u in usernames if u not in ents]
        if unknown:
            raise ShifuError(f"no such worker: {'、'.join(unknown)}; check the names")
        assigner = s.scalar(select(UserRow).where(UserRow.username == by))
        if assigner is not None and assigner.role == "trainer":
            outside = [u for u in usernames if ents[u] != assigner.enterprise]
            if outside:  # a trainer assigns within their own enterprise; admins anywhere
                raise ShifuError(f"{'、'.join(outside)} work for another enterprise; a trainer assigns to workers "
                                 f"of {assigner.enterprise or 'their own enterprise'} only")
        s.add_all(AssignmentRow(username=u, enterprise=ents[u], kind=kind, target=str(target), due=due, assigned_by=by)
                  for u in usernames)
    return len(usernames)


def add_path(ctx: Context, trade: str, tier: str, title: str, course_ids: list[str], by: str | None = None) -> int:
    """An ordered path of courses for a trade and tier; a step is done when its quiz is passed."""
    from shifu.errors import ShifuError

    if not course_ids:
        raise ShifuError("a path needs at least one course; list them in the order to study them")
    with ctx.unit_of_work() as s:
        row = PathRow(trade=trade, tier=tier, title=title, created_by=by,
                      steps=[{"course_id": c, "done": "passed"} for c in course_ids])
        s.add(row)
        s.flush()
        return row.id


def review_answer(ctx: Context, username: str, course_id: str, item_id: str, given: list[str]) -> bool:
    """Mark one answer of 今日复习: right = Good, wrong = Again; mastery learns from it too."""
    from extraction.growth.record import record_review
    from extraction.learning import mark_item, published_course
    from shifu.errors import ShifuError

    _version, draft = published_course(ctx, course_id)
    item = next((q for q in draft.quiz if q.id == item_id), None)
    if item is None:
        raise ShifuError(f"question {item_id!r} is no longer in the course; it leaves the review queue")
    if not [g for g in given if str(g).strip()]:
        raise ShifuError("answer the question first; an empty answer is not counted")
    right = mark_item(item, given)
    with ctx.unit_of_work() as s:
        record_review(s, username, course_id, item_id, right, utcnow())
    return right
