"""Growth services that take the application context: tagging, curating skills, fitting, ladders."""

from __future__ import annotations

from sqlalchemy import select

from extraction.course import CourseDraft
from extraction.growth import mastery, skills, tiers
from extraction.learning import mark_item
from rag.published import published_versions
from shifu.context import Context
from shifu.tables import QuizAttemptRow, SkillRow


def tag_published(ctx: Context, replace: bool = False) -> dict[str, int]:
    """Tag every published course that has no tags yet (all of them with replace); course id -> tags written."""
    out = {}
    with ctx.unit_of_work() as s:
        for course, version in s.execute(published_versions()).all():
            out[course.id] = skills.tag_course(s, course.id, skills.course_trade(s, course.id),
                                               CourseDraft.model_validate(version.data), replace=replace)
    return out


def list_skills(ctx: Context, trade: str) -> list[dict]:
    with ctx.unit_of_work() as s:
        return [{"name": r.name, "p_init": r.p_init, "p_learn": r.p_learn, "p_slip": r.p_slip, "p_guess": r.p_guess,
                 "fitted_on": r.fitted_on} for r in skills.skills_of(s, trade)]


def rename_skill(ctx: Context, trade: str, old: str, new: str) -> None:
    with ctx.unit_of_work() as s:
        skills.rename(s, trade, old, new)


def merge_skills(ctx: Context, trade: str, source: str, into: str) -> None:
    with ctx.unit_of_work() as s:
        skills.merge(s, trade, source, into)


def set_ladder(ctx: Context, trade: str, rungs: list[tuple[str, dict]]) -> None:
    with ctx.unit_of_work() as s:
        tiers.set_ladder(s, trade, rungs)


def answer_sequences(ctx: Context) -> dict[int, list[list[int]]]:
    """Skill id -> per worker, their answers on that skill in order (1 right, 0 wrong), from the stored attempts."""
    per: dict[int, dict[str, list[int]]] = {}
    with ctx.unit_of_work() as s:
        for course, version in s.execute(published_versions()).all():
            draft = CourseDraft.model_validate(version.data)
            tags = skills.item_skills(s, course.id)
            items = {q.id: q for q in draft.quiz}
            rows = s.execute(select(QuizAttemptRow.username, QuizAttemptRow.answers)
                             .where(QuizAttemptRow.course_id == course.id).order_by(QuizAttemptRow.id))
            for user, answers in rows:
                for item_id, given in (answers or {}).items():
                    if item_id in items and given:
                        right = int(mark_item(items[item_id], list(given)))
                        for sid in tags.get(item_id, []):
                            per.setdefault(sid, {}).setdefault(user, []).append(right)
    return {sid: list(users.values()) for sid, users in per.items()}


def fit_skills(ctx: Context) -> dict[str, str]:
    """Fit each skill's BKT parameters (grid search on the likelihood); skills with thin data keep defaults."""
    sequences = answer_sequences(ctx)
    out = {}
    with ctx.unit_of_work() as s:
        for sid, seqs in sequences.items():
            row = s.get(SkillRow, sid)
            n = sum(len(q) for q in seqs)
            if row is None:
                continue
            if n < mastery.MIN_FIT_ANSWERS:
                out[f"{row.trade}/{row.name}"] = f"{n} answers: defaults kept"
                continue
            p = mastery.fit(seqs)
            row.p_init, row.p_learn, row.p_slip, row.p_guess, row.fitted_on = p.p_init, p.p_learn, p.p_slip, p.p_guess, n
            out[f"{row.trade}/{row.name}"] = f"{n} answers: {p}"
    return out
