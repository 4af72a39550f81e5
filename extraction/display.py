"""How a point reads where people read it (the reader, Markdown, Word): the master's words without
the fillers of speech, and each point once.

Only what is shown changes: a citation keeps the verbatim quote, so it still resolves against
the transcript."""

from __future__ import annotations

import re

from extraction.course import Lesson

_CLAUSE = r"(?:^|(?<=[，。！？；：、,.!?;:\s…]))"
_ZH_HESITATION = re.compile(_CLAUSE + r"[嗯呃啊哦额唉诶]+[，,、。…\s]*")
_ZH_REPEATS = re.compile(r"(然后|就是|这个|那个|我们|他们|你们|没有|所以|因为|但是|其实|可以|我|他|她|你|对|是)"
                         r"(?:[，,、\s]*\1)+")
# a stuttered first character of a word: 所所以, 就就是, 我我们 (never a real reduplication such as 常常)
_ZH_STUTTER = re.compile(r"([所就我这那他她你的也都要会在])\1(?=[\u4e00-\u9fff])")
_ZH_CLAUSE_FILLERS = re.compile(_CLAUSE + r"(?:那个|这个|然后呢|就是)(?:[，,、\s]|…+|\.{3,})+|(?<!也)就是说[，,、\s]*")
_ZH_STANDALONE_YES = re.compile(_CLAUSE + r"对[，,、。\s]*(?=[^，,、。\s])")
_EN_HESITATION = re.compile(r"(?i)(?:,\s*)?\b(?:uh+|um+|er+m?|ah+|hmm+)\b[,.]?\s*")
_EN_PHRASES = re.compile(r"(?i)(?:,\s*)?\b(?:you know|i mean|sort of|kind of)\b,\s*")
_EN_STUTTER = re.compile(r"(?i)\b(\w+)(?:-?\s+|-)\1\b")
_TIDY = [
    (re.compile(r"([，,、])\s*[，,、]+"), r"\1"),
    (re.compile(r"^[\s，,、。.;；:：]+"), ""),
    (re.compile(r"\s+([，。！？,.!?;:])"), r"\1"),
    (re.compile(r"[，,、]+([。！？.!?])"), r"\1"),
    (re.compile(r" {2,}"), " "),
]


def trim_fillers(text: str) -> str:
    """The text as a reader should see it: 嗯、啊、那个、就是说、然后然后、对对对, uh, um, you know,
    I mean and stutters (the the, I- I) taken out; the words that carry meaning kept in order."""
    out = text
    for _ in range(3):  # a stutter of three (the the the) needs more than one pass
        out = _EN_STUTTER.sub(r"\1", out)
    out = _ZH_STUTTER.sub(r"\1", out)
    out = _ZH_REPEATS.sub(r"\1", out)
    out = _ZH_HESITATION.sub("", out)
    out = _ZH_CLAUSE_FILLERS.sub("", out)
    out = _ZH_STANDALONE_YES.sub("", out)
    out = _EN_HESITATION.sub(" ", out)
    out = _EN_PHRASES.sub(" ", out)
    for pattern, repl in _TIDY:
        out = pattern.sub(repl, out)
    out = out.strip()
    if out and text[:1].isupper() and out[:1].islower():
        out = out[0].upper() + out[1:]
    # never show less than the gist: a text that was nearly all filler is shown as said
    return out if len(out) >= max(2, len(text.strip()) // 3) else text.strip()


def _squeezed(text: str) -> str:
    return re.sub(r"[\s*>#—\-–:：,，。.、]+", "", text)


_KIND_PREFIX = re.compile(r"^\*\*[^*]{1,20}\*\*\s*[:：]?\s*")


def lesson_prose(lesson: Lesson) -> str:
    """The lesson's text when it says more than its points, else "" — the text a draft writes
    restates the points with their quotes, and showing both put every point on the page twice."""
    known = [k for p in lesson.points for k in (_squeezed(p.text), *(_squeezed(c.quote) for c in p.citations)) if k]
    if not known:
        return lesson.content_md
    for raw in lesson.content_md.splitlines():
        line = raw.strip().lstrip(">").strip()
        if not line or line.startswith(("#", "—", "-- ", "— ")):
            continue
        line = re.split(r"\s+—{1,2}\s", _KIND_PREFIX.sub("", line))[0]
        said = _squeezed(line)
        if said and not any(said in k or k in said for k in known):
            return lesson.content_md  # a sentence of its own: the trainer's (or the draft's) prose
    return ""
