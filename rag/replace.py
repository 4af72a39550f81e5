"""Transcript identity: a file named like the source of a course never silently replaces it.

The transcript id comes from the file's name, so a new upload with that name would replace the
text a course was drafted from. Replacing such a source is an explicit act of the one who
uploaded it (`--replace`, the app's "replace" box), shown as a diff, and refused while the
course is published: workers keep the text their course was published from.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from rag.catalog import courses_using
from shifu.errors import TranscriptError
from shifu.tables import TranscriptRow


def check_replace(s: Any, old: TranscriptRow, new_text: str, *, replace: bool, uploaded_by: str | None) -> None:
    """Refuse a same-name upload that would silently change what a course was drafted from."""
    courses = courses_using(s, old.id)
    if not courses:
        return  # nobody was taught from it: a changed file replaces its earlier version
    name = old.source_name or old.title
    change = diff_summary(old.text or "", new_text)
    published = [title for title, status in courses if status == "published"]
    if published:
        renamed = f"{Path(name).stem}-v2{Path(name).suffix}"
        raise _refusal(
            f"{name} is the source of the published course «{published[0]}», so a new file with the same name "
            f"cannot replace it ({change}); upload the new file under another name (e.g. {renamed}) and draft a new "
            "version, or unpublish the course first and then replace it",
            " with --replace.", " (tick “replace” when you upload it).",
            zh=f"{name} 是已发布课程《{published[0]}》的来源，同名新文件不能替换它（{change}）；请把新文件改名（如 "
               f"{renamed}）后上传并起草新版本，或先撤回发布，再勾选“替换同名转写稿”上传。")
    if not replace:
        raise _refusal(
            f"{name} is the source of the course «{courses[0][0]}», so a new file with the same name does not "
            f"replace it ({change}); to replace it, ingest again",
            " with --replace, or rename the new file.", " with “replace” ticked, or rename the new file.",
            zh=f"{name} 已是课程《{courses[0][0]}》的来源，同名新文件不会自动替换它（{change}）；确认替换请勾选"
               "“替换同名转写稿”后再上传，否则请改名后上传。")
    if uploaded_by and old.uploaded_by and uploaded_by != old.uploaded_by:
        raise TranscriptError(
            f"{name} was uploaded by {old.uploaded_by} and only they may replace it; ask them, or upload it under "
            "another name.",
            zh=f"{name} 由 {old.uploaded_by} 上传，只有上传者可以替换它；请联系 {old.uploaded_by}，或改名后上传。")


def _refusal(head: str, cli: str, app: str, zh: str) -> TranscriptError:
    """A refusal whose English ends with what to do in the terminal (str) or in the app (`.en`)."""
    err = TranscriptError(head + cli, zh=zh)
    err.en = head + app
    return err


def text_diff(old: str, new: str, *, limit: int = 60) -> str:
    """What a replace changes, as a unified diff of lines (cut after `limit` lines)."""
    if _too_long_to_diff(old, new):
        return f"--- stored ({old.count(chr(10)) + 1} lines)\n+++ new ({new.count(chr(10)) + 1} lines)"
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "stored", "new", lineterm="", n=1))
    return "\n".join(lines[:limit] + ([f"... ({len(lines) - limit} more lines)"] if len(lines) > limit else []))


def diff_summary(old: str, new: str) -> str:
    """'+3 −5 lines' between the stored and the new text."""
    if _too_long_to_diff(old, new):
        return f"{old.count(chr(10)) + 1} → {new.count(chr(10)) + 1} lines / 行"
    added = removed = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        added += line.startswith("+") and not line.startswith("+++")
        removed += line.startswith("-") and not line.startswith("---")
    return f"+{added} −{removed} lines / 行"


def _too_long_to_diff(old: str, new: str) -> bool:
    # difflib is quadratic at worst; a huge transcript is summarised by its line counts.
    return old.count("\n") + new.count("\n") > 20_000
