"""A worker's "How far back should I stay?" and the master's sentence that gives that amount: "At least
thirty feet, and more if it's arcing or the ground is wet."

An English question asking only for an amount in a unit it names (how far, how close, how long, how many
volts) is answered by a statement of the master's writing a number with a fitting unit
(rag.answerability.quantity_fits), in an interview about the question (rag.about.chunks_about), when
- that statement names something the question names ("ground"), and
- with the two sentences before it (the interviewer's question often names the thing: "a downed line")
  it holds at least half of the question's subject words and every code or figure the question names
  (Class 0, 14.4 kV: another class or voltage is another thing).
The chat's one decision (rag.judge.decide) answers with it, as with the master's rule, a choice he makes
and his instruction on an act; evidence that falls short still refuses. Where no such statement is found,
an English question asking only for an amount is not answered by the interview (rag.judge.lacks_asked_quantity).
Chinese questions keep the models and the judge: a Chinese question's nouns, read by jieba, are too few
to tell the thing an amount is of (measured: three near-topic safety questions answered).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.about import ABOUT, chunks_about
from rag.answerability import (
    asked_kind,
    asked_units,
    counted_thing,
    held_share,
    quantity_fits,
    specifics,
    subject_terms,
    written,
)
from rag.language import detect_language
from rag.sentences import acronyms, english_words, is_question, sentence_spans, spelled_out
from shifu.models import SearchHit

__all__ = ["ASKS_MORE", "amount_answers", "asks_amount"]

# A question asking for something besides the amount ("Who wrote grep and how long did it take?")
# may be answered by its other part.
ASKS_MORE = re.compile(r"\b(?:who|what|which|where|why)\b|谁|什么|哪|为什么|为啥|怎么|咋", re.IGNORECASE)
_BEFORE = 2  # sentences before the amount that may name its thing: the interviewer's question, the master's lead-in


def asks_amount(question: str) -> bool:
    """Does the question ask only for an amount in a unit it names (几年, 多少度, how far, how many minutes)?"""
    return asked_kind(question, interview=True) == "quantity" and asked_units(question) is not None \
        and not ASKS_MORE.search(question)


def amount_answers(question: str, hits: Sequence[SearchHit]) -> tuple[int, int, int] | None:
    """(chunk index, start, end) of the master's sentence giving the amount the question asks for, or None."""
    lang = detect_language(question)
    if lang != "en" or not hits or not hits[0].chunk.speakers or not asks_amount(question):
        return None
    named = specifics(question, lang)  # Class 0, 14.4 kV: another class or voltage is another thing
    # the figures are read whole as codes above: "14.4 kV" is not three subject words (14, 4, kv)
    # nor is what "how many X" counts: X is the unit, written with the number ("ten … broken wires")
    unit = set(english_words(counted_thing(question) or ""))
    subject = [t for t in subject_terms(question, lang) if not t.isdigit() and t not in unit]
    acronyms_named = acronyms(question)
    for i in chunks_about(question, hits):
        text = hits[i].chunk.text
        spans = [(a, b) for a, b in sentence_spans(text) if text[a:b].strip()]
        for j, (a, b) in enumerate(spans):
            sentence = text[a:b]
            if is_question(sentence) or not quantity_fits(question, sentence):
                continue
            around = " ".join(text[x:y] for x, y in spans[max(0, j - _BEFORE) : j + 1]).lower()
            if subject and not any(held_share(t, sentence.lower(), lang) >= ABOUT for t in subject):
                continue  # an amount of something else the master goes on to ("you're back in six months")
            if sum(_holds(t, around, acronyms_named) for t in subject) >= ABOUT * len(subject) \
                    and all(written(code, around) for code in named):
                return i, a + len(sentence) - len(sentence.lstrip()), b
    return None


def _holds(term: str, text: str, acronyms_named: set[str]) -> bool:
    """Does the text hold the subject word, an acronym the worker writes (CFM) also where the master spells
    it out ("cubic feet per minute")?"""
    return held_share(term, text, "en") >= ABOUT or (term in acronyms_named and spelled_out(term, text))
