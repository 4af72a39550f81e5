"""Word transcripts: paragraphs, speaker tables, and the files that only pretend to be Word documents."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from rag.parse import parse_transcript
from shifu.errors import TranscriptError


def _docx(build) -> bytes:
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_paragraphs_with_bold_speakers_title_and_metadata_table() -> None:
    def build(d):
        d.add_heading("数控车床老师傅谈对刀", level=0)
        table = d.add_table(rows=0, cols=2)
        for key, value in [("专家", "李志强（高级技师）"), ("工种", "数控车工"), ("日期", "2024-04-08")]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = key, value
        for speaker, text in [("问", "怎么对刀？"), ("李工", "先车端面，Z向输入Z0。"), ("问", "X向呢？"), ("李工", "车外圆，量直径输入。")]:
            p = d.add_paragraph()
            p.add_run(f"{speaker}：").bold = True
            p.add_run(text)
        d.add_paragraph("退刀只动Z轴，别动X。")

    t = parse_transcript(_docx(build), "cnc.docx")
    assert t.title == "数控车床老师傅谈对刀" and t.trade == "数控车工" and t.expert == "李志强"
    assert [(x.speaker, x.role) for x in t.turns] == [("问", "interviewer"), ("李工", "expert")] * 2
    assert t.turns[3].text == "车外圆，量直径输入。\n退刀只动Z轴，别动X。"
    for turn in t.turns:
        assert t.text[turn.char_start : turn.char_end] == turn.text


def test_speaker_table_with_times() -> None:
    def build(d):
        table = d.add_table(rows=0, cols=3)
        rows = [("时间", "说话人", "内容"), ("00:01:05", "问", "雷雨天能登杆吗？"), ("00:01:09", "陈师傅", "严禁登杆，雷声停了三十分钟再干。"),
                ("00:01:20", "问", "人井呢？"), ("00:01:24", "陈师傅", "先通风，再检测，后作业。")]
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value

    t = parse_transcript(_docx(build), "telecom.docx")
    assert [(x.speaker, x.start) for x in t.turns] == [("问", 65.0), ("陈师傅", 69.0), ("问", 80.0), ("陈师傅", 84.0)]
    assert t.expert == "陈师傅"


def _refusal(data: bytes, name: str = "interview.docx") -> str:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(data, name)
    assert name in str(caught.value)
    return str(caught.value)


def test_text_renamed_to_docx_is_not_a_word_document() -> None:
    assert "is not a Word document" in _refusal("问：你好\n答：你好\n".encode())


def test_old_doc_renamed_to_docx_is_refused_with_the_fix() -> None:
    assert "Word 97-2003" in _refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def test_zip_without_document_xml_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not word")
    assert "word/document.xml" in _refusal(out.getvalue())


def test_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (30 * 1024 * 1024))
    assert len(out.getvalue()) < 100_000
    assert "ZIP bomb" in _refusal(out.getvalue())


def test_damaged_docx_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document")
    assert "could not be opened as a Word document" in _refusal(out.getvalue())
