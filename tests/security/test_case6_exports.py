"""Case 6: every export is escaped for its format; one hostile course through every exporter, parsed back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from extraction.course import CourseDraft, Lesson, Module, Point, QuizItem, Source
from extraction.export import FORMATS, export_course
from shifu.models import Citation

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
IFRAME = '<iframe src="http://evil.example/"></iframe>'
SPECIALS = "{=~#:} ]]> &amp; *__[link](javascript:alert(1))__* ![i](http://evil.example/p.png) <!-- c -->"
HOSTILE = f"焊前先清理坡口。{SCRIPT}{IMG}{IFRAME}{SPECIALS}"


def hostile_course() -> CourseDraft:
    cite = Citation(transcript_id="t-x", chunk_id="t-x:0", quote=HOSTILE, start=0, end=len(HOSTILE))
    return CourseDraft(
        title=f"课程 {SCRIPT}", language="zh", audience=IMG, objectives=[IFRAME],
        sources=[Source(transcript_id="t-x", title=f"访谈{IMG}", expert=SCRIPT)],
        modules=[Module(title=f"模块{IFRAME}", summary=HOSTILE, lessons=[Lesson(
            title=f"课{SCRIPT}", objectives=[HOSTILE], content_md=f"## 要点\n\n{HOSTILE}\n\n- {IMG}\n\n> {IFRAME}",
            points=[Point(kind="rule", text=HOSTILE, citations=[cite])])])],
        quiz=[QuizItem(id="q1", type="single_choice", stem=f"第一步？{SCRIPT}", options=[HOSTILE, f"喷水{IMG}"],
                       answer=[HOSTILE], explanation=IFRAME, citations=[cite]),
              QuizItem(id="q2", type="short_answer", stem=f"清理什么？{SPECIALS}", answer=["坡口"], citations=[cite])],
    )


class _Tags(HTMLParser):
    """Every start tag and attribute an HTML renderer would make live."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _live(html_text: str) -> list[str]:
    parser = _Tags()
    parser.feed(html_text)
    bad = [t for t, _ in parser.tags if t in ("script", "img", "iframe")]
    bad += [f"{t} {k}" for t, attrs in parser.tags for k, v in attrs
            if k.startswith("on") or (v or "").strip().lower().startswith("javascript:")]
    return bad


def _check_md(path: Path) -> None:
    rendered = MarkdownIt("commonmark").render(path.read_text(encoding="utf-8"))  # raw HTML on, as viewers do
    assert _live(rendered) == []
    assert "焊前先清理坡口" in rendered


def _check_xml_html(text: str, own_scripts: int = 0) -> None:
    assert _live(text).count("script") <= own_scripts
    assert [b for b in _live(text) if b != "script"] == []


def _check_xml_tree(root: ET.Element) -> None:
    """No live element or handler in XML (XHTML item bodies included); hostile text stays text nodes."""
    for node in root.iter():
        local = str(node.tag).rsplit("}", 1)[-1]
        assert local not in ("script", "img", "iframe"), local
        assert not [k for k in node.attrib if k.rsplit("}", 1)[-1].startswith("on")]


def _check_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            body = archive.read(name).decode("utf-8", "replace")
            if name.endswith(".xml"):
                _check_xml_tree(ET.fromstring(archive.read(name)))
            elif name.endswith(".html"):
                parser = _Tags()
                parser.feed(body)
                own = [dict(a).get("src") for t, a in parser.tags if t == "script"]
                assert all(src and not src.startswith("http") for src in own), own  # only the package's own files
                _check_xml_html(body, own_scripts=len(own))


def _check(fmt: str, path: Path) -> None:
    if fmt == "md":
        _check_md(path)
    elif fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["modules"][0]["lessons"][0]["points"][0]["text"] == HOSTILE  # data, kept exactly
    elif fmt == "gift":
        from extraction.export.gift import parse_gift

        questions = parse_gift(path.read_text(encoding="utf-8"))
        assert [q.name for q in questions] == ["q1", "q2"]
        assert any(HOSTILE in a.text for a in questions[0].answers)
    elif fmt == "moodle-xml":
        root = ET.parse(path).getroot()
        _check_xml_tree(root)
        html_fields = [node for node in root.iter() if node.get("format") == "html"]
        assert html_fields
        for node in html_fields:  # HTML carried in CDATA must itself be escaped
            _check_xml_html(node.findtext("text") or "")
    elif fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert SCRIPT in text  # Word shows it as text
    else:
        _check_zip(path)


@pytest.mark.case("6 exports escaped")
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_exporter_escapes_the_hostile_course(fmt: str, tmp_path: Path) -> None:
    path = export_course(hostile_course(), fmt, tmp_path, leave_out_unusable=True)
    _check(fmt, path)
