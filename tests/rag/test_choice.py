"""A worker's choice question (rag/choice.py, issue 10): "是横着磨还是顺着磨？", "do I clamp onto the
phase first or the ground end first?" is answered by the master's sentence that makes the choice, and
by nothing that names one way in passing."""

from __future__ import annotations

import pytest

from rag.choice import choice_answers, choice_of
from rag.judge import contradicts
from shifu.models import Chunk, SearchHit


def _hits(*texts: str, speakers: tuple[str, ...] = ("Dale",)) -> list[SearchHit]:
    return [SearchHit(chunk=Chunk(id=f"c-{i}", transcript_id="t", ord=i, text=text, speakers=list(speakers),
                                  char_start=0, char_end=len(text)),
                      score=1.0 - i / 10, rank=i + 1, transcript_title="interview")
            for i, text in enumerate(texts)]


def _answer(question: str, hits: list[SearchHit]) -> str | None:
    found = choice_answers(question, hits)
    return None if found is None else hits[found[0]].chunk.text[found[1] : found[2]]


@pytest.mark.parametrize(("question", "one", "other", "shared"), [
    ("钨针在砂轮上修尖，是横着磨还是顺着磨？", ("横着",), ("顺着",), {"磨"}),
    ("黄师傅带新徒弟，是先教拧螺丝还是先教举升机？", ("拧螺丝",), ("举升机",), {"先", "教"}),
    ("热缩管是熔接前套上，还是熔接完再套？", ("前套上",), ("完再套",), {"熔", "接"}),
    ("刹车油加的时候，是用DOT3好还是用DOT4好？", ("dot3",), ("dot4",), {"用"}),
    ("Hanging a grounding set: do I clamp onto the phase first or the ground end first?",
     ("clamp", "phase"), ("ground", "end"), {"first"}),
    ("Taking the grounds off, does the phase end come off first or the ground end first?",
     ("phase",), ("ground",), {"end", "first"}),
])
def test_the_two_ways_and_what_they_share_are_read_from_the_question(question, one, other, shared) -> None:
    choice = choice_of(question)
    assert choice is not None
    assert (choice.one, choice.other, set(choice.shared)) == (one, other, shared)


@pytest.mark.parametrize("question", [
    "热流道温控箱的温度怎么设，比料筒温度高还是低？",  # one character names no way of doing a thing
    "How much stretch or wear is too much on a chain sling?",  # no auxiliary: no choice offered
    "Which trees are the most brittle, like silver maple or cottonwood?",
    "叉车液压油多久换一次？",
])
def test_a_question_offering_no_choice_has_none(question: str) -> None:
    assert choice_of(question) is None


def test_the_sentence_that_makes_the_choice_answers_it() -> None:
    chunk = ("First you test the line dead with a proper tester on a hot stick. "
             "Then you connect the ground end of your grounding set first, to the system neutral or a driven "
             "ground rod. Only then do you connect the other end to the phase conductor, with a hot stick. "
             "When you take them off, you go the other way: phase end first, ground end last.")
    hits = _hits(chunk)
    assert _answer("Hanging a grounding set: do I clamp onto the phase first or the ground end first?", hits) \
        == ("Then you connect the ground end of your grounding set first, to the system neutral or a driven "
            "ground rod.")
    # of two sentences making a choice, the one writing the question's other words ("take them off")
    assert _answer("Taking the grounds off, does the phase end come off first or the ground end first?", hits) \
        == "When you take them off, you go the other way: phase end first, ground end last."


def test_a_chinese_choice_is_answered_by_the_way_with_what_both_share() -> None:
    chunk = "钨极要磨尖，磨成锥角30到60度。磨的时候要顺着钨极的长度方向磨，纹路是纵向的，这样电弧稳定。钨极伸出喷嘴3到5毫米。"
    assert _answer("钨极修尖，是横着磨还是顺着磨？", _hits(chunk, speakers=("张师傅",))) \
        == "磨的时候要顺着钨极的长度方向磨，纹路是纵向的，这样电弧稳定。"


def test_naming_one_way_in_passing_makes_no_choice() -> None:
    # The ways share nothing: "a dirty fiberglass section leaks" does not choose fiberglass over wood.
    chunk = "Keep the boom clean, because a dirty fiberglass section leaks current just like a dirty hot stick."
    assert _answer("Should my hot stick be fiberglass or wood?", _hits(chunk)) is None
    # 药芯焊丝 named for its slag, nothing said of using it rather than solid wire
    chunk = "焊条焊和药芯焊丝每层都有渣，不敲干净就盖上去，里面就是夹渣。"
    assert _answer("气保焊的焊丝，是用实心焊丝还是用药芯焊丝？", _hits(chunk, speakers=("张师傅",))) is None


def test_written_text_is_left_to_the_models() -> None:
    chunk = "When you take them off, you go the other way: phase end first, ground end last."
    assert _answer("Taking the grounds off, does the phase end come off first or the ground end first?",
                   _hits(chunk, speakers=())) is None


def test_a_figure_the_question_offers_is_no_other_specific() -> None:
    # "150 psig or 300 psig?" is answered by "300 psig"; a question about 35千伏 is not by 10千伏.
    assert not contradicts("Do we go to 150 psig or 300 psig on a 410A system?",
                           "We go to about 300 psig on a 410A system, check the manufacturer.")
    assert contradicts("35千伏的线路，安全距离是多少？", "10千伏的线路，安全距离是0.7米。")
    # "go to 150" is no code "to150" that "to 300" would contradict
    assert not contradicts("Should I go to 150 on the gauge?", "Bring it up to 300 and let it stand.")
    assert contradicts("What oil goes in a G76 cycle?", "For G92 we use the same oil.")
