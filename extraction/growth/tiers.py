"""Tier ladders of a trade and the rule of each rung; a worker's tier, computed and explained.

A rung's rule is data, the way Moodle's competency rules are: ``{"skills": [...]}`` (all of these
proficient) or ``{"count": n, "required": [...]}`` (n skills proficient, these among them); an
empty rule is met by everyone. A trade without its own ladder gets the national eight levels, each
asking for a larger share of the trade's skills.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shifu.errors import ShifuError
from shifu.tables import TierRow

NATIONAL = ("学徒工", "初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师")


@dataclass(frozen=True)
class Rung:
    rank: int
    name: str
    rule: dict


@dataclass(frozen=True)
class TierStanding:
    """Where a worker stands on a trade's ladder, and what the next rung still asks for."""

    trade: str
    tier: str
    rank: int
    next_tier: str | None
    missing: list[str] = field(default_factory=list)  # skills still to make proficient
    more: int = 0  # further proficient skills needed, whichever they are
    closest: list[str] = field(default_factory=list)  # skills nearest to proficient, to suggest for `more`

    def explain(self, lang: str = "zh") -> str:
        if self.next_tier is None:
            return "已到最高一级" if lang == "zh" else "top of the ladder"
        parts = []
        if self.missing:
            parts.append("、".join(self.missing) if lang == "zh" else ", ".join(self.missing))
        if self.more:
            near = "、".join(self.closest[: self.more]) if lang == "zh" else ", ".join(self.closest[: self.more])
            parts.append((f"再掌握 {self.more} 项技能" + (f"（最接近：{near}）" if near else "")) if lang == "zh"
                         else f"{self.more} more proficient skills" + (f" (closest: {near})" if near else ""))
        head = f"升{self.next_tier}还差：" if lang == "zh" else f"for {self.next_tier} still missing: "
        return head + ("；".join(parts) if lang == "zh" else "; ".join(parts))


def default_ladder(skills: list[str]) -> list[Rung]:
    """The national eight levels: level k asks for (k-1)/7 of the trade's skills, at least one more per level."""
    n = len(skills)
    return [Rung(1, NATIONAL[0], {})] + [
        Rung(k, NATIONAL[k - 1], {"count": max(k - 1, math.ceil((k - 1) / 7 * n)) if n >= 7 else min(n, k - 1),
                                  "required": []})
        for k in range(2, 9)]


def ladder(s: Session, trade: str, skills: list[str]) -> list[Rung]:
    """The trade's own ladder, or the national one."""
    rows = s.scalars(select(TierRow).where(TierRow.trade == trade).order_by(TierRow.rank)).all()
    return [Rung(r.rank, r.name, dict(r.rule or {})) for r in rows] or default_ladder(skills)


def set_ladder(s: Session, trade: str, rungs: list[tuple[str, dict]]) -> None:
    """Replace a trade's ladder (an admin's shorter one: 新手 · 熟练 · 骨干)."""
    if not rungs:
        raise ShifuError("a ladder needs at least one tier; give their names in order, lowest first")
    for _name, rule in rungs:
        if set(rule) - {"skills", "count", "required"}:
            raise ShifuError(f"a tier rule has 'skills', or 'count' and 'required'; not {sorted(rule)}")
    s.execute(delete(TierRow).where(TierRow.trade == trade))
    s.add_all(TierRow(trade=trade, rank=i, name=name, rule=rule) for i, (name, rule) in enumerate(rungs, 1))


def unmet(rule: dict, proficient: set[str]) -> tuple[list[str], int]:
    """What a rule still asks for: (skills named by it that are not proficient, how many more of any kind)."""
    if "skills" in rule:
        return [x for x in rule["skills"] if x not in proficient], 0
    required = [x for x in rule.get("required", []) if x not in proficient]
    count = int(rule.get("count", 0))
    more = max(0, count - len(proficient) - len(required))
    return required, more


def standing(rungs: list[Rung], trade: str, proficient: set[str],
             closest: list[str] | None = None) -> TierStanding:
    """The highest rung whose rule and every rule below it are met (`closest`: unmastered skills, nearest first)."""
    reached = None
    for rung in rungs:
        missing, more = unmet(rung.rule, proficient)
        if missing or more:
            name = reached.name if reached else "—"
            near = [c for c in (closest or []) if c not in proficient and c not in missing]
            return TierStanding(trade, name, reached.rank if reached else 0, rung.name, missing, more, near)
        reached = rung
    assert reached is not None
    return TierStanding(trade, reached.name, reached.rank, None)
