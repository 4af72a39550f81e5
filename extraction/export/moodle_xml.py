"""Moodle XML: the quiz as a question-bank file (Question bank → Import → Moodle XML format).

Rich texts are HTML inside CDATA, with the course text HTML-escaped so a quote
like ``<script>`` stays text; short-answer keys are plain because Moodle compares
them with what the worker types.
"""

from __future__ import annotations

import html
from pathlib import Path
from xml.sax.saxutils import escape

from extraction.course import CourseDraft, QuizItem
from extraction.export.keys import choice_weights, is_true, weight_text
from extraction.export.xmltext import xml_safe


def cdata(text: str) -> str:
    """Text as a CDATA section; a ']]>' inside is split across two sections."""
    return "<![CDATA[" + xml_safe(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _html(text: str) -> str:
    return "<p>" + html.escape(text, quote=False).replace("\n", "<br>") + "</p>"


def _text(tag: str, text: str, fmt: str = "html") -> str:
    body = _html(text) if fmt == "html" and text else text
    return f'<{tag} format="{fmt}"><text>{cdata(body)}</text></{tag}>'


def _answer(fraction: float, text: str, fmt: str = "html") -> str:
    body = _html(text) if fmt == "html" else text
    return (f'<answer fraction="{weight_text(fraction)}" format="{fmt}"><text>{cdata(body)}</text>'
            '<feedback format="html"><text></text></feedback></answer>')


def _body(item: QuizItem) -> tuple[str, list[str]]:
    """The Moodle question type and the type-specific elements of one item."""
    if item.type == "true_false":
        right = is_true(item)
        return "truefalse", [_answer(100 if right else 0, "true", "moodle_auto_format"),
                             _answer(0 if right else 100, "false", "moodle_auto_format")]
    if item.type == "short_answer":
        return "shortanswer", ["<usecase>0</usecase>"] + [_answer(100, a, "moodle_auto_format") for a in item.answer]
    single = item.type == "single_choice"
    if single:
        keys = set(item.answer)
        weights = [100.0 if o in keys else 0.0 for o in item.options]
    else:
        weights = choice_weights(item)
    parts = [f"<single>{'true' if single else 'false'}</single>", "<shuffleanswers>true</shuffleanswers>",
             "<answernumbering>abc</answernumbering>"]
    return "multichoice", parts + [_answer(w, o) for o, w in zip(item.options, weights, strict=True)]


def question(item: QuizItem) -> str:
    """One quiz item as a Moodle XML <question> element."""
    kind, parts = _body(item)
    lines = [f'<question type="{kind}">', f"<name><text>{escape(xml_safe(item.id))}</text></name>",
             _text("questiontext", item.stem), _text("generalfeedback", item.explanation),
             "<defaultgrade>1</defaultgrade>", "<penalty>0.3333333</penalty>", "<hidden>0</hidden>"]
    return "\n  ".join(lines + parts) + "\n</question>"


def render(draft: CourseDraft) -> str:
    """The course's quiz as a Moodle XML document."""
    category = "$course$/top/" + " ".join(draft.title.split()).replace("/", "-")
    head = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
            f'<question type="category"><category><text>{escape(xml_safe(category))}</text></category></question>']
    return "\n".join(head + [question(item) for item in draft.quiz] + ["</quiz>", ""])


def write(draft: CourseDraft, out: Path) -> None:
    """Write the quiz as a UTF-8 Moodle XML file."""
    out.write_text(render(draft), encoding="utf-8")
