"""The course as a Word document (python-docx): outline, lessons with quotes, quiz and answer key."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from markdown_it import MarkdownIt

from extraction.course import CourseDraft, Lesson, QuizItem, kind_label
from extraction.display import lesson_prose, trim_fillers
from extraction.export.keys import correct_indices, is_true, letter
from extraction.export.labels import citation_label, words
from extraction.export.xmltext import xml_safe
from extraction.takeaways import takeaways

_MARKDOWN = MarkdownIt("commonmark")
_GREY = RGBColor(0x66, 0x66, 0x66)


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """(Word style, plain text) per block of lesson Markdown: headings, list items, quotes, paragraphs."""
    blocks: list[tuple[str, str]] = []
    context: list[str] = []
    for token in _MARKDOWN.parse(text):
        if token.type.endswith("_open") and token.type != "paragraph_open":
            context.append(token.tag)
        elif token.type.endswith("_close") and token.type != "paragraph_close":
            context.pop()
        elif token.type == "inline":
            plain = "".join(c.content if c.type != "softbreak" else "\n" for c in token.children or [])
            blocks.append((_style(context), plain))
        elif token.type in ("fence", "code_block", "html_block"):
            blocks.append(("Normal", token.content.rstrip("\n")))
    return blocks


def _style(context: list[str]) -> str:
    """The Word style for a block inside the given open Markdown tags."""
    if context and context[-1].startswith("h"):
        return "Heading 4" if context[-1] > "h2" else "Heading 3"
    if "blockquote" in context:
        return "Quote"
    if "ol" in context:
        return "List Number"
    return "List Bullet" if "ul" in context else "Normal"


def _para(doc: WordDocument, text: str, style: str = "Normal") -> None:
    doc.add_paragraph(xml_safe(text), style=style)


def _lesson(doc: WordDocument, draft: CourseDraft, lesson: Lesson, number: str) -> None:
    w = words(draft.language)
    doc.add_heading(xml_safe(f"{number} {lesson.title}"), 2)
    for objective in lesson.objectives:
        _para(doc, objective, "List Bullet")
    for style, text in markdown_blocks(lesson_prose(lesson)):
        _para(doc, text, style)
    if lesson.points:
        doc.add_heading(w["points"], 3)
    for point in lesson.points:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(xml_safe(kind_label(point.kind, draft.language) + w["colon"])).bold = True
        para.add_run(xml_safe(trim_fillers(point.text)))
        for c in point.citations:
            # the point is usually the master's sentence itself: then only say where it was said
            same = " ".join(c.quote.split()) == " ".join(point.text.split())
            quote = doc.add_paragraph("" if same else xml_safe(c.quote), style="Quote")
            source = quote.add_run(xml_safe(f"{'' if same else chr(10)}— {citation_label(c, draft, point.speaker)}"))
            source.font.size, source.font.color.rgb = Pt(9), _GREY


def _key_text(item: QuizItem, language: str) -> str:
    w = words(language)
    if item.type == "true_false":
        return w["true"] if is_true(item) else w["false"]
    if item.type == "short_answer":
        return " / ".join(item.answer)
    return "".join(letter(i) for i in correct_indices(item))


def _quiz(doc: WordDocument, draft: CourseDraft) -> None:
    w = words(draft.language)
    doc.add_heading(w["quiz"], 1)
    for n, item in enumerate(draft.quiz, 1):
        para = doc.add_paragraph()
        para.add_run(f"{n}. [{w[item.type]}] ").bold = True
        para.add_run(xml_safe(item.stem))
        for i, option in enumerate(item.options if item.type != "true_false" else []):
            _para(doc, f"{letter(i)}. {option}")
        if item.flags:
            flagged = doc.add_paragraph().add_run(xml_safe(f"{w['flags']}{w['colon']}{'; '.join(item.flags)}"))
            flagged.italic, flagged.font.color.rgb = True, RGBColor(0xC0, 0x39, 0x2B)
    doc.add_heading(w["answer_key"], 2)
    for n, item in enumerate(draft.quiz, 1):
        para = doc.add_paragraph()
        para.add_run(xml_safe(f"{n}. {w['answer']}{w['colon']}{_key_text(item, draft.language)}")).bold = True
        if item.explanation:
            para.add_run(xml_safe(f"{w['dash']}{w['explanation']}{w['colon']}{item.explanation}"))


def build(draft: CourseDraft) -> WordDocument:
    """The course as a python-docx Document."""
    w = words(draft.language)
    doc = Document()
    # Word picks the East Asian font separately; without one, Chinese may fall back to a poor font.
    doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    doc.core_properties.title = xml_safe(draft.title)
    doc.add_heading(xml_safe(draft.title), 0)
    for label, value in ((w["audience"], draft.audience), (w["level"], draft.level)):
        if value:
            _para(doc, f"{label}{w['colon']}{value}")
    if draft.objectives:
        doc.add_heading(w["objectives"], 1)
        for objective in draft.objectives:
            _para(doc, objective, "List Bullet")
    key = takeaways(draft)
    if key:
        doc.add_heading(w["takeaways"], 1)
        for k in key:
            para = doc.add_paragraph(style="List Number")
            para.add_run(xml_safe(kind_label(k.point.kind, draft.language) + w["colon"])).bold = True
            para.add_run(xml_safe(trim_fillers(k.point.text)))
            see = para.add_run(xml_safe(f"{w['open']}{k.where(draft.language)}{w['close']}"))
            see.font.size, see.font.color.rgb = Pt(9), _GREY
    if draft.sources:
        doc.add_heading(w["sources"], 1)
        for s in draft.sources:
            _para(doc, f"{s.title}{w['open']}{s.expert}{w['close']} {s.transcript_id}", "List Bullet")
    for m, module in enumerate(draft.modules, 1):
        doc.add_heading(xml_safe(f"{w['module']} {m} {module.title}"), 1)
        if module.summary:
            _para(doc, module.summary)
        for n, lesson in enumerate(module.lessons, 1):
            _lesson(doc, draft, lesson, f"{m}.{n}")
    if draft.quiz:
        _quiz(doc, draft)
    if draft.follow_up_questions:
        doc.add_heading(w["follow_up"], 1)
        for q in draft.follow_up_questions:
            _para(doc, f"{q.question}{w['open']}{w['reason']}{w['colon']}{q.reason}{w['close']}", "List Bullet")
    return doc


def write(draft: CourseDraft, out: Path) -> None:
    """Write the course as a .docx file."""
    build(draft).save(str(out))
