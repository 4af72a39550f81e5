"""Where a worker stands: mastery per skill and tier per trade, read from the store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from extraction.growth import tiers
from extraction.growth.mastery import Estimate
from shifu.tables import MasteryRow, SkillRow, WorkerStatRow


@dataclass(frozen=True)
class SkillState:
    skill: str
    trade: str
    estimate: Estimate


def skill_states(s: Session, username: str) -> list[SkillState]:
    rows = s.execute(select(SkillRow.name, SkillRow.trade, MasteryRow.p_known, MasteryRow.attempts, MasteryRow.correct)
                     .join(MasteryRow, MasteryRow.skill_id == SkillRow.id)
                     .where(MasteryRow.username == username).order_by(SkillRow.trade, SkillRow.name)).all()
    return [SkillState(name, trade, Estimate(p, n, c)) for name, trade, p, n, c in rows]


def standing_in(s: Session, username: str, trade: str, states: list[SkillState]) -> tiers.TierStanding:
    """The worker's tier in one trade, explained."""
    names = [sk.name for sk in s.scalars(select(SkillRow).where(SkillRow.trade == trade))]
    mine = [st for st in states if st.trade == trade]
    proficient = {st.skill for st in mine if st.estimate.proficient}
    closest = [st.skill for st in sorted(mine, key=lambda st: -st.estimate.p_known)]
    closest += [n for n in names if n not in closest]
    return tiers.standing(tiers.ladder(s, trade, names), trade, proficient, closest)




def keep_tier(s: Session, username: str, standings: list[tiers.TierStanding]) -> None:
    """Store the highest tier on the worker's totals (the cockpit's tier distribution reads it)."""
    row = s.get(WorkerStatRow, username)
    if row is not None and standings:
        row.tier = max(standings, key=lambda st: st.rank).tier
