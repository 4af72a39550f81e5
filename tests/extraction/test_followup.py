"""Gaps in what the master said become questions for the next interview, each citing where."""

from __future__ import annotations

from drafting_kit import corpus, interview

from extraction.offline_engine import build_offline_draft


def test_steps_without_reasons_unexplained_tools_and_missing_warnings_become_questions():
    steps = ["先把坡口打磨干净，露出金属光泽，两边各二十毫米都要打到。",
             "然后用角磨机开一个六十度的坡口，钝边留一到两毫米。",
             "接着点焊四个点固定，从下往上焊打底，焊完再盖面。",
             "最后用钢丝刷把焊渣刷掉，看看焊缝有没有气孔和夹渣。"]
    turns = []
    for s in steps * 2:
        turns += [("问", "下一步呢？"), ("王师傅", s)]
    t, chunks = interview(turns, title="开坡口", expert="王师傅")
    draft = build_offline_draft([t], {t.id: chunks}).draft
    questions = draft.follow_up_questions
    reasons = " ".join(q.reason for q in questions)
    assert "没有任何安全警示" in reasons  # steps, and not one warning
    assert "没有说原因" in reasons  # a step given without its why
    for q in questions:
        assert q.question.strip() and q.citations
        assert all(t.text[c.start:c.end] == c.quote for c in q.citations)


def test_english_follow_ups_are_in_english():
    t, chunks = corpus("lineman_safety_en.json")
    draft = build_offline_draft([t], {t.id: chunks}).draft
    assert draft.follow_up_questions
    assert all(q.question.isascii() or "“" not in q.question for q in draft.follow_up_questions)
