"""Plain-text and Markdown transcripts: speakers, roles, metadata, timestamps and spans."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from rag.parse import assign_spans, is_transcript_name, parse_transcript
from shifu.errors import TranscriptError
from shifu.models import Transcript, Turn

WELDING = """标题：焊工老师傅谈焊缝发蓝
专家：张建国（高级技师）
工种：焊工
企业：温州瓯江阀门有限公司
日期：2024年3月12日

问：焊缝发蓝是什么原因？
张师傅：说到底是高温下被氧化了。
主要有四个原因。
注意：氩气流量一般8到12升每分钟。

问：那要不要紧呢？
张师傅：银白、金黄都合格，深蓝灰黑的要打磨重焊。
"""


def _spans_hold(t: Transcript) -> None:
    for turn in t.turns:
        assert t.text[turn.char_start : turn.char_end] == turn.text


def test_chinese_interview_with_header_gets_turns_roles_and_metadata() -> None:
    t = parse_transcript(WELDING.encode(), "welding.txt")
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("问", "interviewer"),
        ("张师傅", "expert"),
        ("问", "interviewer"),
        ("张师傅", "expert"),
    ]
    assert t.title == "焊工老师傅谈焊缝发蓝"
    assert (t.expert, t.trade, t.enterprise) == ("张建国", "焊工", "温州瓯江阀门有限公司")
    assert t.interview_date == date(2024, 3, 12)
    assert t.language == "zh" and t.source_name == "welding.txt" and len(t.sha256) == 64 and t.id == ""
    # Continuation lines stay with the master; "注意：" inside an answer is not a speaker.
    assert t.turns[1].text == "说到底是高温下被氧化了。\n主要有四个原因。\n注意：氩气流量一般8到12升每分钟。"
    _spans_hold(t)


def test_utf16_and_gbk_files_parse_like_utf8() -> None:
    utf8 = parse_transcript(WELDING.encode(), "a.txt")
    for data in (codecs.BOM_UTF16_LE + WELDING.encode("utf-16-le"), WELDING.encode("gbk")):
        other = parse_transcript(data, "a.txt")
        assert other.text == utf8.text and other.expert == utf8.expert


def test_bracketed_timestamps_set_turn_start_and_end() -> None:
    data = "[00:12:03] 李工：先车端面。\n[00:12:20] 问：然后呢？\n[00:12:25] 李工：再车外圆，退刀沿Z向。\n"
    t = parse_transcript(data.encode(), "cnc.txt")
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [
        ("李工", 723.0, 740.0),
        ("问", 740.0, 745.0),
        ("李工", 745.0, None),
    ]
    assert t.expert == "李工"
    _spans_hold(t)


def test_exported_speaker_lines_with_time_and_words_below() -> None:
    data = "说话人1 00:00:05\n您干这行多少年了？\n\n说话人2 00:00:09\n三十年了，一直做焊工。\n\n说话人1 00:00:15\n有什么诀窍吗？\n\n说话人2 00:00:18\n多练，多看熔池。\n"
    t = parse_transcript(data.encode(), "export.txt")
    assert [x.speaker for x in t.turns] == ["说话人1", "说话人2", "说话人1", "说话人2"]
    assert t.turns[1].role == "expert" and t.turns[0].role == "interviewer"
    assert t.turns[3].start == 18.0


def test_markdown_title_bold_speakers_and_section_headings() -> None:
    data = """# 通信线路老线务员谈登高

- **专家**：陈卫东
- **工种**：通信线路维护

## 一、登高作业

**问**：上杆前要看什么？

**陈师傅**：先看杆根有没有裂纹，
再看拉线。

1. 绕杆一圈
2. 看电力线

## 二、熔接

**问**：熔接损耗多少合格？

**陈师傅**：单模一个接头小于0.05分贝。
"""
    t = parse_transcript(data.encode(), "telecom.md")
    assert t.title == "通信线路老线务员谈登高" and t.trade == "通信线路维护"
    assert [x.speaker for x in t.turns] == ["问", "陈师傅", "问", "陈师傅"]
    assert t.turns[1].text == "先看杆根有没有裂纹，再看拉线。\n1. 绕杆一圈\n2. 看电力线"
    assert t.expert == "陈卫东"
    _spans_hold(t)


def test_english_oral_history_style_roles_by_who_asks_and_who_talks() -> None:
    data = """Interview with Ken Thompson

MSM: What were those ideas and how did you first encounter them?

Thompson: My background for obtaining these ideas was Project Genie at
Berkeley. They essentially made a cleaned up version of the time sharing system,
and it had a nice clean file system.

MSM: The CTSS?

Thompson: Actually, no. Anyway they had a lot of fun ideas in there.
"""
    t = parse_transcript(data.encode(), "thompson.txt")
    assert t.title == "Interview with Ken Thompson"
    assert t.language == "en" and t.expert == "Thompson"
    assert [x.role for x in t.turns] == ["interviewer", "expert", "interviewer", "expert"]
    assert "Project Genie at Berkeley. They" in t.turns[1].text  # hard wraps joined with a space
    _spans_hold(t)


def test_roles_inferred_from_questions_when_names_say_nothing() -> None:
    data = "王芳：您觉得新人最容易犯什么错？\n刘强：不量脚就拿鞋，顾客说三十八就拿三十八，不同鞋楦差别很大。\n王芳：那怎么量呢？\n刘强：站着量，两只脚都量，下午量。\n"
    t = parse_transcript(data.encode(), "shoes.txt")
    assert t.expert == "刘强"
    assert [x.role for x in t.turns] == ["interviewer", "expert", "interviewer", "expert"]


def test_expert_override_picks_the_master_by_name() -> None:
    data = "张师傅：焊前要预热吗？\n李工：四十五号钢要预热到一百五十度以上，厚板也要预热。\n张师傅：明白。\n李工：焊完用石棉被盖上缓冷。\n"
    t = parse_transcript(data.encode(), "a.txt", expert="张建国")
    assert t.expert == "张建国"
    assert [x.role for x in t.turns] == ["expert", "interviewer", "expert", "interviewer"]


def test_q_and_a_labels_and_numbered_questions() -> None:
    data = "Q1: How tight should the gloves fit?\nA: Snug, and you air test them every single morning.\nQ2: Why?\nA: A pinhole is all it takes.\n"
    t = parse_transcript(data.encode(), "gloves.md", expert="Tom Becker")
    # "A" names a role, so the master is shown by the name the trainer gave; "Q" already says who asks.
    assert [(x.speaker, x.role) for x in t.turns] == [("Q", "interviewer"), ("Tom Becker", "expert")] * 2
    assert t.expert == "Tom Becker" and t.title == "gloves"


def test_plain_prose_without_speakers_is_refused_with_the_expected_format() -> None:
    prose = "焊缝发蓝主要是氧化。保护气不够的时候容易出现。\n\n预热要看材料和厚度。\n"
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(prose.encode(), "notes.txt")
    message = str(caught.value)
    assert "notes.txt" in message and "Speaker: text" in message and "corpus/FORMAT.md" in message


def test_plain_prose_is_the_master_speaking_when_expert_is_given() -> None:
    prose = "焊缝发蓝主要是氧化。\n\n预热要看材料和厚度。\n"
    t = parse_transcript(prose.encode(), "notes.txt", expert="张建国")
    assert [(x.speaker, x.role) for x in t.turns] == [("张建国", "expert")] * 2


def test_unsupported_extension_is_refused() -> None:
    with pytest.raises(TranscriptError, match="interview.pdf"):
        parse_transcript(b"%PDF-1.4", "interview.pdf")


def test_assign_spans_numbers_turns_and_points_into_the_joined_text() -> None:
    turns = assign_spans([Turn(index=9, speaker="问", text="为什么？"), Turn(index=9, speaker="答", text="因为氧化。")])
    assert [(t.index, t.char_start, t.char_end) for t in turns] == [(0, 0, 4), (1, 5, 10)]


def test_folder_ingest_skips_the_format_description() -> None:
    assert is_transcript_name("welding.txt") and is_transcript_name("a.DOCX")
    assert not is_transcript_name("FORMAT.md") and not is_transcript_name("notes.pdf")


def test_header_keys_that_are_also_speaker_labels() -> None:
    with_header = "Title: Lineman safety\nExpert: Tom Becker\n\nInterviewer: Why test twice?\nExpert: Because generators back-feed.\nInterviewer: Always?\nExpert: Always.\n"
    t = parse_transcript(with_header.encode(), "a.txt")
    assert t.expert == "Tom Becker" and t.title == "Lineman safety"
    assert [x.speaker for x in t.turns] == ["Interviewer", "Tom Becker"] * 2
    no_header = "专家：对。\n记者：您干了多少年？\n专家：三十年，一直在焊接车间。\n"
    t = parse_transcript(no_header.encode(), "b.txt")
    assert [x.speaker for x in t.turns] == ["专家", "记者", "专家"]
    assert t.expert is None  # a role, not a name: the trainer fills in the master's name


def test_expert_override_that_names_no_speaker_still_lets_the_header_pick_the_master() -> None:
    data = "专家：张建国\n\n张师傅：先预热，再焊。\n李工：焊完要缓冷吗？\n张师傅：厚板要，盖石棉被。\n李工：好。\n"
    t = parse_transcript(data.encode(), "a.txt", expert="王五")
    assert t.expert == "王五"
    assert {x.speaker: x.role for x in t.turns}["张师傅"] == "expert"


def test_a_role_label_is_not_taken_for_the_masters_name():
    """问/答 and numbered speakers name no one: the course would read "答的经验课" or "发言人2的经验课"."""
    qa = parse_transcript("问：焊前检查什么？\n答：先看气瓶压力，再用肥皂水试漏。\n".encode(), "qa.txt")
    assert qa.expert is None and [t.role for t in qa.turns] == ["interviewer", "expert"]
    numbered = parse_transcript("主持人：请介绍一下。\n发言人2：我们先看设备，再定参数。\n".encode(), "panel.txt")
    assert numbered.expert is None
    named = parse_transcript("问：焊前检查什么？\n李师傅：先看气瓶压力。\n".encode(), "li.txt")
    assert named.expert == "李师傅"
