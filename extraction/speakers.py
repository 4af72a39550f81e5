"""Who a course credits: the master of an interview, or each speaker of a panel or an oral history
with several voices (VCSum's 嘉宾1…6) for their own words."""

from __future__ import annotations

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
