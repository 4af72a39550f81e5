"""Exports of a course to the files trainers hand to people and LMSs.

``export_course(draft, "gift", Path("quiz.txt"))`` writes one file and returns its path;
``FORMATS`` says which formats exist and what each is for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from extraction.course import CourseDraft
from extraction.export import course_json, docx, gift, markdown, moodle_xml, qti, scorm
from shifu.errors import ShifuError


class Format(NamedTuple):
    suffix: str
    write: Callable[[CourseDraft, Path], None]
    help: str


FORMATS: dict[str, Format] = {
    "md": Format(".md", markdown.write, "Markdown: the whole course with quotes, quiz and answer key"),
    "docx": Format(".docx", docx.write, "Word document for review and print"),
    "gift": Format(".gift.txt", gift.write, "Moodle GIFT quiz text"),
    "moodle-xml": Format(".moodle.xml", moodle_xml.write, "Moodle XML question bank"),
    "qti": Format(".qti.zip", qti.write, "IMS QTI 2.1 package of the quiz"),
    "scorm": Format(".scorm.zip", scorm.write, "SCORM 1.2 package: lesson pages and a scored quiz"),
    "json": Format(".json", course_json.write, "the course JSON (extraction/course.schema.json)"),
}


def file_name(draft: CourseDraft, fmt: str) -> str:
    """A file name made from the course title and the format's suffix."""
    stem = re.sub(r"[^\w-]+", "_", draft.title).strip("_") or "course"
    return stem[:80] + FORMATS[fmt].suffix


def export_course(draft: CourseDraft, fmt: str, out: Path) -> Path:
    """Write the course in one format to out (a file, or a folder to put it in); return the file."""
    if fmt not in FORMATS:
        raise ShifuError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        out = out / file_name(draft, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    FORMATS[fmt].write(draft, out)
    return out
