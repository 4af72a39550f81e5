"""Subtitle transcripts (.srt, .vtt): cue times, voice tags, markup, merging and malformed files."""

from __future__ import annotations

import pytest

from rag.parse import parse_transcript
from shifu.errors import TranscriptError
from shifu.models import Transcript

SRT = """1
00:00:01,000 --> 00:00:04,500
{\\an8}问：王店长，量脚要注意什么？

2
00:00:05,000 --> 00:00:09,000
<i>王店长：</i>脚长要站着量，

3
00:00:09,200 --> 00:00:12,000
<b>两只脚</b>都要量，按大的那只选鞋。

4
00:00:13,000 --> 00:00:15,000
问：为什么要下午量？

5
00:00:15,500 --> 00:00:19,750
王店长：下午脚会肿五到八毫米。
"""

VTT = """WEBVTT

NOTE
Title: HVAC service calls
Expert: Ray Delgado
Trade: HVAC service technician

intro
00:00:01.000 --> 00:00:04.000 align:start
<v Karen>Where should a new tech start on a no-cooling call?</v>

00:04.500 --> 00:09.000
<v.loud Ray>At the thermostat and the breaker, not at the gauges.</v>

00:09.000 --> 00:12.000
Gauges come last. Check the filter &amp; the <c.yellow>airflow</c> first.

00:12.500 --> 00:14.000
<v Karen>Why the filter?

00:14.000 --> 00:18.000
<v Ray>It needs about <00:15.000>400 cubic feet per minute per ton.
"""


def _spans_hold(t: Transcript) -> None:
    for turn in t.turns:
        assert t.text[turn.char_start : turn.char_end] == turn.text


def test_srt_cues_become_timed_turns_with_markup_stripped_and_cues_merged() -> None:
    t = parse_transcript(SRT.encode(), "鞋店.srt")
    assert [(x.speaker, x.role, x.start, x.end) for x in t.turns] == [
        ("问", "interviewer", 1.0, 4.5),
        ("王店长", "expert", 5.0, 12.0),
        ("问", "interviewer", 13.0, 15.0),
        ("王店长", "expert", 15.5, 19.75),
    ]
    assert t.turns[0].text == "王店长，量脚要注意什么？"
    assert t.turns[1].text == "脚长要站着量，两只脚都要量，按大的那只选鞋。"
    assert t.title == "鞋店" and t.expert == "王店长" and t.language == "zh"
    _spans_hold(t)


def test_vtt_voice_tags_metadata_note_and_inline_markup() -> None:
    t = parse_transcript(VTT.encode(), "hvac.vtt")
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Karen", "interviewer"),
        ("Ray", "expert"),
        ("Karen", "interviewer"),
        ("Ray", "expert"),
    ]
    assert t.turns[1].text == (
        "At the thermostat and the breaker, not at the gauges. Gauges come last. "
        "Check the filter & the airflow first."
    )
    assert (t.turns[1].start, t.turns[1].end) == (4.5, 12.0)
    assert t.turns[3].text == "It needs about 400 cubic feet per minute per ton."
    assert (t.title, t.expert, t.trade, t.language) == ("HVAC service calls", "Ray Delgado", "HVAC service technician", "en")
    _spans_hold(t)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1\n00:00:01,000 --> 00:00:02,000\n问：你好\n\n2\n00:00:03 to 00:00:04\n答：好\n", "line 5"),
        ("1\n问：没有时间轴\n", "timing line"),
        ("1\n00:00:05,000 --> 00:00:02,000\n问：倒着的时间\n", "ends"),
        ("\n\n", "empty"),
    ],
)
def test_malformed_srt_is_refused_with_the_place_to_fix(text: str, hint: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(text.encode(), "broken.srt")
    assert "broken.srt" in str(caught.value) and hint in str(caught.value)


def test_vtt_without_header_is_refused() -> None:
    with pytest.raises(TranscriptError, match="WEBVTT"):
        parse_transcript(b"00:01.000 --> 00:02.000\n<v A>hi\n", "talk.vtt")


def test_subtitles_without_any_speaker_need_an_expert() -> None:
    srt = "1\n00:00:01,000 --> 00:00:03,000\n焊缝发蓝是氧化。\n\n2\n00:00:03,000 --> 00:00:05,000\n保护气要够。\n"
    with pytest.raises(TranscriptError, match="names no speakers"):
        parse_transcript(srt.encode(), "solo.srt")
    t = parse_transcript(srt.encode(), "solo.srt", expert="张建国")
    assert [(x.speaker, x.role, x.start) for x in t.turns] == [("张建国", "expert", 1.0), ("张建国", "expert", 3.0)]
