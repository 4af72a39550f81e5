"""A worker's choice question ("是横着磨还是顺着磨？", "do I clamp onto the phase first or the ground end
first?") and the master's sentence that makes the choice.

A worker who offers two ways asks the master to pick one; the master picks by naming it with what both
ways share: "要顺着钨极的长度方向磨" (磨), "connect the ground end of your grounding set first" (first).
`choice_answers` finds that sentence in the top chunks of an interview that is about the question
(rag.about.statements_about); the chat's one decision (rag.judge.decide) answers with it where the models
refuse, as it does with a rule of the master's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.about import statements_about
from rag.answerability import held_share, subject_terms
from rag.language import detect_language
from shifu.models import SearchHit

__all__ = ["Choice", "choice_answers", "choice_of"]

# An English choice asks with an auxiliary ("Do I set the charge by superheat or by subcooling?");
# "how much stretch or wear" and "trees like silver maple or cottonwood" offer no choice.
_EN_ASKS = re.compile(r"^(?:do|does|did|is|are|was|were|should|shall|can|could|will|would|must|has|have)\b",
                      re.IGNORECASE)
_EN_CLAUSE = re.compile(r"[^?.!:;,]+")
_EN_TOKEN = re.compile(r"[a-z0-9]+")
_EN_FILLER = frozenset("the a an i we you he it my our your his its do does to by onto on into in at of with from "
                       "as is are be should can just".split())
_ZH_CLAUSE_END = re.compile(r"[，。；！？,.;!?：:\s]")
_ZH_FILLER = frozenset("是着的了地得呢吗吧啊好")  # 是横着磨还是顺着磨: what both ways share is 磨, not 着


@dataclass(frozen=True)
class Choice:
    """The two ways a question offers (each by what only it writes) and what both share (磨, first)."""

    one: tuple[str, ...]
    other: tuple[str, ...]
    shared: frozenset[str]


def _sides(question: str, lang: str) -> tuple[str, str] | None:
    """The text before and after the word that offers the choice (还是, or), within its clause."""
    if lang == "en":
        for clause in _EN_CLAUSE.findall(question):
            clause = clause.strip()
            if _EN_ASKS.match(clause) and re.search(r"\bor\b", clause):
                left, right = re.split(r"\bor\b", clause)[-2:]
                return left, right
        return None
    at = question.find("还是")
    if at < 0:
        return None
    left = _ZH_CLAUSE_END.split(question[:at].rstrip("，,：: "))[-1]
    left = left[left.rfind("是") + 1 :]  # 热缩管是**熔接前套上**，还是熔接完再套
    right = _ZH_CLAUSE_END.split(question[at + 2 :])[0]
    return (left, right) if left and right else None


def _en_choice(left: str, right: str) -> Choice | None:
    """English ways are words: those after "or" the other side does not write, and on the left the words
    standing where they stand beside a word both sides write (do I clamp onto the **phase** first or the
    **ground end** first; does the **phase** end come off first or the **ground** end first)."""
    lw, rw = ([w for w in _EN_TOKEN.findall(side.lower()) if w not in _EN_FILLER] for side in (left, right))
    shared = frozenset(lw) & frozenset(rw)
    other = [w for w in rw if w not in shared]
    anchor = next((w for w in rw if w in shared), None)
    if anchor is None:
        one = [w for w in lw if w not in shared][-len(other):] if other else []
    else:
        at = [lw.index(anchor) + rw.index(w) - rw.index(anchor) for w in other]
        one = [lw[i] for i in at if 0 <= i < len(lw) and lw[i] not in shared]
    return Choice(tuple(one), tuple(other), shared) if one and other else None


def _zh_choice(left: str, right: str) -> Choice | None:
    """Chinese ways are what is left of each side between what both begin and end with, widened by one
    character of it where that is a single character (横着磨 / 顺着磨: 横着 and 顺着; 交流 / 直流)."""
    left, right = left.lower(), right.lower()
    head = len(os.path.commonprefix([left, right]))
    tail = len(os.path.commonprefix([left[head:][::-1], right[head:][::-1]]))
    other = (head, len(right) - tail)
    one = (max(head, len(left) - tail - (other[1] - other[0])), len(left) - tail)  # as long as the other way
    ways = [_widened(side, *span, head, tail) for side, span in ((left, one), (right, other))]
    rest = [set(side.replace(way, "", 1)) - _ZH_FILLER for side, way in zip((left, right), ways, strict=True)]
    shared = frozenset(rest[0] & rest[1])  # 用交流 / 直流 share nothing: 流 belongs to the way 直流
    if any(len(w) < 2 for w in ways):  # 高还是低: a single character names no way of doing a thing
        return None
    return Choice((ways[0],), (ways[1],), shared)


def _widened(side: str, a: int, b: int, head: int, tail: int) -> str:
    """A way of one character widened by the character the two sides share beside it (横 of 横着磨:
    横着), a letter or digit to the whole code it belongs to (3 of DOT3)."""
    while a > 0 and side[a - 1].isascii() and side[a - 1].isalnum() and b > a and side[a].isascii():
        a -= 1
    while b < len(side) and side[b].isascii() and side[b].isalnum() and b > a and side[b - 1].isascii():
        b += 1
    if b - a == 1:
        a, b = (a, b + 1) if tail else (a - 1, b) if head else (a, b)
    return side[a:b]


def choice_of(question: str) -> Choice | None:
    """The choice a question offers ("是横着磨还是顺着磨", "do I … or …"), or None."""
    lang = detect_language(question)
    sides = _sides(question, lang)
    if sides is None:
        return None
    return _en_choice(*sides) if lang == "en" else _zh_choice(*sides)


def _picks(sentence: str, choice: Choice, lang: str) -> bool:
    """Does the sentence name one way whole, with all that both ways share (先, 磨, first)? Naming one
    way in passing makes no choice ("a dirty fiberglass section leaks" for "fiberglass or wood?"), so
    a choice whose ways share nothing is left to the models."""
    lowered = sentence.lower()
    said = set(_EN_TOKEN.findall(lowered)) if lang == "en" else None

    def has(word: str) -> bool:
        return word in said if said is not None else word in lowered

    return bool(choice.shared) and all(map(has, choice.shared)) and any(all(map(has, way)) for way in (choice.one, choice.other))


def choice_answers(question: str, hits: Sequence[SearchHit]) -> tuple[int, int, int] | None:
    """(chunk index, start, end) of the master's sentence that makes the question's choice, or None.
    Of several, the one writing most of the question's other words ("Taking the grounds off, …":
    "When you take them off, you go the other way: phase end first")."""
    choice = choice_of(question)
    if choice is None or not hits or not hits[0].chunk.speakers:
        return None
    lang = detect_language(question)
    context = set(subject_terms(question, lang))
    found = [(sum(held_share(t, sentence.lower(), lang) >= 0.5 for t in context), -n, i, start, end)
             for n, (i, start, end, sentence) in enumerate(statements_about(question, hits))
             if _picks(sentence, choice, lang)]
    return max(found)[2:] if found else None
