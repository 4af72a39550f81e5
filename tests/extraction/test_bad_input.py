"""Transcripts that cannot make a course say why; mixed Chinese and English still drafts."""

from __future__ import annotations

import pytest
from drafting_kit import interview

from extraction.offline_engine import DraftError, build_offline_draft


def _draft(t, chunks):
    return build_offline_draft([t], {t.id: chunks})


def test_a_transcript_too_short_says_so():
    t, chunks = interview([("问", "您干这行多久了？"), ("张师傅", "三十多年了。")])
    with pytest.raises(DraftError, match="too short to make a course"):
        _draft(t, chunks)


def test_a_transcript_with_no_master_turns_says_so():
    t, chunks = interview([("问", "电流怎么调？"), ("问", "保护气怎么选？"), ("问", "还有什么要注意？")])
    for turn in t.turns:
        turn.role = "interviewer"
    with pytest.raises(DraftError, match="no turns by the master"):
        _draft(t, chunks)


def test_mixed_chinese_and_english_gives_a_sensible_draft():
    answers = [
        "TIG 焊接的时候，钨极伸出喷嘴 3 到 5 毫米，千万别碰到熔池，不然钨会夹进焊缝里。",
        "We always purge the pipe with argon first, at about 15 liters per minute, before the root pass.",
        "焊接电流一般控制在每毫米板厚 30 到 40 安培，3 毫米的板一百安培左右就够了。",
        "Never grind tungsten on the same wheel you use for carbon steel, it contaminates the electrode.",
        "收弧的时候要填满弧坑，滞后送气设 5 到 8 秒，让氩气把焊缝罩住。",
        "Make sure the tungsten tip is ground lengthwise, the scratches point to the work.",
        "层间温度不能超过 150 度，焊完一层要等它凉下来，用测温枪测一下再焊下一层。",
        "The rule of thumb is 1 amp for every thousandth of an inch of material thickness.",
    ]
    turns = []
    for a in answers:
        turns += [("问", "还有呢？Anything else?"), ("Li 师傅", a)]
    t, chunks = interview(turns, title="TIG 焊 mixed")
    result = _draft(t, chunks)
    draft = result.draft
    points = [p for m in draft.modules for lesson in m.lessons for p in lesson.points]
    assert draft.language in ("zh", "en") and draft.title
    assert len(points) >= 6 and all(p.citations and not p.flags for p in points)
    assert {"warning", "measurement"} <= {p.kind for p in points}
    assert draft.quiz and all(not q.flags for q in draft.quiz)
