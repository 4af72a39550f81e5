"""A worker's "How far back should I stay?" (rag/amount.py, issue 10) is answered by the master's sentence
giving that amount in a fitting unit, where the sentences before it name what the worker names; not by
another amount, not by an amount of another thing, not over written text, not when more is asked."""

from __future__ import annotations

import pytest

from rag.amount import amount_answers, asks_amount
from rag.answerability import counted_thing, quantity_fits, subject_terms
from rag.judge import lacks_asked_quantity
from shifu.models import Chunk, SearchHit

LINEMAN = ("What should people do if they come upon a downed line? Stay away. At least thirty feet, and more if "
           "it's arcing or the ground is wet. Assume it's energized even if it isn't sparking.")
ROOFER = ("Tell me about the propane. The tanks stay upright and at least 10 feet from the torch. You check the "
          "hose for cracks every morning with soapy water.")


def _hits(text: str, speakers: tuple[str, ...] = ("Tom",)) -> list[SearchHit]:
    return [SearchHit(chunk=Chunk(id="c-0", transcript_id="t", ord=0, text=text, speakers=list(speakers),
                                  char_start=0, char_end=len(text)), score=1.0, rank=1, transcript_title="T")]


def _said(text: str, found: tuple[int, int, int] | None) -> str | None:
    return None if found is None else text[found[1] : found[2]]


@pytest.mark.parametrize(("question", "asks"), [
    ("I came across a line lying on the ground. How far back should I stay?", True),
    ("How close is a tree trimmer allowed to get to our 14.4 kV lines?", True),
    ("How long do I leave the nitrogen flowing?", True),
    ("How much of the rating do I give up?", False),  # no unit named: any number would do
    ("What do I check, and how far back should I stay?", False),  # asks more than the amount
    ("Is thirty feet far enough?", False),  # a judgement, not an amount
    ("How many snapped wires can a wire rope sling have before I have to throw it out?", True),  # counts wires
    ("How many of them do I need?", False),  # names nothing it counts
    ("How many times should I test it?", False),  # "twice" is how often, not a number of things
])
def test_a_question_asking_only_for_an_amount_in_a_unit(question: str, asks: bool) -> None:
    assert asks_amount(question) is asks


def test_the_words_asking_for_the_amount_are_no_part_of_the_subject() -> None:
    assert subject_terms("I came across a line lying on the ground. How far back should I stay?", "en") == \
        ["across", "line", "lie", "ground", "stay"]
    assert "often" not in subject_terms("How often should the homeowner change the filter?", "en")


def test_the_masters_amount_answers_when_the_sentences_before_name_the_thing() -> None:
    assert _said(LINEMAN, amount_answers("I came across a line lying on the ground. How far back should I stay?",
                                         _hits(LINEMAN))) == "At least thirty feet, and more if it's arcing or the ground is wet."
    assert _said(ROOFER, amount_answers("How far from my torch does the propane bottle have to be?", _hits(ROOFER))) \
        == "The tanks stay upright and at least 10 feet from the torch."


def test_another_amount_or_another_thing_answers_nothing() -> None:
    # a time, where a distance is asked
    assert amount_answers("How long should I stay away from a downed line?", _hits(LINEMAN)) is None
    # the distance of another thing: the thing the worker names is nowhere near it
    assert amount_answers("How far from the curb should the bucket truck's outriggers be set?", _hits(LINEMAN)) is None


def test_chinese_and_written_text_are_left_to_the_models() -> None:
    assert amount_answers("How far back should I stay from a downed line?", _hits(LINEMAN, speakers=())) is None
    text = "遇到掉在地上的电线，至少离开十米远。"
    assert amount_answers("电线掉在地上，要离多远？", _hits(text)) is None


def test_an_amount_for_another_class_or_voltage_answers_nothing() -> None:
    gloves = ("Tell me about rubber gloves. For our work we use Class 2 gloves, rated for 17,000 volts maximum use, "
              "always with leather protectors over them.")
    assert amount_answers("How many volts are Class 0 gloves rated for?", _hits(gloves)) is None
    assert _said(gloves, amount_answers("How many volts are Class 2 gloves rated for?", _hits(gloves))) == \
        "For our work we use Class 2 gloves, rated for 17,000 volts maximum use, always with leather protectors over them."


HVAC = ("What about brazing? You flow nitrogen through the lines while you braze, two to three CFH. Without it, the "
        "inside of the copper oxidizes at brazing temperature and forms black scale. That scale breaks loose later and "
        "plugs the filter drier, and you're back in six months.")


def test_an_amount_of_something_the_master_goes_on_to_answers_nothing() -> None:
    # "six months" is when the scale brings you back, not how long the nitrogen flows
    question = "How long should I leave the nitrogen flowing when brazing?"
    assert amount_answers(question, _hits(HVAC)) is None
    assert lacks_asked_quantity(question, _hits(HVAC))  # so the interview does not answer it


def test_a_hyphenated_amount_is_an_amount() -> None:
    text = "I went through a four-year apprenticeship and topped out as a journeyman."
    assert quantity_fits("How long was the apprenticeship?", text)
    assert _said(text, amount_answers("How long was the apprenticeship?", _hits(text))) == text


def test_a_figure_the_worker_names_is_no_three_subject_words() -> None:
    # "14.4 kV" must be written near, but it does not make the lineman's own distance the tree trimmer's
    said = ("What about the minimum approach distances? For our 14.4 kV distribution, a qualified lineman has to stay "
            "about two feet two inches away. Somebody who isn't a qualified electrical worker, a tree trimmer or a "
            "truck driver, has to stay at least ten feet away from lines up to 50 kV.")
    found = _said(said, amount_answers("How near can a tree trimmer get to the 14.4 kV lines?", _hits(said)))
    assert found is not None and found.startswith("Somebody who isn't a qualified electrical worker")


RIGGER = ("Let's talk about slings. How do you check them? Every sling gets looked at before every shift. For wire rope "
          "I'm looking for broken wires, kinks, crushing, birdcaging, heat damage and corrosion. The rule we go by: ten "
          "randomly distributed broken wires in one rope lay, or five broken wires in one strand in one lay, and that "
          "sling is done.")


def test_how_many_counts_the_thing_it_names() -> None:
    assert counted_thing("How many snapped wires can a wire rope sling have?") == "wires"
    assert counted_thing("How many rungs above the roof does the ladder go?") == "rungs"  # not the roof
    assert _said(RIGGER, amount_answers("How many snapped wires can a wire rope sling have before I have to throw it "
                                        "out?", _hits(RIGGER))).startswith("The rule we go by: ten randomly")
    assert not quantity_fits("How many wires can a sling lose?", "a wire rope is fine")  # "a" counts nothing


def test_a_count_of_another_kind_of_thing_answers_nothing() -> None:
    # the wires counted are the wire rope's: a chain sling is nowhere near them, so the interview does not answer
    question = "How many broken wires can a chain sling have before it comes out of service?"
    assert amount_answers(question, _hits(RIGGER)) is None
    assert lacks_asked_quantity(question, _hits(RIGGER))
    ladder = "What about ladders? The ladder sticks out 3 feet above the roof edge so you have something to hold."
    assert lacks_asked_quantity("How many rungs above the roof does the ladder go?", _hits(ladder))  # feet, no rungs


def test_an_acronym_counted_is_answered_where_the_master_spells_it_out() -> None:
    said = ("Any rule of thumb for airflow? Why the filter so early? Because a clogged filter causes half the calls we get in July. The system needs "
            "roughly 400 cubic feet per minute of airflow per ton of cooling.")
    assert _said(said, amount_answers("Rule of thumb: how many CFM per ton should the system be moving?",
                                      _hits(said))) == \
        "The system needs roughly 400 cubic feet per minute of airflow per ton of cooling."
