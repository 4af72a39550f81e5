"""Word: reopened with python-docx, the outline, quotes, questions and answer key are all there."""

from __future__ import annotations

import docx
import pytest
from conftest_export import welding_course

from extraction.export import export_course


@pytest.fixture(scope="module")
def course():
    return welding_course()


@pytest.fixture
def paragraphs(course, tmp_path):
    path = export_course(course, "docx", tmp_path / "course.docx")
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]


def test_title_and_headings(course, paragraphs):
    assert paragraphs[0] == ("Title", course.title)
    headings = [text for style, text in paragraphs if style.startswith("Heading")]
    assert "模块 1 参数设定" in headings and "1.1 电流与电压的配比" in headings and "测验" in headings
    assert "答案与解析" in headings and "为什么要配" in headings  # a heading inside the lesson Markdown


def test_quotes_with_their_source(paragraphs):
    quotes = [text for style, text in paragraphs if style == "Quote"]
    assert any(q.startswith("千万别用手去摸刚焊完的工件，几百度！<script>") and "王建国《焊接访谈》 1:02:05" in q
               for q in quotes)
    assert all("\x0b" not in q for q in quotes)


def test_questions_options_and_key(course, paragraphs):
    texts = [text for _, text in paragraphs]
    for n, item in enumerate(course.quiz, 1):
        assert any(t.startswith(f"{n}. ") and t.endswith(item.stem) for t in texts)
    assert "A. {120}~140安培" in texts
    key = texts[texts.index("答案与解析") + 1:]
    assert key[0].startswith("1. 答案：A") and "王师傅：电流调到{120}~140安培" in key[0]
    assert key[1] == "2. 答案：AB" and key[2].startswith("3. 答案：错误") and key[4] == "5. 答案：10~15 / 10到15毫米"
    assert any("待审核" in t and "answer_not_in_quote" in t for t in texts)
