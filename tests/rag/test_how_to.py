"""A worker's how-to question (rag/how_to.py, issue 10): "How do I safely discharge the run capacitor?" is
answered by the master's sentence telling to discharge the capacitor, and by nothing that only names
the thing or the act."""

from __future__ import annotations

import pytest

from rag.how_to import how_to_answers, how_to_of
from shifu.models import Chunk, SearchHit

HVAC = ("Capacitors fail a lot in the heat. A capacitor can hold a charge after the power is off. "
        "Before you put a meter on it, kill the disconnect, verify zero voltage with your meter, then discharge "
        "the capacitor through a resistor, something like a 20,000 ohm, 5 watt resistor with insulated leads. "
        "Never short it with a screwdriver.")


def _hits(text: str, speakers: tuple[str, ...] = ("Ray",)) -> list[SearchHit]:
    return [SearchHit(chunk=Chunk(id="c-0", transcript_id="hvac", ord=0, text=text, speakers=list(speakers),
                                  char_start=0, char_end=len(text)), score=1.0, rank=1, transcript_title="HVAC")]


@pytest.mark.parametrize(("question", "asked"), [
    ("Power's off at the condenser. How do I safely discharge the run capacitor before I put my meter on it?",
     ("discharg", "capacitor")),
    ("How should I clean my hot sticks and where do I keep them?", ("clean", "stick")),
    ("How do I know the guys below are ok?", None),  # finding out is no act done to a thing
    ("How many CFM per ton should the system move?", None),
    ("钨极怎么磨？", None),  # Chinese verbs and objects are the judge's
])
def test_the_act_and_its_thing_are_read_from_the_question(question: str, asked: tuple[str, str] | None) -> None:
    assert how_to_of(question) == asked


def test_the_masters_instruction_on_that_act_and_thing_answers() -> None:
    found = how_to_answers("Power's off at the condenser. How do I safely discharge the run capacitor before I "
                           "put my meter on it?", _hits(HVAC))
    assert found is not None
    assert HVAC[found[1] : found[2]].startswith("Before you put a meter on it, kill the disconnect")


def test_naming_the_thing_or_the_act_alone_answers_nothing() -> None:
    # capacitor named, never replaced; the act of another thing
    assert how_to_answers("How do I replace the run capacitor?", _hits(HVAC)) is None
    assert how_to_answers("How do I discharge the blower motor?", _hits(HVAC)) is None
    # the thing before the act is no instruction to do it ("the capacitor … discharge" in another order)
    assert how_to_answers("How do I discharge the capacitor?", _hits("The capacitor was bad, we did not discharge.")) \
        is None


def test_written_text_is_left_to_the_models() -> None:
    assert how_to_answers("How do I safely discharge the run capacitor?", _hits(HVAC, speakers=())) is None
