"""A speech-recognised transcript labels people 说话人1 / 说话人2 (Speaker 1, 发言人1, SPEAKER_00); when
its header names the master (专家：…) or the interviewer (采访人：…), citations, answers and the course
credit them by that name, never by the recogniser's number — and never by a name the file does not write.
The real file is tests/data/forklift_asr_zh.txt (an iFlytek-style export: `说话人1 00:00:03` lines,
unpunctuated words, a third voice chiming in once).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backends import library_settings

from rag.answer import answer_question, render_answer_markdown
from rag.ingest import ingest_file
from rag.parse import parse_transcript
from shifu.context import Context

FORKLIFT = Path(__file__).resolve().parents[1] / "data" / "forklift_asr_zh.txt"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Context:
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("asr-names")))
    result = ingest_file(ctx, FORKLIFT)
    assert result.ok, result.error
    return ctx


def test_a_worker_sees_the_masters_name_under_the_answer_not_the_recognisers_number(warehouse) -> None:
    answer = answer_question(warehouse, "货叉底下能不能站人？")
    assert answer.covered and answer.citations
    assert {c.speaker for c in answer.citations} == {"吴立新"}
    shown = render_answer_markdown(answer)  # what the chat and `shifu ask` show under the answer
    assert "吴立新 · 02:02" in shown and "说话人" not in shown


def test_the_header_names_replace_the_numbers_and_the_third_voice_keeps_its_label() -> None:
    t = parse_transcript(FORKLIFT.read_bytes(), FORKLIFT.name)
    said = {(x.speaker, x.role) for x in t.turns}
    assert said == {("潘婷", "interviewer"), ("吴立新", "expert"), ("说话人3", "other")}
    assert t.expert == "吴立新"
    chimes_in = [x.text for x in t.turns if x.speaker == "说话人3"]
    assert chimes_in == ["对 上个月有个小伙子就是举着货拐弯"]  # said once, still a turn of its own


def _speakers(text: str, name: str = "a.txt", expert: str | None = None) -> list[str]:
    return [x.speaker for x in parse_transcript(text.encode(), name, expert=expert).turns]


ASKS = "What do you check before you climb?"
ANSWERS = "The harness, every buckle and the lanyard, and I tug the anchor before I trust it with my weight."


def test_english_speaker_numbers_take_the_interviewee_and_interviewer_names() -> None:
    text = (f"Interviewee: Ken Lee (lineman, 30 years)\nInterviewer: Ann Marsh\n\n"
            f"Speaker 1 00:00:01\n{ASKS}\n\nSpeaker 2 00:00:04\n{ANSWERS}\n\n"
            f"Speaker 1 00:00:12\nWhy the anchor?\n\nSpeaker 2 00:00:14\nBecause a bad anchor is a fall.\n")
    assert _speakers(text) == ["Ann Marsh", "Ken Lee"] * 2


@pytest.mark.parametrize("asks, answers", [
    ("说话人 1 00:00:01\n", "说话人 2 00:00:05\n"),  # Feishu puts a space before the number
    ("发言人 1：", "发言人 2："),
    ("Speaker A 00:00:01\n", "Speaker B 00:00:05\n"),
])
def test_the_recognisers_spellings_of_a_number_take_the_names(asks: str, answers: str) -> None:
    text = (f"专家：吴立新\n采访人：潘婷\n\n{asks}您开了多少年叉车？\n\n{answers}十九年了，一直在这个仓库，带过六个徒弟。\n\n"
            f"{asks}有什么诀窍吗？\n\n{answers}慢一点，看清楚再动。\n")
    assert _speakers(text) == ["潘婷", "吴立新"] * 2


def test_a_role_word_answering_takes_the_name_and_the_askers_word_stays() -> None:
    text = "受访者：张建国（焊工）\n采访人：陈敏\n\n问：焊缝发蓝是什么原因？\n答：高温下被氧化了，保护气不够。\n问：怎么防？\n答：加大气流量，收弧滞后送气。\n"
    assert _speakers(text) == ["问", "张建国"] * 2  # "问" already says who asks


def test_the_name_a_trainer_types_names_the_master_of_a_file_without_a_header() -> None:
    text = "发言人1：您开了多少年叉车？\n发言人2：十九年了，一直在这个仓库，带过六个徒弟。\n发言人1：有什么诀窍吗？\n发言人2：慢一点，看清楚再动。\n"
    assert _speakers(text, expert="吴立新") == ["发言人1", "吴立新"] * 2


def test_a_name_only_said_in_the_interview_is_never_taken_as_the_label() -> None:
    text = "说话人1：您贵姓？\n说话人2：我叫吴立新，开叉车十九年了，带过六个徒弟。\n说话人1：有什么诀窍吗？\n说话人2：慢一点，看清楚再动。\n"
    t = parse_transcript(text.encode(), "a.txt")
    assert [x.speaker for x in t.turns] == ["说话人1", "说话人2"] * 2 and t.expert is None


def test_two_voices_answering_at_length_keep_their_labels_since_the_header_cannot_say_which_is_which() -> None:
    long_a = "货叉要插到底，插进托盘三分之二以上，叉起来离地十到二十公分就走，不要举高了走，转弯先减速。"
    long_b = "充电要在充电区，充满了先关充电机再拔插头，电瓶水每周看一次，液面低了加蒸馏水，不能加自来水。"
    text = f"专家：吴立新\n\n说话人1：您讲讲？\n说话人2：{long_a}\n说话人3：{long_b}\n说话人1：还有吗？\n说话人2：{long_a}\n说话人3：{long_b}\n"
    t = parse_transcript(text.encode(), "a.txt")
    assert {x.speaker for x in t.turns} == {"说话人1", "说话人2", "说话人3"}
    assert t.expert == "吴立新"  # still the transcript's master, as the header says


def test_json_from_a_diariser_takes_the_experts_name() -> None:
    doc = {"title": "Tree felling", "expert": {"name": "Dana Whitfield"}, "turns": [
        {"speaker": "SPEAKER_00", "text": ASKS}, {"speaker": "SPEAKER_01", "text": ANSWERS},
        {"speaker": "SPEAKER_00", "text": "And after that?"}, {"speaker": "SPEAKER_01", "text": ANSWERS}]}
    assert _speakers(json.dumps(doc), "felling.json") == ["SPEAKER_00", "Dana Whitfield"] * 2
