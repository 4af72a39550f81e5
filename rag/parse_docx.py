"""Read Word (.docx) interviews: paragraphs and speaker|text tables, after checking the ZIP is safe."""

from __future__ import annotations

import io
import re
import zipfile

from rag.parse_text import ParsedSource, parse_text
from shifu.errors import TranscriptError

__all__ = ["parse_docx", "check_docx_container", "docx_lines"]

# A real interview .docx unpacks to a few MB; images are stored already compressed.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # XML compresses 5-30x; far beyond that is a decompression bomb
MAX_MEMBERS = 10_000
# The work is in parsing the XML, not in the bytes: a 26 MB document.xml took minutes.
# A three-hour interview is well under 2 MB of document XML.
MAX_DOCUMENT_XML_BYTES = 12 * 1024 * 1024
_HEADER_WORDS = {"说话人", "发言人", "角色", "姓名", "时间", "时间戳", "内容", "speaker", "name", "time", "text", "role"}
_CLOCK = re.compile(r"^\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]?$")


def parse_docx(data: bytes, name: str) -> ParsedSource:
    """Parse a .docx like a text transcript: `Speaker: text` paragraphs, headings, speaker tables."""
    check_docx_container(data, name)
    return parse_text("\n".join(docx_lines(data, name)))


def check_docx_container(data: bytes, name: str) -> None:
    """Refuse non-ZIPs, ZIPs without word/document.xml and ZIP bombs before python-docx unpacks anything."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TranscriptError(
            f"{name} is an old Word 97-2003 document (.doc saved as .docx); open it in Word or WPS "
            f"and save it as .docx (Word document), or as UTF-8 .txt.",
            zh=f"{name} 是旧版 Word 97-2003 文档（.doc 改名成了 .docx）；请用 Word 或 WPS 打开，另存为 .docx 或 UTF-8 .txt。",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TranscriptError(
            f"{name} is not a Word document (it is not a ZIP file, which every .docx is); "
            f"open it in Word or WPS and save it as .docx, or save it as UTF-8 .txt.",
            zh=f"{name} 不是 Word 文档（每个 .docx 都是 ZIP 文件，它不是）；请用 Word 或 WPS 打开，另存为 .docx 或 UTF-8 .txt。",
        ) from None
    with archive:
        members = archive.infolist()
        if "word/document.xml" not in archive.namelist():
            raise TranscriptError(
                f"{name} is not a Word document (it is a ZIP with no word/document.xml); "
                f"save it again from Word as .docx.",
                zh=f"{name} 不是 Word 文档（ZIP 里没有正文 word/document.xml）；请用 Word 重新另存为 .docx。",
            )
        unpacked = sum(member.file_size for member in members)
        swollen = [m for m in members if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)]
        if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or swollen:
            raise TranscriptError(
                f"{name} would unpack to {unpacked / 1024 / 1024:,.0f} MB from {len(data) / 1024:,.0f} KB "
                f"(a ZIP bomb or a damaged file), so shifu will not open it; save the interview again from Word as .docx.",
                zh=f"{name} 解压后会有 {unpacked / 1024 / 1024:,.0f} MB（原文件 {len(data) / 1024:,.0f} KB，"
                   "可能是压缩炸弹或损坏的文件），师傅不会打开它；请用 Word 重新另存为 .docx。",
            )
        document_xml = archive.getinfo("word/document.xml").file_size
        if document_xml > MAX_DOCUMENT_XML_BYTES:
            raise TranscriptError(
                f"{name} holds {document_xml / 1024 / 1024:,.0f} MB of document XML, over the "
                f"{MAX_DOCUMENT_XML_BYTES // 1024 // 1024} MB shifu reads from one Word file; split the interview "
                "into parts or save it as .txt.",
                zh=f"{name} 的正文 XML 解压后有 {document_xml / 1024 / 1024:,.0f} MB，超过 "
                   f"{MAX_DOCUMENT_XML_BYTES // 1024 // 1024} MB 上限；请把访谈拆成几个文件，或另存为 .txt。")


def docx_lines(data: bytes, name: str) -> list[str]:
    """The document as text lines: headings as `# ...`, paragraphs separated by blank lines, table rows as turns."""
    # Imported here: python-docx is slow to import and only .docx files need it.
    from docx import Document
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors ... for damaged files
        raise TranscriptError(
            f"{name} could not be opened as a Word document ({type(err).__name__}); "
            f"open it in Word or WPS and save it again as .docx.",
            zh=f"{name} 打不开，不是完好的 Word 文档；请用 Word 或 WPS 打开，重新另存为 .docx。",
        ) from None
    _drop_hidden_text(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.extend(_paragraph_lines(block))
        lines.append("")
    return lines


def _drop_hidden_text(document) -> int:
    """Remove runs Word does not show (w:vanish): a reader never sees them, so neither may the index."""
    from docx.oxml.ns import qn

    hidden = []
    for run in document.element.body.iter(qn("w:r")):
        props = run.find(qn("w:rPr"))
        mark = props.find(qn("w:vanish")) if props is not None else None
        if mark is not None and mark.get(qn("w:val"), "true").lower() not in ("false", "0", "off"):
            hidden.append(run)
    for run in hidden:
        run.getparent().remove(run)
    return len(hidden)


def _paragraph_lines(paragraph) -> list[str]:
    text = paragraph.text.strip()
    style = paragraph.style.name if paragraph.style is not None else ""
    if not text:
        return []
    if style == "Title" or style == "Heading 1":
        return [f"# {text}"]
    if style.startswith("Heading"):
        return [f"## {text}"]
    return text.split("\n")


def _table_lines(table) -> list[str]:
    """Rows `speaker | text` or `time | speaker | text` become `[time] speaker：text`; other rows stay as text."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if not cells or text != cells[-1]:  # merged cells repeat themselves
                cells.append(text)
        if not any(cells) or cells[0].lower() in _HEADER_WORDS:
            continue
        if len(cells) == 3 and _CLOCK.match(cells[0]):
            lines.append(f"[{cells[0].strip('[]')}] {cells[1]}：{cells[2]}")
        elif len(cells) == 2 and 0 < len(cells[0]) <= 32 and "\n" not in cells[0]:
            lines.append(f"{cells[0]}：{cells[1]}")
        else:
            lines.append(" | ".join(c for c in cells if c))
    return lines
