"""Topic segmentation: a new topic is found where the interview moves on; on real VCSum
panels it beats both baselines without knowing the gold segment count."""

from __future__ import annotations

import pytest
from drafting_kit import BENCH, interview

from extraction.evaluate import evaluate_segmentation, load_meetings, pk_windowdiff
from extraction.segment import segment_texts, segment_transcript

WELD = "焊接电流要看板厚，薄板电流小一点，厚板电流大一点，焊丝也要跟着换粗的，电流和焊丝要配好。"
GAS = "保护气体要选对，不锈钢用纯氩气，碳钢用二氧化碳混合气，气体流量每分钟十到十五升就够了。"
SAFE = "安全方面一定要戴好面罩，弧光伤眼睛，焊完不要马上走，要观察半个小时防止阴燃起火。"


def _topic_interview():
    turns = []
    topics = [("电流怎么选？", WELD), ("下面我们聊聊保护气体怎么选？", GAS), ("接下来说说安全方面要注意什么？", SAFE)]
    for question, answer in topics:
        turns.append(("问", question))
        for k in range(5):
            turns.append(("张师傅", answer))
            turns.append(("问", "嗯，还有呢？" if k % 2 else "为什么？"))
        del turns[-1]
    return interview(turns, title="焊接")


def test_interview_modules_start_at_the_questions_that_change_topic():
    t, _ = _topic_interview()
    segments = segment_transcript(t)
    starts = [s.first for s in segments]
    assert len(segments) == 3
    assert [t.turns[i].text for i in starts[1:]] == ["下面我们聊聊保护气体怎么选？", "接下来说说安全方面要注意什么？"]
    # modules tile the transcript: every turn in exactly one module, spans in the text
    assert segments[0].first == 0 and segments[-1].last == len(t.turns)
    assert all(a.last == b.first for a, b in zip(segments, segments[1:], strict=False))
    assert t.text[segments[1].char_start:].startswith("下面我们聊聊")


def test_a_single_topic_stays_one_segment():
    texts = [WELD] * 12
    assert segment_texts(texts, ["A", "B"] * 6) == []


def test_pk_and_windowdiff_are_zero_for_a_perfect_guess_and_count_misses():
    assert pk_windowdiff(20, [10], [10], 5) == (0.0, 0.0)
    pk, wd = pk_windowdiff(20, [10], [], 5)
    assert pk == pytest.approx(5 / 15) and wd == pytest.approx(5 / 15)


@pytest.mark.skipif(not (BENCH / "vcsum" / "meetings.jsonl").exists(), reason="VCSum bench not present")
def test_vcsum_segmentation_beats_both_baselines_left_one_meeting_out_without_the_gold_count():
    meetings = load_meetings(BENCH / "vcsum" / "meetings.jsonl")
    result = evaluate_segmentation(meetings)  # words, speakers and cues only: fast
    assert result["meetings"] == len(meetings) >= 20
    assert result["pk"] < result["baseline_one_segment_pk"]
    assert result["pk"] < result["baseline_even_split_pk"]
    assert result["windowdiff"] < result["baseline_one_segment_windowdiff"]
    # the knobs chosen without the meeting scored must hold too, not only in sample
    assert result["pk_loo"] < result["baseline_one_segment_pk"]
    assert result["pk_loo"] < result["baseline_even_split_pk"]
    assert result["pk_in_sample"] <= result["pk_loo"]
