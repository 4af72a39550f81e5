"""A version's note in the version picker reads in the reviewer's language, first drafts included."""

from __future__ import annotations

import re

from ui.web.review import note_text


def test_a_first_drafts_note_reads_in_chinese_and_stays_english_in_english():
    note = "offline draft: 8 quiz items, 2 flagged problem(s), 1 model output(s) rejected (offline content kept there)"
    shown = note_text(note, "zh")
    assert shown == "起草：8 道测验题，2 处校验提示，1 处模型输出被退回"
    assert not re.search(r"[A-Za-z]{3,}", shown)
    assert note_text(note, "en") == note
    assert note_text("llm draft: 3 quiz items, 0 flagged problem(s)", "zh") == "起草：3 道测验题，0 处校验提示"
