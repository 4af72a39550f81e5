"""A worker's "How do I discharge the run capacitor?" and the master's sentence that tells him to do that
very thing: "… then discharge the capacitor through a resistor".

The master instructs by the act and the thing it is done to; a sentence of his (not a question) with a
clause writing the question's verb and, after it, the head of its object answers a how-to question, in an
interview that is about the question (rag.about.statements_about). English only: a Chinese question's verb and
object are the judge's (its windows), and an English verb phrase is read reliably from its words.
The chat's one decision (rag.judge.decide) answers with it where the models refuse, as with the master's
rule and a choice he makes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.about import statements_about
from rag.language import detect_language
from rag.sentences import english_words
from shifu.models import SearchHit

__all__ = ["how_to_answers", "how_to_of"]

_HOW = re.compile(r"\bhow (?:do|should|can|would|could|must|shall) (?:i|you|we)\s+"
                  r"(?:(?:safely|properly|correctly|best)\s+)?([a-z]+)\s+([^?.,;!]*)", re.IGNORECASE)
# the object ends where the question goes on to its circumstances: "the run capacitor | before I put …"
_OBJECT_ENDS = re.compile(r"\b(?:before|after|when|while|if|on|in|with|for|at|so|to|from|and|or|without|that|"
                          r"which|until|during)\b", re.IGNORECASE)
# verbs that ask how to find something out or get somewhere, not how to do an act on a thing
_NO_ACT = frozenset(english_words("know tell get make do go find see keep be have"))
_CLAUSE = re.compile(r"[^,;:]+")


def how_to_of(question: str) -> tuple[str, str] | None:
    """(verb, head of its object) of an English how-to question, as stems ("discharg", "capacitor"), or None."""
    if detect_language(question) != "en":
        return None
    m = _HOW.search(question)
    if m is None:
        return None
    verb = english_words(m.group(1))
    thing = english_words(_OBJECT_ENDS.split(m.group(2))[0])
    if not verb or verb[0] in _NO_ACT or not thing:
        return None
    return verb[0], thing[-1]


def _instructs(sentence: str, verb: str, thing: str) -> bool:
    """Does a clause of the sentence write the verb and, after it, the thing?"""
    for clause in _CLAUSE.findall(sentence):
        words = english_words(clause)
        if verb in words and thing in words[words.index(verb) + 1 :]:
            return True
    return False


def how_to_answers(question: str, hits: Sequence[SearchHit]) -> tuple[int, int, int] | None:
    """(chunk index, start, end) of the master's sentence that tells how to do what the question asks, or None."""
    asked = how_to_of(question)
    if asked is None or not hits or not hits[0].chunk.speakers:
        return None
    return next(((i, start, end) for i, start, end, sentence in statements_about(question, hits)
                 if _instructs(sentence, *asked)), None)
