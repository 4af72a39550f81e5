"""Exports of a course to the files trainers hand to people and LMSs.

``export_course(draft, "gift", Path("quiz.txt"))`` writes one file and returns its path;
``FORMATS`` says which formats exist and what each is for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from extraction.course import CourseDraft
from extraction.export import course_json, docx, gift, markdown, moodle_xml, qti, scorm
from extraction.export.keys import key_problem
from shifu.errors import ShifuError


class Format(NamedTuple):
    suffix: str
    write: Callable[[CourseDraft, Path], None]
    help: str
    for_lms: bool = False  # an LMS imports it and scores the quiz: every answer key must be usable
    quiz_only: bool = False  # holds the quiz and nothing else


FORMATS: dict[str, Format] = {
    "md": Format(".md", markdown.write, "Markdown: the whole course with quotes, quiz and answer key"),
    "docx": Format(".docx", docx.write, "Word document for review and print"),
    "gift": Format(".gift.txt", gift.write, "Moodle GIFT quiz text", for_lms=True, quiz_only=True),
    "moodle-xml": Format(".moodle.xml", moodle_xml.write, "Moodle XML question bank", for_lms=True, quiz_only=True),
    "qti": Format(".qti.zip", qti.write, "IMS QTI 2.1 package of the quiz", for_lms=True, quiz_only=True),
    "scorm": Format(".scorm.zip", scorm.write, "SCORM 1.2 package: lesson pages and a scored quiz", for_lms=True),
    "json": Format(".json", course_json.write, "the course JSON (extraction/course.schema.json)"),
}


def file_name(draft: CourseDraft, fmt: str) -> str:
    """A file name made from the course title and the format's suffix."""
    stem = re.sub(r"[^\w-]+", "_", draft.title).strip("_") or "course"
    return stem[:80] + FORMATS[fmt].suffix


def is_folder(out: str | Path) -> bool:
    """A folder, not a file: an existing folder, a path ending in a separator, or a name with no suffix."""
    text = str(out)
    seps = ("/", os.sep) + ((os.altsep,) if os.altsep else ())
    return text.endswith(seps) or Path(text).is_dir() or not Path(text).suffix


def target(draft: CourseDraft, fmt: str, out: str | Path) -> Path:
    """The file to write: out itself, or a file named after the course inside the folder out."""
    return Path(out) / file_name(draft, fmt) if is_folder(out) else Path(out)


def unusable_items(draft: CourseDraft) -> dict[str, str]:
    """Quiz items whose answer key an LMS cannot score, by id, with the reason."""
    found = {item.id: key_problem(item) for item in draft.quiz}
    return {ident: why for ident, why in found.items() if why}


def export_course(draft: CourseDraft, fmt: str, out: str | Path, *, leave_out_unusable: bool = False) -> Path:
    """Write the course in one format to out (a file, or a folder to put it in: see target); return the file.

    For an LMS format, quiz items without a usable answer key stop the export, or are left
    out when leave_out_unusable is set (the caller tells the trainer which: see unusable_items).
    """
    if fmt not in FORMATS:
        raise ShifuError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    broken = unusable_items(draft) if spec.for_lms else {}
    if broken and not leave_out_unusable:
        listed = "; ".join(f"{ident}: {why}" for ident, why in broken.items())
        raise ShifuError(f"an LMS cannot score these quiz items ({listed}); fix them in review, "
                         "or leave them out (shifu export --leave-out-unusable)")
    if broken:
        draft = draft.model_copy(update={"quiz": [q for q in draft.quiz if q.id not in broken]})
    if spec.quiz_only and not draft.quiz:
        raise ShifuError(f"course {draft.title!r} has no quiz items to export as {fmt}; draft a quiz first")
    if spec.for_lms and not draft.quiz and not any(m.lessons for m in draft.modules):
        raise ShifuError(f"course {draft.title!r} has no lessons and no quiz to package as {fmt}")
    out = target(draft, fmt, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    spec.write(draft, out)
    return out
