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


def test_renaming_the_course_reads_in_chinese_with_the_new_title_verbatim():
    """The note of a rename of the course itself ("rename course: …") had kept the English word."""
    shown = note_text("rename course: Welding basics 焊接入门", "zh")
    assert shown == "重命名 课程: Welding basics 焊接入门"
    assert "course" not in shown
    assert note_text("rename 1.2: 焊前检查", "zh") == "重命名 1.2: 焊前检查"
    assert note_text("rename course: 焊接入门", "en") == "rename course: 焊接入门"
