"""Character spans of a text: trimmed of surrounding spaces, or cut into trimmed pieces."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) moved inwards past any whitespace at either end of text[start:end]."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def cut_spans(text: str, start: int, cuts: Iterable[int], end: int) -> list[tuple[int, int]]:
    """text[start:end] cut at each offset in `cuts`, every piece trimmed, empty pieces dropped."""
    trimmed = (trim_span(text, a, b) for a, b in pairwise([start, *cuts, end]))
    return [(s, e) for s, e in trimmed if e > s]
