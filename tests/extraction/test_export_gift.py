"""GIFT: every question survives a round trip through a GIFT reader, special characters and Chinese included."""

from __future__ import annotations

import pytest
from conftest_export import welding_course

from extraction.export import export_course
from extraction.export.gift import gift_escape, parse_gift


@pytest.fixture(scope="module")
def course():
    return welding_course()


@pytest.fixture
def parsed(course, tmp_path):
    path = export_course(course, "gift", tmp_path / "quiz.gift.txt")
    return path.read_text(encoding="utf-8"), parse_gift(path.read_text(encoding="utf-8"))


def test_every_special_character_is_escaped():
    assert gift_escape("a{b}c~d=e#f:g\\h") == "a\\{b\\}c\\~d\\=e\\#f\\:g\\\\h"
    assert gift_escape("两行\n文字") == "两行\\n文字"


def test_one_question_per_item_with_its_name(course, parsed):
    text, questions = parsed
    assert [q.name for q in questions] == [item.id for item in course.quiz]
    assert "\\{120\\}\\~140安培" in text
    assert "::q3::[html]刚焊完的工件可以用手摸 &amp; 试温度。{F####" in text  # T/F opens its answer block
    assert all(q.category == " ".join(course.title.split()) for q in questions)


def test_stems_and_options_come_back_verbatim(course, parsed):
    _, questions = parsed
    for item, q in zip(course.quiz, questions, strict=True):
        assert q.stem == item.stem
        if item.type in ("single_choice", "multiple_choice"):
            assert [a.text for a in q.answers] == item.options


def test_answer_keys_and_partial_credit(course, parsed):
    _, questions = parsed
    by_id = {q.name: q for q in questions}
    assert [a.weight for a in by_id["q1"].answers] == [100, 0, 0, 0]
    assert [a.weight for a in by_id["q2"].answers] == [50, 50, -50, -50]
    assert [a.weight for a in by_id["q8"].answers] == [33.33333, 33.33333, 33.33333, -50, -50]
    assert (by_id["q3"].kind, by_id["q3"].truth) == ("truefalse", False)
    assert (by_id["q4"].kind, by_id["q4"].truth) == ("truefalse", True)
    assert by_id["q5"].kind == "shortanswer"
    assert [a.text for a in by_id["q5"].answers] == ["10~15", "10到15毫米"]
    for item in course.quiz:
        if item.type in ("single_choice", "multiple_choice"):
            keys = [a.text for a in by_id[item.id].answers if a.weight > 0]
            assert keys == item.answer


def test_explanation_is_general_feedback_and_html_stays_text(course, parsed):
    text, questions = parsed
    assert questions[0].general_feedback == course.quiz[0].explanation
    assert questions[2].general_feedback == course.quiz[2].explanation
    assert "<script>" not in text  # Moodle reads [html] text: markup must arrive escaped


def test_reads_gift_written_by_hand():
    text = """// from the Moodle docs
::Grant::Who's buried in Grant's tomb?{~Grant ~Jefferson =no one#right!}

Grant was born in 1822.{TRUE}

::Tomb::Who's buried in Grant's tomb?{=no one =nobody}
"""
    first, second, third = parse_gift(text)
    assert first.name == "Grant" and first.answers[2].text == "no one" and first.answers[2].feedback == "right!"
    assert second.kind == "truefalse" and second.truth is True
    assert third.kind == "shortanswer" and [a.text for a in third.answers] == ["no one", "nobody"]
