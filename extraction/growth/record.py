"""What one quiz submission changes beyond the attempt itself: mastery, item difficulty, review cards, totals.

Runs inside the submission's unit of work, so the attempt and its consequences commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from extraction.course import CourseDraft
from extraction.growth import mastery, reviews, skills, standing
from shifu.tables import (
    ActivityMonthRow,
    AssignmentRow,
    CourseMonthRow,
    EnterpriseMonthRow,
    ItemStatRow,
    MasteryRow,
    SkillRow,
    UserRow,
    WorkerStatRow,
)


def params_of(row: SkillRow) -> mastery.SkillParams:
    return mastery.SkillParams(row.p_init, row.p_learn, row.p_slip, row.p_guess)


def record_answers(s: Session, username: str, course_id: str, draft: CourseDraft,
                   marks: dict[str, bool], passed: bool, at: datetime) -> None:
    """Update everything a quiz submission teaches us about the worker and the items."""
    trade = skills.course_trade(s, course_id)
    skills.tag_course(s, course_id, trade, draft)
    tags = skills.item_skills(s, course_id)
    for item_id, right in marks.items():
        ability = _update_mastery(s, username, tags.get(item_id, []), right, at)
        _update_item(s, course_id, item_id, ability, right)
        reviews.review(s, username, course_id, item_id, right, at)
    _update_totals(s, username, course_id, trade, passed, at)
    s.flush()
    states = standing.skill_states(s, username)
    standing.keep_tier(s, username, [standing.standing_in(s, username, tr, states) for tr in {st.trade for st in states}])
    if passed:  # a passed course completes its assignments (paths are judged when read)
        s.execute(update(AssignmentRow).where(AssignmentRow.username == username, AssignmentRow.kind == "course",
                                              AssignmentRow.target == course_id, AssignmentRow.done_at.is_(None))
                  .values(done_at=at))


def _update_mastery(s: Session, username: str, skill_ids: list[int], right: bool, at: datetime) -> float:
    """BKT update of each skill the item carries; returns the worker's ability on the item (logits, before)."""
    before = []
    for sid in skill_ids:
        skill = s.get(SkillRow, sid)
        if skill is None:
            continue
        params = params_of(skill)
        row = s.get(MasteryRow, (username, sid))
        if row is None:
            row = MasteryRow(username=username, skill_id=sid, p_known=params.p_init, attempts=0, correct=0)
            s.add(row)
        before.append(mastery.p_right(row.p_known, params))
        row.p_known = mastery.update(row.p_known, right, params)
        row.attempts += 1
        row.correct += int(right)
        row.updated_at = at
    return mastery.logit(sum(before) / len(before)) if before else 0.0


def _update_item(s: Session, course_id: str, item_id: str, ability: float, right: bool) -> None:
    row = s.get(ItemStatRow, (course_id, item_id))
    if row is None:
        row = ItemStatRow(course_id=course_id, item_id=item_id, difficulty=0.0, answers=0)
        s.add(row)
    row.difficulty = mastery.elo_update(row.difficulty, row.answers, ability, right)
    row.answers += 1


def _update_totals(s: Session, username: str, course_id: str, trade: str, passed: bool, at: datetime) -> None:
    """The pre-aggregated totals the cockpit reads (one row per worker; per month and enterprise, by course and by trade)."""
    enterprise = s.scalar(select(UserRow.enterprise).where(UserRow.username == username)) or ""
    w = s.get(WorkerStatRow, username)
    if w is None:
        w = WorkerStatRow(username=username, attempts=0, passed=0, fails_in_row=0)
        s.add(w)
    w.enterprise, w.trade = enterprise or None, trade or w.trade
    w.attempts += 1
    w.passed += int(passed)
    w.fails_in_row = 0 if passed else w.fails_in_row + 1
    w.last_at = at
    month = at.strftime("%Y-%m")
    totals: tuple[tuple[type[ActivityMonthRow] | type[CourseMonthRow] | type[EnterpriseMonthRow], dict], ...] = (
              (ActivityMonthRow, {"month": month, "enterprise": enterprise, "course_id": course_id}),
              (CourseMonthRow, {"month": month, "course_id": course_id}),
              (EnterpriseMonthRow, {"month": month, "enterprise": enterprise, "trade": trade}))
    for table, key in totals:
        row: Any = s.get(table, tuple(key.values()))
        if row is None:
            row = table(**key, attempts=0, passed=0)
            s.add(row)
        row.attempts += 1
        row.passed += int(passed)


def record_review(s: Session, username: str, course_id: str, item_id: str, right: bool, at: datetime) -> None:
    """A review answer: the card is rescheduled and the item's skills learn from it."""
    ability = _update_mastery(s, username, skills.item_skills(s, course_id).get(item_id, []), right, at)
    _update_item(s, course_id, item_id, ability, right)
    reviews.review(s, username, course_id, item_id, right, at)
