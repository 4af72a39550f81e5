"""Who a course credits: the master of an interview, or each speaker of a panel or an oral history
with several voices (VCSum's 嘉宾1…6) for their own words."""

from __future__ import annotations

import re

from shifu.models import Transcript

SHARE = 0.05  # a speaker who says less than this share of the words is not named on the course


def speakers(t: Transcript) -> list[str]:
    """The non-interviewer speakers who say a real share of the interview, most words first."""
    said: dict[str, int] = {}
    for turn in t.turns:
        if turn.role != "interviewer" and turn.speaker:
            said[turn.speaker] = said.get(turn.speaker, 0) + len(turn.text)
    total = sum(said.values()) or 1
    return sorted((s for s, n in said.items() if n >= SHARE * total), key=lambda s: -said[s])


def credit_line(t: Transcript, language: str, most: int = 6) -> str:
    """The course's master line: the expert, or a panel's speakers ("嘉宾1、嘉宾2 等 8 位")."""
    names = speakers(t)
    if len(names) <= 1:
        return t.expert or (names[0] if names else "")
    shown = names[:most]
    joined = "、".join(shown) if language == "zh" else ", ".join(shown)
    if len(names) > most:
        joined += f" 等 {len(names)} 位" if language == "zh" else f" and {len(names) - most} more"
    return joined


def listed(line: str) -> list[str]:
    """The names a master line lists (more than one for a panel)."""
    return [n for n in re.split(r"、|, | 等 \d+ 位| and \d+ more", line) if n]
