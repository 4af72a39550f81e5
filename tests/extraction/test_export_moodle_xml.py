"""Moodle XML: well-formed, every question type Moodle knows, keys and texts intact."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree as ET

import pytest
from conftest_export import welding_course

from extraction.export import export_course
from extraction.export.moodle_xml import cdata


def _plain(rich: str) -> str:
    """What Moodle shows for an HTML text: tags gone, entities decoded."""
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"</?p>", "", rich)))


@pytest.fixture(scope="module")
def course():
    return welding_course()


@pytest.fixture
def questions(course, tmp_path):
    path = export_course(course, "moodle-xml", tmp_path / "quiz.xml")
    root = ET.parse(path).getroot()
    assert root.tag == "quiz"
    return root.findall("question")


def test_cdata_survives_its_own_terminator():
    wrapped = f"<t>{cdata('a]]>b')}</t>"
    assert ET.fromstring(wrapped).text == "a]]>b"


def test_category_then_one_question_per_item(course, questions):
    assert questions[0].get("type") == "category"
    assert [q.get("type") for q in questions[1:]] == [
        "multichoice", "multichoice", "truefalse", "truefalse", "shortanswer", "multichoice", "shortanswer", "multichoice"]
    assert [q.findtext("name/text") for q in questions[1:]] == [item.id for item in course.quiz]


def test_texts_come_back_and_markup_stays_text(course, questions):
    for item, q in zip(course.quiz, questions[1:], strict=True):
        stem = q.findtext("questiontext/text")
        assert "<script" not in stem
        assert _plain(stem) == item.stem
        assert _plain(q.findtext("generalfeedback/text")) == item.explanation


def test_choice_keys_and_weights(course, questions):
    for item, q in zip(course.quiz, questions[1:], strict=True):
        answers = q.findall("answer")
        if item.type in ("single_choice", "multiple_choice"):
            assert [_plain(a.findtext("text")) for a in answers] == item.options
            keys = [_plain(a.findtext("text")) for a in answers if float(a.get("fraction")) > 0]
            assert keys == item.answer
            assert q.findtext("single") == ("true" if item.type == "single_choice" else "false")
    multi = [float(a.get("fraction")) for a in questions[2].findall("answer")]
    assert multi == [50, 50, -50, -50]


def test_true_false_and_short_answers(course, questions):
    tf = {a.findtext("text"): a.get("fraction") for a in questions[3].findall("answer")}
    assert tf == {"true": "0", "false": "100"}
    short = [a.findtext("text") for a in questions[5].findall("answer")]
    assert short == ["10~15", "10到15毫米"]  # plain, as the worker types them


def test_control_characters_never_break_the_file(tmp_path):
    course = welding_course()
    course.quiz[0].stem += "\x0b\x00"
    path = export_course(course, "moodle-xml", tmp_path / "quiz.xml")
    ET.parse(path)
