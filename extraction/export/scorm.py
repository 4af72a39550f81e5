"""SCORM 1.2 package: one page per lesson and a quiz page that reports its score to the LMS."""

from __future__ import annotations

import html
import json
import zipfile
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET

from markdown_it import MarkdownIt

from extraction.course import CourseDraft, Lesson, QuizItem, kind_label
from extraction.display import lesson_prose, trim_fillers
from extraction.export.keys import correct_indices, is_true
from extraction.export.labels import citation_label, words
from extraction.export.markdown import safe_content
from extraction.export.xmltext import xml_bytes, xml_safe

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = (f"{CP} imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
           f"{ADLCP} adlcp_rootv1p2.xsd")
ASSETS = ("scorm.js", "quiz.js", "shifu.css")
# SCORM 1.2 wants the XML control documents its manifest names at the root of the package.
CONTROL_DOCUMENTS = ("imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd", "adlcp_rootv1p2.xsd", "ims_xml.xsd")
TITLE_MAX = 200  # IMS CP 1.1.2: a title is at most 200 characters
PASS_MARK = 60  # percent; the LMS's mastery score wins when it sends one
# Raw HTML in lesson Markdown is shown as text: a transcript must never run script in an LMS.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # and safe_content: no image loads by itself


def h(text: str) -> str:
    """Course text escaped for an HTML page (element text and quoted attributes)."""
    return html.escape(text, quote=True)


def page(draft: CourseDraft, title: str, body: list[str], kind: str, scripts: tuple[str, ...]) -> str:
    """A whole UTF-8 HTML page around body lines."""
    tags = "".join(f'<script src="{s}"></script>' for s in scripts)
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{draft.language}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(title)}</title>", '<link rel="stylesheet" href="shifu.css">', tags, "</head>",
        f'<body data-page="{kind}">', f'<header><p class="course">{h(draft.title)}</p><h1>{h(title)}</h1></header>',
        *body, "</body>", "</html>", ""])


def lesson_page(draft: CourseDraft, module_title: str, lesson: Lesson) -> str:
    """A lesson: objectives, its Markdown content and the points with the master's quotes."""
    w = words(draft.language)
    body = [f'<p class="module">{h(module_title)}</p>']
    if lesson.objectives:
        body += [f"<section class=\"objectives\"><h2>{h(w['objectives'])}</h2><ul>"]
        body += [f"<li>{h(o)}</li>" for o in lesson.objectives] + ["</ul></section>"]
    prose = lesson_prose(lesson)
    if prose.strip():
        body.append(f'<section class="content">{_MARKDOWN.render(safe_content(prose))}</section>')
    if lesson.points:
        body.append(f"<section class=\"points\"><h2>{h(w['points'])}</h2>")
    for point in lesson.points:
        body.append(f'<div class="point point-{h(point.kind)}"><p><strong>{h(kind_label(point.kind, draft.language))}'
                    f"</strong> {h(trim_fillers(point.text))}</p>")
        # the point is usually the master's sentence itself: then only say where it was said
        body += [f"<blockquote>{'' if c.quote.strip() == point.text.strip() else f'<p>{h(c.quote)}</p>'}"
                 f"<footer>— {h(citation_label(c, draft))}</footer></blockquote>" for c in point.citations]
        body.append("</div>")
    if lesson.points:
        body.append("</section>")
    return page(draft, lesson.title, body, "lesson", ("scorm.js",))


def _key(item: QuizItem) -> list:
    if item.type == "true_false":
        return [0 if is_true(item) else 1]
    if item.type == "short_answer":
        return list(item.answer)
    return correct_indices(item)


def _question(draft: CourseDraft, n: int, item: QuizItem) -> list[str]:
    w = words(draft.language)
    key = h(json.dumps(_key(item), ensure_ascii=False))
    out = [f'<fieldset class="question" data-type="{item.type}" data-key="{key}">',
           f"<legend>{n}. [{h(w[item.type])}] {h(item.stem)}</legend>"]
    name = f"q{n}"
    if item.type == "short_answer":
        out.append(f'<input type="text" name="{name}" aria-label="{h(w["your_answer"])}" '
                   f'placeholder="{h(w["your_answer"])}">')
    else:
        options = [w["true"], w["false"]] if item.type == "true_false" else item.options
        box = "checkbox" if item.type == "multiple_choice" else "radio"
        out += [f'<label><input type="{box}" name="{name}" value="{i}"> {h(o)}</label>' for i, o in enumerate(options)]
    if item.explanation:
        out.append(f"<p class=\"explanation\" hidden>{h(w['explanation'])}{h(w['colon'])}{h(item.explanation)}</p>")
    return out + ["</fieldset>"]


def quiz_page(draft: CourseDraft) -> str:
    """The quiz as a form; quiz.js marks it and sends cmi.core.score.raw and the status."""
    w = words(draft.language)
    passed = f"{w['score']}{w['colon']}{{score}} · {w['passed']}"
    failed = f"{w['score']}{w['colon']}{{score}} · {w['failed']}"
    body = [f'<form id="quiz" data-pass="{PASS_MARK}">']
    for n, item in enumerate(draft.quiz, 1):
        body += _question(draft, n, item)
    body += [f"<button type=\"submit\">{h(w['submit'])}</button>", "</form>",
             f'<p id="result" hidden data-passed="{h(passed)}" data-failed="{h(failed)}"></p>']
    return page(draft, w["quiz"], body, "quiz", ("scorm.js", "quiz.js"))


def _sco(resources_el: ET.Element, ident: str, href: str) -> None:
    res = ET.SubElement(resources_el, f"{{{CP}}}resource",
                        {"identifier": ident, "type": "webcontent", f"{{{ADLCP}}}scormtype": "sco", "href": href})
    ET.SubElement(res, f"{{{CP}}}file", href=href)
    ET.SubElement(res, f"{{{CP}}}dependency", identifierref="RES-ASSETS")


def _title(parent: ET.Element, text: str) -> None:
    clean = xml_safe(text)
    short = clean if len(clean) <= TITLE_MAX else clean[:TITLE_MAX - 1] + "…"
    ET.SubElement(parent, f"{{{CP}}}title").text = short


def _item(parent: ET.Element, ident: str, title: str, ref: str | None = None) -> ET.Element:
    attrs = {"identifier": ident} | ({"identifierref": ref} if ref else {})
    node = ET.SubElement(parent, f"{{{CP}}}item", attrs)
    _title(node, title)
    return node


def manifest(draft: CourseDraft, lessons: list[tuple[str, list[tuple[str, str]]]]) -> ET.Element:
    """imsmanifest.xml: modules as folders of lesson SCOs, then the quiz SCO."""
    root = ET.Element(f"{{{CP}}}manifest", {"identifier": "shifu-course", "version": "1.0",
                                            f"{{{XSI}}}schemaLocation": SCHEMAS})
    meta = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(meta, f"{{{CP}}}schema").text = "ADL SCORM"
    ET.SubElement(meta, f"{{{CP}}}schemaversion").text = "1.2"
    orgs = ET.SubElement(root, f"{{{CP}}}organizations", default="ORG")
    org = ET.SubElement(orgs, f"{{{CP}}}organization", identifier="ORG")
    _title(org, draft.title)
    res = ET.SubElement(root, f"{{{CP}}}resources")
    for m, (module_title, pages) in enumerate(lessons, 1):
        folder = _item(org, f"MOD-{m}", module_title)
        for n, (lesson_title, href) in enumerate(pages, 1):
            _item(folder, f"ITEM-{m}-{n}", lesson_title, f"RES-{m}-{n}")
            _sco(res, f"RES-{m}-{n}", href)
    if draft.quiz:
        quiz = _item(org, "ITEM-QUIZ", words(draft.language)["quiz"], "RES-QUIZ")
        ET.SubElement(quiz, f"{{{ADLCP}}}masteryscore").text = str(PASS_MARK)
        _sco(res, "RES-QUIZ", "quiz.html")
    assets = ET.SubElement(res, f"{{{CP}}}resource",
                           {"identifier": "RES-ASSETS", "type": "webcontent", f"{{{ADLCP}}}scormtype": "asset"})
    for name in ASSETS:
        ET.SubElement(assets, f"{{{CP}}}file", href=name)
    return root


def write(draft: CourseDraft, out: Path) -> None:
    """Write the course as a SCORM 1.2 zip any SCORM 1.2 LMS imports."""
    files: dict[str, str] = {}
    outline: list[tuple[str, list[tuple[str, str]]]] = []
    w = words(draft.language)
    for m, module in enumerate(draft.modules, 1):
        module_title = f"{w['module']} {m} {module.title}"
        pages = []
        for n, lesson in enumerate(module.lessons, 1):
            href = f"lesson-{m}-{n}.html"
            files[href] = lesson_page(draft, module_title, lesson)
            pages.append((lesson.title, href))
        outline.append((module_title, pages))
    if draft.quiz:
        files["quiz.html"] = quiz_page(draft)
    assets = resources.files("extraction.export") / "assets"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", xml_bytes(manifest(draft, outline), {"": CP, "adlcp": ADLCP, "xsi": XSI}))
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
        for name in ASSETS:
            zf.writestr(name, (assets / name).read_bytes())
        for name in CONTROL_DOCUMENTS:
            zf.writestr(name, (assets / "scorm12" / name).read_bytes())
