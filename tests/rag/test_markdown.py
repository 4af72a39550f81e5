"""Untrusted text in Markdown shows literally: no markup, link, image or HTML, entities kept."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from rag.markdown import md_escape


def _html(text: str) -> str:
    return MarkdownIt("commonmark").render(md_escape(text))


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "![x](http://evil.example/a.png)", "[点这里](http://evil.example)",
    "*粗* _斜_ `码` ~~删~~", "# 标题", "> 引用", "1. 第一", "- 一项", "+ 一项", "---", "a | b",
    "don't & \"quoted\"", "&lt;b&gt; &amp;", "R&D: 3.5 mm", "10~15 / 10到15毫米",
])
def test_text_renders_as_itself(text):
    from html import unescape

    rendered = _html(text)
    assert rendered.startswith("<p>") and rendered.count("<") == 2, rendered  # one paragraph, nothing else
    assert unescape(rendered[3:-5]) == text


def test_none_is_empty():
    assert md_escape(None) == ""
