"""A diff people can read: lines or items paired up as added, removed or changed, with the words that changed.

Chinese has no spaces, so words are compared as single Han characters and runs of letters or digits.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9_.%]+|\s+|.", re.S)


@dataclass(frozen=True)
class Change:
    """One added, removed or changed entry; `words` marks what changed inside a changed one."""

    change: str  # added | removed | changed
    where: str
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # (same | del | add, text)


def word_changes(old: str, new: str) -> list[tuple[str, str]]:
    """The two texts as runs of kept, deleted and added words.

    A kept run no longer than the changes on both sides of it is folded into them: one Han character
    in common ("焊缝参数" → "氩弧焊收弧操作" shares 焊) would otherwise cut a replaced name into
    fragments a reader cannot put back together."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    runs: list[tuple[bool, list[str], list[str]]] = []  # (kept, old words, new words)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        runs.append((op == "equal", a[i1:i2], b[j1:j2]))
    k = 1
    while k < len(runs) - 1:
        kept, words, _ = runs[k]
        (left_kept, ld, la), (right_kept, rd, ra) = runs[k - 1], runs[k + 1]
        if kept and not left_kept and not right_kept and len(words) <= min(max(len(ld), len(la)),
                                                                           max(len(rd), len(ra))):
            runs[k - 1:k + 2] = [(False, ld + words + rd, la + words + ra)]
            k = max(1, k - 1)
            continue
        k += 1
    out: list[tuple[str, str]] = []
    for kept, deleted, added in runs:
        if kept:
            out.append(("same", "".join(deleted)))
            continue
        if deleted:
            out.append(("del", "".join(deleted)))
        if added:
            out.append(("add", "".join(added)))
    return out


def pair_up(old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]) -> list[Change]:
    """Compare two lists of (where, text): kept ones are skipped, replaced ones paired as changes."""
    a, b = [t for _, t in old], [t for _, t in new]
    out: list[Change] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        # a replaced entry is "changed" only while it still resembles the new one; else removed and added
        pairs = 0
        while op == "replace" and pairs < min(i2 - i1, j2 - j1) and similar(a[i1 + pairs], b[j1 + pairs]):
            pairs += 1
        for n in range(pairs):
            out.append(Change("changed", new[j1 + n][0], a[i1 + n], b[j1 + n], word_changes(a[i1 + n], b[j1 + n])))
        out += [Change("removed", old[i][0], old=a[i]) for i in range(i1 + pairs, i2)]
        out += [Change("added", new[j][0], new=b[j]) for j in range(j1 + pairs, j2)]
    return out


def similar(old: str, new: str, at_least: float = 0.4) -> bool:
    """True when two texts share enough words to be read as one edited entry."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= at_least


def line_changes(old: str, new: str) -> list[Change]:
    """Line by line: what a template edit added, removed or changed (line numbers of the new text)."""
    return pair_up([(f"{n}", line) for n, line in enumerate(old.splitlines(), 1)],
                   [(f"{n}", line) for n, line in enumerate(new.splitlines(), 1)])


def as_text(changes: Sequence[Change]) -> str:
    """Plain text for a terminal: '+ added', '- removed', '~ changed' with [-deleted-]{+added+} words."""
    lines = []
    for c in changes:
        if c.change == "added":
            lines.append(f"+ {c.where}: {c.new}")
        elif c.change == "removed":
            lines.append(f"- {c.where}: {c.old}")
        else:
            marked = "".join(t if op == "same" else f"[-{t}-]" if op == "del" else f"{{+{t}+}}" for op, t in c.words)
            lines.append(f"~ {c.where}: {marked}")
    return "\n".join(lines)
