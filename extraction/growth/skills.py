"""Skills of a trade and the skills each lesson point and quiz item carries.

A course is tagged when first needed (its first quiz answer) or by `shifu skills tag`: each point
gets the course's key term it names (the trainer's own words), or its lesson's title; a quiz item
keeps the skills drafting gave it, or those of the point its citation quotes. An admin renames and
merges skills; the tags follow.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from extraction.course import CourseDraft
from extraction.units import key_terms
from shifu.errors import NotFoundError, ShifuError
from shifu.tables import CourseRow, MasteryRow, SkillRow, SkillTagRow

TOP_TERMS = 12  # key terms of a course that may become skills


def propose(draft: CourseDraft) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Proposed skills: (point ref 'm.l.p' -> skill, quiz item id -> skills)."""
    points = [(f"{i}.{j}.{k}", lesson.title, p) for i, m in enumerate(draft.modules)
              for j, lesson in enumerate(m.lessons) for k, p in enumerate(lesson.points)]
    text = "\n".join(p.text for _, _, p in points)
    terms = key_terms(text, draft.language, top=TOP_TERMS) if text.strip() else []
    point_skill = {}
    for ref, lesson_title, point in points:
        point_skill[ref] = next((t for t in terms if t in point.text), lesson_title.strip() or draft.title)
    by_quote = {c.quote.strip(): point_skill[ref] for ref, _, p in points for c in p.citations}
    item_skills = {}
    for item in draft.quiz:
        found = [s for s in item.skills if s.strip()]
        found = found or [by_quote[c.quote.strip()] for c in item.citations if c.quote.strip() in by_quote]
        found = found or [t for t in terms if t in item.stem][:1] or [draft.title]
        item_skills[item.id] = list(dict.fromkeys(found))
    return point_skill, item_skills


def skill_id(s: Session, trade: str, name: str) -> int:
    """The id of a trade's skill, created on first use."""
    row = s.scalar(select(SkillRow).where(SkillRow.trade == trade, SkillRow.name == name))
    if row is None:
        row = SkillRow(trade=trade, name=name)
        s.add(row)
        s.flush()
    return row.id


def tag_course(s: Session, course_id: str, trade: str, draft: CourseDraft, replace: bool = False) -> int:
    """Tag a course's points and items with skills of its trade; returns the number of tags written."""
    have = s.scalar(select(SkillTagRow.id).where(SkillTagRow.course_id == course_id).limit(1))
    if have is not None and not replace:
        return 0
    s.execute(delete(SkillTagRow).where(SkillTagRow.course_id == course_id))
    point_skill, item_skills = propose(draft)
    rows = {("point", ref, skill_id(s, trade, name)) for ref, name in point_skill.items()}
    rows |= {("item", item, skill_id(s, trade, name)) for item, names in item_skills.items() for name in names}
    s.add_all(SkillTagRow(course_id=course_id, kind=k, ref=r, skill_id=sid) for k, r, sid in sorted(rows))
    return len(rows)


def item_skills(s: Session, course_id: str) -> dict[str, list[int]]:
    """Quiz item id -> skill ids, for one course."""
    out: dict[str, list[int]] = {}
    for ref, sid in s.execute(select(SkillTagRow.ref, SkillTagRow.skill_id)
                              .where(SkillTagRow.course_id == course_id, SkillTagRow.kind == "item")):
        out.setdefault(ref, []).append(sid)
    return out


def course_trade(s: Session, course_id: str) -> str:
    return s.scalar(select(CourseRow.trade).where(CourseRow.id == course_id)) or ""


def rename(s: Session, trade: str, old: str, new: str) -> None:
    """Rename a skill of a trade (tags and mastery keep pointing at it)."""
    row = s.scalar(select(SkillRow).where(SkillRow.trade == trade, SkillRow.name == old))
    if row is None:
        raise NotFoundError(f"trade {trade!r} has no skill {old!r}; list them with `shifu skills list`")
    if s.scalar(select(SkillRow.id).where(SkillRow.trade == trade, SkillRow.name == new)) is not None:
        raise ShifuError(f"trade {trade!r} already has a skill {new!r}; merge the two instead")
    row.name = new


def merge(s: Session, trade: str, source: str, into: str) -> None:
    """Merge skill `source` into `into`: its tags move, its mastery rows are dropped (recomputed on next answers)."""
    src = s.scalar(select(SkillRow).where(SkillRow.trade == trade, SkillRow.name == source))
    dst = s.scalar(select(SkillRow).where(SkillRow.trade == trade, SkillRow.name == into))
    if src is None or dst is None:
        raise NotFoundError(f"trade {trade!r} needs both skills {source!r} and {into!r} to merge them")
    for tag in s.scalars(select(SkillTagRow).where(SkillTagRow.skill_id == src.id)).all():
        clash = s.scalar(select(SkillTagRow.id).where(SkillTagRow.course_id == tag.course_id, SkillTagRow.kind == tag.kind,
                                                     SkillTagRow.ref == tag.ref, SkillTagRow.skill_id == dst.id))
        if clash is None:
            tag.skill_id = dst.id
        else:
            s.delete(tag)
    s.execute(update(MasteryRow).where(MasteryRow.skill_id == src.id, MasteryRow.username.not_in(
        select(MasteryRow.username).where(MasteryRow.skill_id == dst.id))).values(skill_id=dst.id))
    s.execute(delete(MasteryRow).where(MasteryRow.skill_id == src.id))
    s.flush()
    s.delete(src)


def skills_of(s: Session, trade: str) -> list[SkillRow]:
    return list(s.scalars(select(SkillRow).where(SkillRow.trade == trade).order_by(SkillRow.name)))
