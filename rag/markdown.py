"""Untrusted text (a quote, a title, a question) put into Markdown so that it shows literally."""

from __future__ import annotations

import re

# Marks CommonMark and its HTML pass read anywhere in a line; & too, so "&lt;" stays as written.
# ':' only before '//', so a bare URL is not turned into a link by GitHub-flavoured renderers.
_INLINE = re.compile(r"[\\`*_{}\[\]()<>#!|~&]|:(?=//)")
# Marks that open a block only at the start of a line: "1." or "-" (a list), "=" (a heading rule).
_LINE_START = re.compile(r"^([ \t]*)(?:(\d+)\.|([-+=]))", re.MULTILINE)


def md_escape(text: object) -> str:
    """Text shown literally by any CommonMark renderer: no markup, link, image or HTML survives."""
    out = _INLINE.sub(lambda m: "\\" + m.group(0), "" if text is None else str(text))
    return _LINE_START.sub(_block_mark, out)


def _block_mark(m: re.Match[str]) -> str:
    indent, number, mark = m.groups()
    return f"{indent}{number}\\." if number is not None else f"{indent}\\{mark}"
