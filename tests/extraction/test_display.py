"""What a reader sees of a point: fillers of speech trimmed, the citation verbatim, each point once
in the reader, the Markdown export and the Word export."""

from __future__ import annotations

import docx
import pytest

from extraction.course import CourseDraft, Lesson, Module, Point, Source
from extraction.display import lesson_prose, trim_fillers
from extraction.export import export_course
from extraction.export.markdown import render
from extraction.outline import lesson_markdown
from shifu.models import Citation
from ui.web.worker import render_lesson


@pytest.mark.parametrize(("said", "shown"), [
    ("嗯，那个，焊接电流要看板厚，就是说薄板电流小一点。", "焊接电流要看板厚，薄板电流小一点。"),
    ("然后然后我们就开始焊了", "然后我们就开始焊了"),
    ("所所以说没有没有这个问题", "所以说没有这个问题"),
    ("对对对，这个很重要", "这个很重要"),
    ("啊，层间温度不能超过150度。", "层间温度不能超过150度。"),
    ("前段给到二百二十。那个……新手最容易犯的错", "前段给到二百二十。新手最容易犯的错"),
    ("Uh, you know, the the compiler was, um, written in B.", "The compiler was written in B."),
    ("I- I mean, it was, I mean, fine.", "It was fine."),
])
def test_fillers_and_stutters_are_trimmed(said, shown):
    assert trim_fillers(said) == shown


@pytest.mark.parametrize("kept", ["那个焊缝要磨平", "要常常看看焊缝", "谢谢你们", "也就是说要先预热", "The kind of steel matters.", "嗯"])
def test_words_that_carry_meaning_stay(kept):
    assert trim_fillers(kept) == kept


QUOTE = "嗯，那个，层间温度不能超过150度，就是说焊完一层要等它凉下来。"
SHOWN = "层间温度不能超过150度，焊完一层要等它凉下来。"


def _course() -> CourseDraft:
    cite = Citation(transcript_id="t-1", chunk_id="c-1", quote=QUOTE, start=0, end=len(QUOTE), t_start=4500)
    point = Point(kind="rule", text=QUOTE, citations=[cite])
    lesson = Lesson(title="层间温度", points=[point], content_md=lesson_markdown([point], {QUOTE: "王师傅"}, "zh"))
    return CourseDraft(title="焊接", sources=[Source(transcript_id="t-1", title="焊接访谈", expert="王师傅")],
                       modules=[Module(title="不锈钢", lessons=[lesson])])


def test_each_point_is_shown_once_trimmed_in_the_reader_markdown_word_and_scorm(tmp_path):
    from extraction.export.scorm import lesson_page

    course = _course()
    word = docx.Document(str(export_course(course, "docx", tmp_path / "c.docx")))
    word_text = "\n".join(p.text for p in word.paragraphs)
    scorm = lesson_page(course, "不锈钢", course.modules[0].lessons[0])
    for shown in (render(course), render_lesson(course, "0.0"), word_text, scorm):
        assert shown.count("层间温度不能超过150度") == 1, shown
        assert SHOWN in shown and "1:15:00" in shown
    # the stored citation is untouched: it still resolves against the transcript
    assert course.modules[0].lessons[0].points[0].citations[0].quote == QUOTE


def test_a_trainers_own_lesson_text_is_kept():
    lesson = _course().modules[0].lessons[0]
    assert lesson_prose(lesson) == ""  # the draft's text only restated the point
    lesson.content_md = "焊不锈钢时，温度比速度更要紧。\n\n" + lesson.content_md
    assert lesson_prose(lesson) == lesson.content_md
