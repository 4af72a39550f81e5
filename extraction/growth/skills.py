"""Skills of a trade and the skills each lesson point and quiz item carries.

Drafting proposes them (`with_skills`: the trade's curated list first, else a short name from the
point's key noun phrase; shifu/skill_names.py) and stores them in the course version; the trainer
edits them in review (`set_item_skills`, a new version like every review edit). Publishing writes the
published version's skills into `skill_tags` (`tag_course(..., replace=True)`), which mastery reads
per answer. A course published before drafting proposed skills is tagged on its first quiz answer,
by `shifu skills tag` or by migration 0007_skills_tag, with the same proposal. An admin renames and
merges a trade's skills; the tags and the stored courses of the trade follow.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from extraction.course import CourseDraft
from shifu.errors import NotFoundError, ShifuError
from shifu.skill_names import fill_course
from shifu.tables import (
    CourseRow,
    CourseVersionRow,
    MasteryRow,
    SkillRow,
    SkillTagRow,
    TranscriptRow,
)

MAX_SKILLS = 4  # on one point or quiz item
MAX_NAME = 40  # characters of a skill's name


def with_skills(draft: CourseDraft, known: Sequence[str] = ()) -> CourseDraft:
    """The draft with skills proposed for every point and quiz item that has none (`known`: the trade's list)."""
    return CourseDraft.model_validate(fill_course(draft.model_dump(mode="json"), known))


def propose(draft: CourseDraft, known: Sequence[str] = ()) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The skills of a draft, proposed where missing: (point ref 'm.l.p' -> skills, quiz item id -> skills)."""
    full = with_skills(draft, known)
    points = {f"{i}.{j}.{k}": list(p.skills) for i, m in enumerate(full.modules)
              for j, lesson in enumerate(m.lessons) for k, p in enumerate(lesson.points)}
    return points, {q.id: list(q.skills) for q in full.quiz}


def clean_names(names: Sequence[str]) -> list[str]:
    """A reviewer's skill names: trimmed, blank and repeated ones dropped, at most MAX_SKILLS."""
    out = list(dict.fromkeys(" ".join(n.split()) for n in names if n and n.strip()))
    too_long = [n for n in out if len(n) > MAX_NAME]
    if too_long:
        raise ShifuError(f"a skill's name is at most {MAX_NAME} characters ({too_long[0][:20]}… is longer); "
                         "shorten it, e.g. 焊接电流选择")
    if len(out) > MAX_SKILLS:
        raise ShifuError(f"at most {MAX_SKILLS} skills on one item; remove {len(out) - MAX_SKILLS} of them")
    return out


def trade_skill_names(s: Session, trade: str) -> list[str]:
    """The names of a trade's skills, as curated."""
    return list(s.scalars(select(SkillRow.name).where(SkillRow.trade == trade).order_by(SkillRow.name)))


def skill_id(s: Session, trade: str, name: str) -> int:
    """The id of a trade's skill, created on first use."""
    row = s.scalar(select(SkillRow).where(SkillRow.trade == trade, SkillRow.name == name))
    if row is None:
        row = SkillRow(trade=trade, name=name)
        s.add(row)
        s.flush()
    return row.id


def tag_course(s: Session, course_id: str, trade: str, draft: CourseDraft, replace: bool = False) -> int:
    """Write a course's skill tags from its (published) draft, proposing what it lacks; returns tags written.

    Without `replace` a course that has tags keeps them."""
    have = s.scalar(select(SkillTagRow.id).where(SkillTagRow.course_id == course_id).limit(1))
    if have is not None and not replace:
        return 0
    s.execute(delete(SkillTagRow).where(SkillTagRow.course_id == course_id))
    point_skills, item_skills = propose(draft, trade_skill_names(s, trade))
    rows = {("point", ref, skill_id(s, trade, name)) for ref, names in point_skills.items() for name in names}
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
    """A course's trade: its own, else that of the first source transcript that names one."""
    course = s.get(CourseRow, course_id)
    if course is None:
        return ""
    if course.trade:
        return course.trade
    latest = s.scalar(select(CourseVersionRow.transcript_ids).where(CourseVersionRow.course_id == course_id)
                      .order_by(CourseVersionRow.number.desc()).limit(1)) or []
    trades = s.scalars(select(TranscriptRow.trade).where(TranscriptRow.id.in_(list(latest)),
                                                         TranscriptRow.trade.is_not(None))).all()
    return next((t for t in trades if t), "")


def _rename_in_courses(s: Session, trade: str, old: str, new: str) -> None:
    """Every stored version of the trade's courses names the skill by its new name (merged: no repeats)."""
    course_ids = [c for c in s.scalars(select(CourseRow.id)) if course_trade(s, c) == trade]
    for v in s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id.in_(course_ids))):
        data = copy.deepcopy(v.data or {})  # a new object, so the JSON column is written
        changed = False
        holders = [p for m in data.get("modules") or [] for lesson in m.get("lessons") or []
                   for p in lesson.get("points") or []] + list(data.get("quiz") or [])
        for holder in holders:
            names = holder.get("skills") or []
            if old in names:
                holder["skills"] = list(dict.fromkeys(new if n == old else n for n in names))
                changed = True
        if changed:
            v.data = data


def rename(s: Session, trade: str, old: str, new: str) -> None:
    """Rename a skill of a trade (tags and mastery keep pointing at it)."""
    row = s.scalar(select(SkillRow).where(SkillRow.trade == trade, SkillRow.name == old))
    if row is None:
        raise NotFoundError(f"trade {trade!r} has no skill {old!r}; list them with `shifu skills list`")
    if s.scalar(select(SkillRow.id).where(SkillRow.trade == trade, SkillRow.name == new)) is not None:
        raise ShifuError(f"trade {trade!r} already has a skill {new!r}; merge the two instead")
    row.name = new
    _rename_in_courses(s, trade, old, new)


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
    _rename_in_courses(s, trade, source, into)


def skills_of(s: Session, trade: str) -> list[SkillRow]:
    return list(s.scalars(select(SkillRow).where(SkillRow.trade == trade).order_by(SkillRow.name)))
