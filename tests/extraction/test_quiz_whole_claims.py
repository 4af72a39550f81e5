"""A true/false item states a whole claim a learner can read: its false version is good English ("It does
mean…", not "It mean…"), and it is never a fragment, a sentence the speaker breaks off or mends, nor a
"then" of a story told; on a real oral history when ../shared is present."""

from __future__ import annotations

import re

import pytest
from drafting_kit import KNOWHOW, needs_knowhow

from extraction.checkable import checkable, stands_alone
from extraction.course import KnowledgeUnit
from extraction.evaluate_knowhow import draft_case, find_cases
from extraction.quiz import QuizWriter, opposite, write_quiz
from extraction.validate import _statement
from shifu.models import Citation


@pytest.mark.parametrize("said, made_false", [
    # before: "It mean that you can see it in a telephone" (the "doesn't" deleted, the verb left bare)
    ("It doesn't mean that you can see it in a telephone.", "It does mean that you can see it in a telephone."),
    ("You don't have to clean the nozzle after every weld.", "You do have to clean the nozzle after every weld."),
    ("A vector is a list of words.", "A vector is not a list of words."),
])
def test_a_statement_made_false_reads_as_good_english(said, made_false):
    assert opposite(said, "en") == made_false


def test_a_garbled_sentence_with_two_verbs_is_not_made_false():
    # before: "It's very like this is not the center of Unix expertise" — no claim to deny
    assert opposite("It's very like this is the center of Unix expertise.", "en") is None


def test_a_false_statement_never_needs_the_sentence_before():
    # "It does mean that you can see it in a telephone": the learner cannot tell what "it" is
    unit = KnowledgeUnit(id="u1", kind="rule", text="It doesn't mean that you can see it in a telephone.", turn_index=0,
                         score=0.9, citations=[Citation(transcript_id="t1", chunk_id="c1", start=0, end=50,
                                                        quote="It doesn't mean that you can see it in a telephone.")])
    assert QuizWriter([unit], "en").swapped(unit) is None
    whole = unit.model_copy(update={"text": "A pipe doesn't mean that the programs run one after another."})
    assert QuizWriter([whole], "en").swapped(whole) == "A pipe does mean that the programs run one after another."


@pytest.mark.parametrize("fragment", [
    "Especially if you're building languages, which is not a lot of what a tool maker does.",  # leans back
    "But since they are not syntactic operators the functions have to be embedded in arguments.",
    "Then tried to convert that into a compiler.",  # no subject
    "Just liked it because it sounded nice.",
    "Another one is that the bit blit on this thing is..",  # trails off
    "The compiler must have started with the B compiler and added the various",  # broken off, no stop
    "I'm sorry, you should keep dynamic linking and the ring structure apart.",  # mended as he speaks
    "For them to work in a for them to actually work you have to have streams.",  # starts over
    "There are constraints on the of clusters, because they must fit on a chip.",
])
def test_a_fragment_is_never_checkable(fragment):
    assert not stands_alone(fragment, "en")
    assert not checkable(fragment, "en")


@pytest.mark.parametrize("claim", [
    "Take a big problem, break it up into chunks, and then combine these solutions.",  # an order of steps
    "Then the subsequent phases take that intermediate representation and map it into object code.",
    "If the weld pool sags, you must turn the current down.",
    "Peter is a very, very fast implementer of compilers.",  # "very, very" is said once on purpose
])
def test_a_whole_claim_stands_alone(claim):
    assert stands_alone(claim, "en") and checkable(claim, "en")


def test_a_then_in_a_story_is_not_a_step_but_a_then_in_a_method_is():
    assert not checkable("You typed for awhile, and then you waited for the computer to respond.", "en")
    assert checkable("You type the command, and then you wait for the computer to respond.", "en")


def test_chinese_is_read_whole_as_said():
    assert stands_alone("先把焊枪擦干净，然后再调电流。", "zh") and checkable("先把焊枪擦干净，然后再调电流。", "zh")


def test_a_lesson_of_fragments_gets_no_true_false_but_its_rule_does():
    sentences = ["Especially if you're building languages, which is not a lot of what I've done.",
                 "Then tried to convert that into a compiler.",
                 "You must never weld a tank that held fuel, because the vapour explodes."]
    text, units = "", []
    for k, sentence in enumerate(sentences):
        start = len(text)
        text += sentence + " "
        units.append(KnowledgeUnit(id=f"u{k}", kind="rule", text=sentence, turn_index=k, score=0.9,
                                   citations=[Citation(transcript_id="t1", chunk_id="c1", start=start,
                                                       end=start + len(sentence), quote=sentence)]))
    quiz = write_quiz([("Tools", units)], units, "en", target=6)
    said = [_statement(i.stem) for i in quiz if i.type == "true_false"]
    assert said, [i.stem for i in quiz]
    assert all("weld" in s for s in said), said


@needs_knowhow
def test_thompsons_true_false_items_are_whole_sentences(settings):
    case = next(c for c in find_cases(KNOWHOW) if c.name == "thompson")
    quiz = draft_case(case, settings).draft.quiz
    said = [_statement(i.stem) for i in quiz if i.type == "true_false"]
    assert len(quiz) >= 8 and said
    # before: "Another one, is that the bit blit on this thing is.." and "For them to work in a for them to…"
    for s in said:
        assert stands_alone(s, "en"), s
        assert re.search(r"[.!?;:\"”’)]\s*$", s), s
