"""The master's answer to the interviewer's follow-up, read as part of his answer.

An interview goes: 液压油多久换？ — 说明书上写的是两千小时换一次。 — 您觉得够吗？ — 我们这种灰大的库，我觉得
一千小时就得换。A worker reading it takes the second reply as the rest of the first: the follow-up ("够吗？",
"为什么？", "Really?", "Why is that?") asks nothing new, it asks the master to go on. An answer that stops
before it tells the manual's figure the master just said is not enough.

A follow-up is a short line of the interviewer's that asks (a question), names no thing of its own (no
noun: "怎么判断该换了？" opens a new subject) and probes what was said (够吗, 为什么, 真的, 比如, why,
really, for example). The reply is the master's next line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.sentences import chinese_nouns, ends_sentence, english_words, is_question, sentence_spans

__all__ = ["follow_up"]

# Asking the master to go on about what he said, not about something new.
_PROBES = re.compile(
    r"够吗|够不够|对吗|是吗|真的|一定|为什么|为啥|咋回事|怎么讲|什么意思|比如|然后呢|还有呢|还有吗|那.{0,4}呢|"
    r"\bwhy\b|\breally\b|\bfor example\b|\bsuch as\b|\bwhat do you mean\b|\bis that enough\b|\balways\b|\band then\b",
    re.IGNORECASE)
_SHORT = {"zh": 12, "en": 10}  # a follow-up's length: characters (Chinese), words (English)


def _line(text: str, start: int) -> tuple[int, int]:
    """The line of `text` from its first non-blank character at or after `start`."""
    while start < len(text) and text[start].isspace():
        start += 1
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _short(line: str, lang: str) -> bool:
    if lang == "en":
        return len(line.split()) <= _SHORT["en"]
    return len(line.strip()) <= _SHORT["zh"]


def _names_nothing(line: str, lang: str) -> bool:
    """Does the line name no thing of its own (Chinese: no noun; English: at most one content word
    besides the probing ones: "Why is that?", "Is that enough?")?"""
    if lang == "en":
        return len(english_words(_PROBES.sub(" ", line))) <= 1
    return not chinese_nouns(line)


def follow_up(text: str, end: int, role_at: Callable[[int], str], lang: str,
              room: int) -> tuple[str, int, int] | None:
    """When the answer ending at `end` of `text` ends the master's line and the interviewer's next line
    only asks him to go on, that line and the span of the master's reply after it (whole sentences
    fitting `room` characters); else None. `role_at(offset)` is the role of the turn holding an offset
    ("interviewer" for the interviewer's)."""
    if role_at(max(0, end - 1)) == "interviewer":
        return None
    a, b = _line(text, end)
    asked = text[a:b].strip()
    if not asked or text[end:a].strip() or role_at(a) != "interviewer":
        return None
    if not (is_question(asked) and _short(asked, lang) and _PROBES.search(asked) and _names_nothing(asked, lang)):
        return None
    c, d = _line(text, b)
    if c >= d or role_at(c) == "interviewer":
        return None
    ends = [y for x, y in sentence_spans(text, c, min(d, c + room)) if ends_sentence(text[x:y])]
    if not ends:
        return None
    return asked, c, ends[-1]
