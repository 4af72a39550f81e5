"""A safety question the library does not cover is never answered with confidence (issue 10, sixth
round): a worker asking for a limit or an emergency step the masters never gave is refused with
the nearby material labelled as such; what they did say is still answered. Real library (SQLite +
Chroma + BM25 in a temp dir) of interviews written for the tests (tests/data: a scaffold foreman in
English, a pump-room master in Chinese) beside the welder's demo interview.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import library_settings

from rag.answer import NEARBY_NOTE, NOT_COVERED, SAFETY_NOTE, answer_question
from rag.answerability import asked_kind, is_safety_question, judged, quantity_fits
from rag.ingest import ingest_file
from shifu.context import Context

ROOT = Path(__file__).resolve().parents[2]
SCAFFOLD = ROOT / "tests" / "data" / "scaffold_erector_en.txt"
PUMPS = ROOT / "tests" / "data" / "pump_room_zh.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Context:
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("safety-site")))
    for path in (SCAFFOLD, PUMPS, ROOT / "corpus" / "welding_tig_mig_zh_gbk.txt"):
        result = ingest_file(ctx, path)
        assert result.ok, result.error
    return ctx


def _refused_with_nearby(answer, lang: str, title: str) -> None:
    assert not answer.covered and answer.citations == []
    assert answer.answer.startswith(NOT_COVERED[lang]) and SAFETY_NOTE[lang] in answer.answer
    assert NEARBY_NOTE[lang].split("{")[0] in answer.answer and title in answer.answer  # labelled, not an answer


@pytest.mark.parametrize("question", [
    "What's the maximum load on one scaffold tie?",  # he says how often ties go in, never what one holds
    "What's the working load limit of a scaffold board?",  # he says how boards lap, never their rating
])
def test_a_limit_the_foreman_never_gave_is_refused_with_his_interview_labelled_nearby(site, question: str) -> None:
    _refused_with_nearby(answer_question(site, question), "en", "A scaffold foreman")


@pytest.mark.parametrize("question", [
    "水泵出口压力最大不能超过多少？",  # he never gives a pressure limit
    "检修的时候被水冲出来打伤了胳膊，一直流血，先怎么止血？",  # he warns of the injury, never says what to do after it
])
def test_a_limit_or_an_emergency_step_the_master_never_gave_is_refused(site, question: str) -> None:
    _refused_with_nearby(answer_question(site, question), "zh", "泵房老师傅")


def test_what_the_masters_did_say_is_still_answered(site) -> None:
    answer = answer_question(site, "With sheeting on, at what wind do we come down?")  # a limit he gave
    assert answer.covered and "at about 30" in answer.answer
    answer = answer_question(site, "机械密封一分钟漏几滴就得停泵换？")
    assert answer.covered and "一分钟超过五滴就要停泵换密封" in answer.answer


def _read_as_safety(safety: tuple[str, ...], not_safety: tuple[str, ...]) -> None:
    assert [q for q in safety if not is_safety_question(q)] == []
    assert [q for q in not_safety if is_safety_question(q)] == []


def test_limits_injuries_weather_and_signals_are_safety_questions_in_both_languages() -> None:
    _read_as_safety(("What's the working load limit of a 5/8 shackle?", "He cut his hand on the grinder, do we wrap it?",
                     "Is a tourniquet okay for a cut arm?", "How windy before we stop lifting?",
                     "What's the hand signal for stop?", "配电柜最大允许电流是多少？", "手被割伤了怎么止血？",
                     "几级风就不能吊装了？", "这根吊带用几年就得报废？",
                     "His sleeve got caught in the lathe chuck, how do we get him out?", "头发被卷入搅拌机怎么办？"),
                    ("What's the best way to coil a hose?", "面团发酵要多久？", "世界上最大的湖是哪个？"))


def test_the_devices_that_keep_a_worker_safe_and_ladders_make_a_safety_question() -> None:
    # An emergency stop, a guard, a live-line tool, a voltage tester: a wrong answer about them hurts someone.
    _read_as_safety(("Should my hot stick be fiberglass or wood?", "How do I test the pull cord along the conveyor?",
                     "Can I run the saw with the guard tied back?", "What's the right tester for checking a line dead?",
                     "传送带的拉绳开关多久试一次？", "急停按钮按下去没反应怎么办？", "砂轮机的护罩能拆了用吗？",
                     "验电笔用之前要先试一下吗？", "瞄几秒弧光要紧吗？",
                     # a ladder by its Chinese names, as "ladder" is in English; work at height
                     "人字梯能当直梯靠在墙上用吗？", "登高作业前要查什么？"),
                    # a festival's hill walk is no work at height
                    ("How often do I change the belt on the conveyor?", "传送带跑偏怎么调？", "重阳节为什么要登高？"))


def test_a_price_is_no_safety_question_and_only_money_answers_it() -> None:
    # What a pair of gloves costs hurts nobody: no "ask your supervisor" note on its refusal.
    _read_as_safety(("Is it worth the risk to skip the guard?", "价格便宜的安全带能用吗？", "How much voltage can the gloves take?"),
                    ("How much does a pair of Class 2 gloves cost?", "绝缘手套多少钱一副？", "安全帽价格是多少？",
                     "How much does it cost to recertify the hot sticks?"))
    question = "How much does a pair of Class 2 gloves cost?"
    assert not quantity_fits(question, "We use Class 2 gloves, rated for 17,000 volts maximum use.")
    assert quantity_fits(question, "A good pair runs about $120.") and quantity_fits("熔接机多少钱一台？", "一台要三万块。")
    assert quantity_fits("公司共斥资多少钱收购了这个品牌？", "斥资77亿美元收购") and not quantity_fits("公司共斥资多少钱？", "2014年收购")


def test_over_an_interview_every_question_is_judged_but_written_text_keeps_its_path() -> None:
    # A worker asks for a value, a choice, whether it is still fine, at what point to act.
    assert asked_kind("What's the wind speed limit for a tower crane?", interview=True) == "quantity"
    assert asked_kind("电缆要选多粗的？", interview=True) == "quantity"
    assert asked_kind("是先夹线上那头，还是先夹地上那头？", interview=True) == "procedure"
    assert asked_kind("用交流电焊还是直流电焊？", interview=True) == "rule"
    assert asked_kind("Red yarn showing. Still OK to use?", interview=True) == "rule"
    assert asked_kind("What's the hand signal to swing the boom left?", interview=True) == "fact"
    assert judged("What's the hand signal to swing the boom left?", interview=True)
    # Over written passages (the bench's encyclopaedia and web text) a fact question is left to the term rule.
    assert asked_kind("第一个上太空的人是谁？") == "" and not judged("第一个上太空的人是谁？")
