"""Markdown: headings for the outline, the master's quotes as blockquotes, quiz and answer key."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from conftest_export import english_course, welding_course
from markdown_it import MarkdownIt

from extraction.export import export_course


class _Quotes(HTMLParser):
    """Text of each blockquote paragraph and whether any script element appears."""

    def __init__(self):
        super().__init__()
        self.depth, self.quotes, self.scripts = 0, [], 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        if tag == "blockquote":
            self.depth += 1
            self.quotes.append("")

    def handle_endtag(self, tag):
        self.depth -= tag == "blockquote"

    def handle_data(self, data):
        if self.depth:
            self.quotes[-1] += data


@pytest.fixture
def text(tmp_path):
    return export_course(welding_course(), "md", tmp_path / "course.md").read_text(encoding="utf-8")


def test_outline_is_headings(text):
    lines = text.splitlines()
    assert lines[0].startswith("# CO2气体保护焊")
    assert "## 模块 1 参数设定" in lines and "### 1.2 焊丝与参数表" in lines and "## 测验" in lines
    assert "### 答案与解析" in lines and "## 下次访谈追问清单" in lines


def test_lesson_markdown_sits_under_the_lesson_heading(text):
    assert "#### 为什么要配" in text.splitlines()
    assert "## 为什么要配" not in text.splitlines()


def test_quotes_render_verbatim_and_never_as_html(text):
    page = _Quotes()
    page.feed(MarkdownIt("commonmark").render(text))
    assert page.scripts == 0
    quotes = "\n".join(page.quotes)
    for module in welding_course().modules:
        for lesson in module.lessons:
            for point in lesson.points:
                for c in point.citations:
                    assert c.quote.strip() in quotes


def test_answer_key_lists_each_item(text):
    key = text.split("### 答案与解析", 1)[1]
    assert "1. A" in key and "2. AB" in key and "3. 错误" in key and "4. 正确" in key
    assert "5. 10\\~15 / 10到15毫米" in key


def test_english_course_reads_in_english(tmp_path):
    text = export_course(english_course(), "md", tmp_path).read_text(encoding="utf-8")
    assert "## Quiz" in text and "## Module 1" in text and "测验" not in text


def test_a_point_that_is_the_masters_sentence_is_not_quoted_again(tmp_path):
    from extraction.course import CourseDraft, Lesson, Module, Point
    from extraction.export.markdown import render
    from shifu.models import Citation

    quote = "层间温度不能超过150度，焊完一层要等它凉下来。"
    cite = Citation(transcript_id="t-1", chunk_id="c-1", quote=quote, start=0, end=len(quote))
    lesson = Lesson(title="层间温度", content_md=f"### 规矩\n\n> {quote}\n",
                    points=[Point(kind="rule", text=quote, citations=[cite]),
                            Point(kind="tip", text="等焊缝凉下来再焊下一层", citations=[cite])])
    text = render(CourseDraft(title="焊接", modules=[Module(title="不锈钢", lessons=[lesson])]))
    # once as the rule, once under the paraphrased tip — never beside itself, and the lesson
    # text that only restates its points is not shown a second time
    assert text.count(quote) == 2
