"""Moodle GIFT: the quiz as a text file any Moodle imports (Question bank → Import → GIFT).

Question text and options are written as ``[html]`` with HTML escaped, so a quote
like ``<script>`` shows as text; short-answer keys stay plain because Moodle
compares them with what the worker types. ``parse_gift`` reads the subset back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from extraction.course import CourseDraft, QuizItem
from extraction.export.keys import choice_weights, is_true, weight_text

_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(text: str) -> str:
    """Text with GIFT's control characters escaped; newlines become \\n so no blank line splits it."""
    escaped = _SPECIAL.sub(r"\\\1", text.replace("\r\n", "\n"))
    return escaped.replace("\n", "\\n")


def _rich(text: str) -> str:
    return gift_escape(html.escape(text, quote=False))


def _answers(item: QuizItem) -> list[str]:
    if item.type == "true_false":
        return ["T" if is_true(item) else "F"]
    if item.type == "short_answer":
        return [f"={gift_escape(a)}" for a in item.answer]
    if item.type == "single_choice":
        keys = set(item.answer)
        return [("=" if o in keys else "~") + _rich(o) for o in item.options]
    weights = choice_weights(item)
    return [f"~%{weight_text(w)}%{_rich(o)}" for o, w in zip(item.options, weights, strict=True)]


def question(item: QuizItem) -> str:
    """One quiz item as a GIFT question (no blank line inside)."""
    head = f"::{gift_escape(item.id)}::[html]{_rich(item.stem)}{{"
    feedback = f"####{_rich(item.explanation)}" if item.explanation else ""
    if item.type == "true_false":  # Moodle reads T/F only when it starts the answer block
        return f"{head}{_answers(item)[0]}{feedback}}}"
    return "\n".join([head, *_answers(item), *([feedback] if feedback else []), "}"])


def render(draft: CourseDraft) -> str:
    """The course's quiz as GIFT text, one question per paragraph."""
    title = " ".join(draft.title.split())
    head = [f"// shifu: {title}", f"$CATEGORY: {title.replace('/', '-')}"]
    return "\n\n".join(head + [question(item) for item in draft.quiz]) + "\n"


def write(draft: CourseDraft, out: Path) -> None:
    """Write the quiz as a UTF-8 GIFT file."""
    out.write_text(render(draft), encoding="utf-8")


# --- reading GIFT back (the subset written above, as Moodle reads it) ---


@dataclass
class GiftAnswer:
    text: str
    weight: float  # percent of the mark; 100 = the key
    feedback: str = ""


@dataclass
class GiftQuestion:
    name: str
    stem: str
    kind: str  # multichoice | truefalse | shortanswer
    answers: list[GiftAnswer] = field(default_factory=list)
    truth: bool | None = None
    general_feedback: str = ""
    category: str = ""


def _find(text: str, token: str, start: int = 0) -> int:
    """Index of the first unescaped token at or after start, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text, flags=re.S).strip()


def _split_answers(block: str) -> list[tuple[str, str]]:
    """(marker, body) for each answer in an answer block: marker is '=' or '~'."""
    parts: list[tuple[str, str]] = []
    i = 0
    while i < len(block):
        if block[i] == "\\":
            if parts:
                parts[-1] = (parts[-1][0], parts[-1][1] + block[i : i + 2])
            i += 2
            continue
        if block[i] in "=~":
            parts.append((block[i], ""))
        elif parts:
            parts[-1] = (parts[-1][0], parts[-1][1] + block[i])
        i += 1
    return parts


def _answer(marker: str, body: str, is_html: bool) -> GiftAnswer:
    weight = 100.0 if marker == "=" else 0.0
    found = re.match(r"\s*%(-?[\d.]+)%", body)
    if found:
        weight, body = float(found.group(1)), body[found.end() :]
    cut = _find(body, "#")
    text, feedback = (body, "") if cut < 0 else (body[:cut], body[cut + 1 :])
    text = _unescape(text)
    return GiftAnswer(html.unescape(text) if is_html else text, weight, _unescape(feedback))


def _question(block: str, category: str) -> GiftQuestion:
    name = ""
    body = block.strip()
    if body.startswith("::"):
        end = _find(body, "::", 2)
        name, body = _unescape(body[2:end]), body[end + 2 :].lstrip()
    fmt = re.match(r"\[(\w+)\]", body)
    is_html = fmt is not None and fmt.group(1) == "html"
    if fmt:
        body = body[fmt.end() :]
    open_at = _find(body, "{")
    close_at = _find(body, "}", open_at)
    stem = _unescape(body[:open_at] + " " + body[close_at + 1 :])
    inside = body[open_at + 1 : close_at]
    general = ""
    cut = _find(inside, "####")
    if cut >= 0:
        inside, general = inside[:cut], _unescape(inside[cut + 4 :])
    q = GiftQuestion(name, html.unescape(stem) if is_html else stem, "multichoice", category=category)
    q.general_feedback = html.unescape(general) if is_html else general
    word = inside.strip().split("#")[0].upper()
    if word in ("T", "TRUE", "F", "FALSE"):
        q.kind, q.truth = "truefalse", word.startswith("T")
        return q
    parts = _split_answers(inside)
    if all(marker == "=" for marker, _ in parts):
        q.kind = "shortanswer"
        q.answers = [_answer(m, b, False) for m, b in parts]
    else:
        q.answers = [_answer(m, b, is_html) for m, b in parts]
    return q


def parse_gift(text: str) -> list[GiftQuestion]:
    """Read GIFT questions (multiple choice, true/false, short answer) with names and feedback."""
    questions: list[GiftQuestion] = []
    category = ""
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln for ln in block.split("\n") if not ln.lstrip().startswith("//")]
        for ln in list(lines):
            if ln.startswith("$CATEGORY:"):
                category = ln.split(":", 1)[1].strip()
                lines.remove(ln)
        if "".join(lines).strip():
            questions.append(_question("\n".join(lines), category))
    return questions
