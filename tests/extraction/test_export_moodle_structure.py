"""Moodle XML read the way Moodle's importer reads it (question/format/xml/format.php, and the
shapes of its import fixtures in question/format/xml/tests/fixtures): the elements and attributes
it looks for, in the values it accepts. An element it does not know is silently dropped, and one
grade outside its list stops the whole import, so both are checked here."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from conftest_export import english_course, welding_course

from extraction.course import QuizItem
from extraction.export import export_course
from extraction.export.moodle_xml import render

# What the importer reads: import_headers() for every question, then each type's own reader.
HEADERS = {"name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber"}
READS = {
    "multichoice": HEADERS | {"single", "shuffleanswers", "answernumbering", "answer", "correctfeedback",
                              "partiallycorrectfeedback", "incorrectfeedback", "shownumcorrect",
                              "showstandardinstruction"},
    "truefalse": HEADERS | {"answer"},
    "shortanswer": HEADERS | {"usecase", "answer"},
}
TEXT_FORMATS = {"html", "moodle_auto_format", "plain_text", "markdown"}
NUMBERINGS = {"none", "abc", "ABCD", "123", "iii", "IIII"}


def moodle_grades() -> list[float]:
    """question_bank::fraction_options_full: p/q for q <= 6, p/10, 1/q for q <= 10, 1/20; and negatives."""
    shares = {p / q for q in range(1, 7) for p in range(q + 1)} | {p / 10 for p in range(11)}
    shares |= {1 / q for q in range(1, 11)} | {0.05}
    return sorted(shares | {-s for s in shares})


def valid_grade(fraction: str) -> bool:
    """Moodle's match_grade_options in 'error' mode: within 0.00001 of a listed grade."""
    return any(abs(float(fraction) / 100 - g) < 0.00001 for g in moodle_grades())


def question_problems(q: ET.Element) -> list[str]:
    """What Moodle's importer would drop, refuse or misread in one <question>."""
    kind = q.get("type")
    if kind == "category":
        return [] if (q.findtext("category/text") or "").startswith("$course$/") else ["category path"]
    if kind not in READS:
        return [f"type {kind!r} is not one shifu writes"]
    found = [f"<{c.tag}> is not read for {kind}" for c in q if c.tag not in READS[kind]]
    if not (q.findtext("name/text") or "").strip():
        found.append("no name")
    for tag in ("questiontext", "generalfeedback"):
        if q.find(tag) is None or q.find(tag).get("format") not in TEXT_FORMATS:
            found.append(f"<{tag}> without a known format")
    answers = q.findall("answer")
    fractions = [a.get("fraction", "") for a in answers]
    found += [f"grade {f!r} is not in Moodle's list" for f in fractions if not valid_grade(f)]
    found += [f"answer format {a.get('format')!r}" for a in answers if a.get("format") not in TEXT_FORMATS]
    if kind == "truefalse":
        by_text = {a.findtext("text"): float(a.get("fraction")) for a in answers}
        if sorted(by_text) != ["false", "true"] or sorted(by_text.values()) != [0, 100]:
            found.append(f"true/false answers {by_text}")
    if kind == "multichoice":
        single = q.findtext("single")
        positive = [float(f) for f in fractions if float(f) > 0]
        if single not in ("true", "false") or q.findtext("answernumbering") not in NUMBERINGS:
            found.append("single / answernumbering")
        elif single == "true" and positive != [100]:
            found.append(f"single choice with grades {fractions}")
        elif single == "false" and round(sum(positive), 2) != 100:  # Moodle: 'the grades do not add up to 100%'
            found.append(f"multiple choice grades add up to {sum(positive)}")
    if kind == "shortanswer" and (q.findtext("usecase") not in ("0", "1") or not answers):
        found.append("usecase / answers")
    return found


def many_options_course():
    course = welding_course()
    wide = QuizItem(id="q-wide", type="multiple_choice", stem="哪些是焊接参数？",
                    options=["电流", "电压", "焊速"] + [f"干扰项{i}" for i in range(12)],
                    answer=["电流", "电压", "焊速"], citations=course.quiz[0].citations)
    seven = wide.model_copy(update={"id": "q-seven", "options": wide.options[:7]})
    return course.model_copy(update={"quiz": [*course.quiz, wide, seven]})


@pytest.mark.parametrize("make", [welding_course, english_course, many_options_course])
def test_every_question_reads_as_moodle_reads_it(make, tmp_path):
    root = ET.parse(export_course(make(), "moodle-xml", tmp_path / "quiz.xml")).getroot()
    assert root.tag == "quiz"
    assert {q: question_problems(q) for q in root} == {q: [] for q in root}


def test_the_check_finds_what_moodle_would_refuse():
    course = welding_course()
    root = ET.fromstring(render(course))
    multi = root[2]
    multi.find("answer").set("fraction", "33")  # the grade Moodle's error_invalid_grades fixture refuses
    ET.SubElement(multi, "tags")
    assert question_problems(multi) == ["<tags> is not read for multichoice", "grade '33' is not in Moodle's list",
                                        "multiple choice grades add up to 83.0"]
    tf = root[3]
    tf.find("answer/text").text = "正确"
    assert question_problems(tf)
