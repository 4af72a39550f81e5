"""Segment titles: a key noun phrase the speakers say themselves, the words of the opening question,
and the eval that compares title methods with VCSum's human headlines."""

from __future__ import annotations

import pytest
from drafting_kit import BENCH

from extraction.evaluate import load_meetings
from extraction.evaluate_titles import evaluate_titles
from extraction.titles import noun_phrase, question_titles


def test_a_noun_phrase_the_text_says_joins_two_key_terms():
    text = "区块链的应用很多。区块链的应用在供应链里最成熟。供应链的数据上链以后不能改。"
    assert noun_phrase(text, ["区块链", "应用", "供应链"]) == "区块链的应用"
    assert noun_phrase("pipes are small programs", ["pipes", "programs"]) == ""


def test_a_lesson_is_named_by_the_question_its_answer_takes_up():
    stretch = ["焊条怎么保管？", "焊条要放在烘箱里，电流再合适，焊条受潮也焊不好。", "受潮的焊条要烘干再用。"]
    other = ["保护气体怎么选？", "不锈钢用纯氩气，气体流量十到十五升。", "碳钢用混合气，气体要干燥。"]
    titles = question_titles([stretch, other], "zh", 1)
    assert titles[0] == "焊条" and titles[1] != titles[0]


@pytest.mark.skipif(not (BENCH / "vcsum" / "meetings.jsonl").exists(), reason="VCSum bench not present")
def test_titles_are_scored_against_human_headlines_beside_the_keyword_method():
    result = evaluate_titles(load_meetings(BENCH / "vcsum" / "meetings.jsonl")[:2])
    assert result["meetings"] == 2
    assert 0 < result["baseline_keyword_title_f1"] < 1 and 0 <= result["title_f1_loo"] < 1
    assert result["short_titles"]["keyword-2"] == 0  # two terms: never a one-word fragment
    # the drafts' method and main's keyword titles, measured in the same run
    assert result["default_method"] == "headline" and result["default_title_f1"] == result["title_f1"]["headline"]
    assert result["baseline_keyword_title_f1"] == result["title_f1"]["keyword-2"]
