"""The course as one Markdown file: outline, lessons with the master's quotes, quiz and key."""

from __future__ import annotations

import re
from pathlib import Path

from extraction.course import CourseDraft, Lesson, QuizItem, kind_label
from extraction.display import lesson_prose, trim_fillers
from extraction.export.keys import correct_indices, is_true, letter
from extraction.export.labels import citation_label, words
from extraction.takeaways import Takeaway, takeaways
from rag.markdown import md_escape

_HEADING = re.compile(r"( {0,3})(#{1,6})(?=\s|$)")
_UNSAFE_LINK = re.compile(r"\]\(\s*(?=(?:javascript|vbscript|data|file):)", re.IGNORECASE)


def safe_content(markdown: str) -> str:
    """Lesson Markdown with its structure kept but nothing live: no raw HTML (every '<' escaped),
    no image that loads by itself, no script link — whatever a transcript smuggled into it."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:  # inside a fence every renderer shows text as text
            line = line.replace("<", "\\<").replace("![", "\\![")
            line = _UNSAFE_LINK.sub("]\\(", line)
        lines.append(line)
    return "\n".join(lines)


def nest_headings(markdown: str, top: int) -> str:
    """Lesson Markdown with its headings shifted so the shallowest one is at level top."""
    lines = markdown.splitlines()
    fenced, found = False, []
    for i, line in enumerate(lines):
        fenced ^= line.lstrip().startswith(("```", "~~~"))
        heading = None if fenced else _HEADING.match(line)
        if heading:
            found.append((i, heading))
    if not found:
        return markdown
    shift = top - min(len(h.group(2)) for _, h in found)
    for i, h in found:
        lines[i] = h.group(1) + "#" * min(6, len(h.group(2)) + shift) + lines[i][h.end(2):]
    return "\n".join(lines)


def _quote_block(text: str) -> str:
    return "\n".join("> " + md_escape(line) for line in text.splitlines() or [""])


def _lesson(draft: CourseDraft, lesson: Lesson, number: str) -> list[str]:
    w = words(draft.language)
    out = [f"### {number} {md_escape(lesson.title)}", ""]
    if lesson.objectives:
        out += [f"**{w['objectives']}**", ""] + [f"- {md_escape(o)}" for o in lesson.objectives] + [""]
    prose = lesson_prose(lesson)
    if prose.strip():
        # content_md is Markdown the draft wrote; it is kept as the trainer edited it.
        out += [nest_headings(safe_content(prose.strip()), 4), ""]
    if lesson.points:
        out += [f"#### {w['points']}", ""]
    for point in lesson.points:
        out += [f"- **{kind_label(point.kind, draft.language)}**{w['colon']}{md_escape(trim_fillers(point.text))}", ""]
        for c in point.citations:
            # A point is usually the master's sentence itself: then only say where it was said.
            if _squeezed(point.text) not in _squeezed(c.quote):
                out += ["  " + line for line in _quote_block(c.quote).splitlines()]
            out += [f"  > {w['dash'].strip()} {md_escape(citation_label(c, draft, point.speaker))}", ""]
    return out


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _question(draft: CourseDraft, n: int, item: QuizItem) -> list[str]:
    w = words(draft.language)
    out = [f"{n}. [{w[item.type]}] {md_escape(item.stem)}"]
    if item.type in ("single_choice", "multiple_choice"):
        out += [f"   - {letter(i)}. {md_escape(o)}" for i, o in enumerate(item.options)]
    if item.flags:
        out.append(f"   - *{w['flags']}{w['colon']}{md_escape('; '.join(item.flags))}*")
    return out + [""]


def _key(draft: CourseDraft, n: int, item: QuizItem) -> str:
    w = words(draft.language)
    if item.type == "true_false":
        key = w["true"] if is_true(item) else w["false"]
    elif item.type == "short_answer":
        key = " / ".join(item.answer)
    else:
        key = "".join(letter(i) for i in correct_indices(item))
    line = f"{n}. {md_escape(key)}"
    if item.explanation:
        line += f"{w['dash']}{w['explanation']}{w['colon']}{md_escape(item.explanation)}"
    return line


def _see(k: Takeaway, language: str) -> str:
    """The lesson a takeaway is taught in, linked to its heading ("见第 2.3 课 飞边")."""
    anchor = re.sub(r"[^\w\- ]", "", f"{k.number} {k.lesson}".lower()).replace(" ", "-")
    return f"[{md_escape(k.where(language))}](#{anchor})"


def render(draft: CourseDraft) -> str:
    """The whole course as Markdown text."""
    w = words(draft.language)
    out = [f"# {md_escape(draft.title)}", ""]
    meta = [f"{w['audience']}{w['colon']}{md_escape(draft.audience)}" if draft.audience else "",
            f"{w['level']}{w['colon']}{md_escape(draft.level)}" if draft.level else ""]
    if any(meta):
        out += ["  \n".join(m for m in meta if m), ""]
    if draft.objectives:
        out += [f"## {w['objectives']}", ""] + [f"- {md_escape(o)}" for o in draft.objectives] + [""]
    key = takeaways(draft)
    if key:
        out += [f"## {w['takeaways']}", ""]
        out += [f"{n}. **{kind_label(k.point.kind, draft.language)}**{w['colon']}{md_escape(trim_fillers(k.point.text))}"
                f"{w['open']}{_see(k, draft.language)}{w['close']}" for n, k in enumerate(key, 1)] + [""]
    if draft.sources:
        out += [f"## {w['sources']}", ""]
        out += [f"- {md_escape(s.title)}{w['open']}{md_escape(s.expert)}{w['close']} `{s.transcript_id}`" for s in draft.sources]
        out.append("")
    for m, module in enumerate(draft.modules, 1):
        out += [f"## {w['module']} {m} {md_escape(module.title)}", ""]
        if module.summary:
            out += [md_escape(module.summary), ""]
        for n, lesson in enumerate(module.lessons, 1):
            out += _lesson(draft, lesson, f"{m}.{n}")
    if draft.quiz:
        out += [f"## {w['quiz']}", ""]
        for n, item in enumerate(draft.quiz, 1):
            out += _question(draft, n, item)
        out += [f"### {w['answer_key']}", ""]
        out += [_key(draft, n, item) for n, item in enumerate(draft.quiz, 1)] + [""]
    if draft.follow_up_questions:
        out += [f"## {w['follow_up']}", ""]
        for q in draft.follow_up_questions:
            out.append(f"- {md_escape(q.question)}{w['open']}{w['reason']}{w['colon']}{md_escape(q.reason)}{w['close']}")
        out.append("")
    return "\n".join(out)


def write(draft: CourseDraft, out: Path) -> None:
    """Write the course as a UTF-8 Markdown file."""
    out.write_text(render(draft), encoding="utf-8")
