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
            f"and save it as .docx (Word document), or as UTF-8 .txt."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TranscriptError(
            f"{name} is not a Word document (it is not a ZIP file, which every .docx is); "
            f"open it in Word or WPS and save it as .docx, or save it as UTF-8 .txt."
        ) from None
    with archive:
        members = archive.infolist()
        if "word/document.xml" not in archive.namelist():
            raise TranscriptError(
                f"{name} is not a Word document (it is a ZIP with no word/document.xml); "
                f"save it again from Word as .docx."
            )
        unpacked = sum(member.file_size for member in members)
        swollen = [m for m in members if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)]
        if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or swollen:
            raise TranscriptError(
                f"{name} would unpack to {unpacked / 1024 / 1024:,.0f} MB from {len(data) / 1024:,.0f} KB "
                f"(a ZIP bomb or a damaged file), so shifu will not open it; save the interview again from Word as .docx."
            )


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
            f"open it in Word or WPS and save it again as .docx."
        ) from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.extend(_paragraph_lines(block))
        lines.append("")
    return lines


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
