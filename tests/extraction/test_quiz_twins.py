"""A quiz never gives its own answer away: one sentence is not asked both as the master said it and made
false, and a statement keeps its first word whole ("Somebody", not "mebody")."""

from __future__ import annotations

import re

from drafting_kit import KNOWHOW, needs_knowhow

from extraction.course import KnowledgeUnit
from extraction.evaluate_knowhow import draft_case, find_cases
from extraction.quiz import trim_lead_words, write_quiz
from shifu.models import Citation

RULES = [
    "You must never weld a tank that held fuel, because the vapour explodes.",
    "The regulator is a better guard than the gauge on a cold morning.",
]


def _units() -> list[KnowledgeUnit]:
    text, units = "", []
    for k, sentence in enumerate(RULES):
        start = len(text)
        text += sentence + " "
        units.append(KnowledgeUnit(id=f"u{k}", kind="rule", text=sentence, turn_index=k, score=0.9 - k / 10,
                                   citations=[Citation(transcript_id="t1", chunk_id="c1", start=start,
                                                       end=start + len(sentence), quote=sentence)]))
    return units


def _statements(items) -> list[str]:
    return [re.sub(r"\bnot |\bnever |\balways |\bneed not ", "", re.search(r'"(.*)"', i.stem).group(1))  # type: ignore[union-attr]
            for i in items if i.type == "true_false"]


def test_a_sentence_is_asked_once_not_as_said_and_again_made_false():
    units = _units()
    quiz = write_quiz([("Welding safety", units)], units, "en", target=6)
    assert quiz, "two rules make at least one item"
    said = _statements(quiz)
    # before: 'the master said "You must always weld a tank that held fuel…"' (false) and, two items later,
    # '…"You must never weld a tank that held fuel…"' (true): the second answers the first
    assert len(said) == len(set(said)), [i.stem for i in quiz]


def test_an_opening_filler_is_trimmed_but_a_word_that_starts_like_one_is_kept():
    assert trim_lead_words("So, somebody who does theory") == "somebody who does theory"
    assert trim_lead_words("Sometimes we threw them out") == "Sometimes we threw them out"
    assert trim_lead_words("Android phones") == "Android phones"
    assert trim_lead_words("嗯，那个，电流要调小") == "电流要调小"


@needs_knowhow
def test_kernighans_quiz_quotes_him_with_whole_words_and_never_asks_a_sentence_twice(settings):
    case = next(c for c in find_cases(KNOWHOW) if c.name == "kernighan")
    quiz = draft_case(case, settings).draft.quiz
    quoted = [re.search(r'"(.*)"', i.stem) for i in quiz if i.type == "true_false"]
    # before: 'True or false: the master said "Mebody who does purely theoretical work…"'
    assert all(not re.match(r"(?:me|metimes|mebody)\b", q.group(1), re.I) for q in quoted if q), quoted
    said = _statements(quiz)
    assert len(said) == len(set(said))
    assert len(quiz) >= 12  # the drafting floor holds


GAS = [
    "Set the regulator to 15 psi before you light the torch, because a higher pressure blows the flame off the tip.",
    "Keep the cylinder valve open no more than 2 turns, so you can shut it fast in a flashback.",
    "The hose must be replaced when it cracks, and never be patched with tape.",
    "Purge each hose for 5 seconds before lighting so no mixed gas is left in it.",
]


def test_a_sentence_with_a_blank_is_not_asked_again_made_false():
    text, units = "", []
    for k, sentence in enumerate(GAS):
        start = len(text)
        text += sentence + " "
        units.append(KnowledgeUnit(id=f"u{k}", kind="measurement" if re.search(r"\d", sentence) else "rule",
                                   text=sentence, turn_index=k, score=0.9 - k / 20,
                                   citations=[Citation(transcript_id="t1", chunk_id="c1", start=start,
                                                       end=start + len(sentence), quote=sentence)]))
    quiz = write_quiz([("Gas welding", units)], units, "en", target=10)
    blanked = [i.stem for i in quiz if "____" in i.stem]
    assert any("Set the regulator to ____" in stem for stem in blanked), [i.stem for i in quiz]
    # before: also 'the master said "Set the regulator to 30 psi before you light the torch…": true or false?',
    # whose answer the blank's key gives away (Thompson's "a plug for ____", then "a plug for 220 volts")
    assert not [i for i in quiz if i.type == "true_false" and "Set the regulator" in i.stem], [i.stem for i in quiz]
