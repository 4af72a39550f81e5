"""Ways to title a stretch of an interview, and how each fares against human headlines.

Either a headline (extraction/headline.py, the drafts' method: the stretch's key noun phrase, the one
its opening question asks about where there is one, with the aspect asked for or said most:
``headline``; without the aspect said most: ``asked``; the noun phrase alone: ``topic``), or the
stretch's key terms joined: the ones it shares with the whole transcript (``keyword``, the method of
main before issue 9), the ones that set it apart from the other stretches of the same transcript
(``distinctive``: TF-IDF with the stretches as documents), the words of the question that opens it
when the answer takes them up (``question``), or two key terms the text itself joins (``phrase``).
Which method, and how many terms, is chosen by leaving one VCSum meeting out (`shifu eval titles`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

from extraction.headline import headline, opening_question
from extraction.headline import person as _person
from extraction.headline import same_word as _same_word
from extraction.outline import phrase_title
from extraction.units import _ZH_STOP, _fragment, _jieba, key_terms, question_words

# main's question method also takes a statement with an asking word for a question
_ASKS = re.compile(r"[？?]|吗|呢|什么|怎么|如何|哪些|哪个|为什么|怎样|what|how|why|which", re.IGNORECASE)
_EN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9'\-]{2,}")
_ZH_NOUN = ("n", "nz", "vn", "nt", "ns", "eng", "nw")


@lru_cache(maxsize=4096)
def _nouns(text: str) -> tuple[str, ...]:
    """The topic words of a text, in order, repeats kept (nouns for Chinese, content words for English)."""
    if text.isascii():
        from extraction.units import _EN_STOP

        return tuple(w.lower() for w in _EN_TERM.findall(text) if w.lower() not in _EN_STOP)
    words = _jieba().posseg.lcut(text)
    return tuple(w.word for w in words if w.flag.startswith(_ZH_NOUN) and len(w.word) >= 2
                 and w.word not in _ZH_STOP and not _fragment(w.word) and not _person(w.word))


def join_terms(terms: Sequence[str], language: str) -> str:
    """Terms as one title: 区块链与应用 / Pipes and Filters."""
    if language == "zh":
        return "与".join(terms)
    return " and ".join(t if t[:1].isupper() else t.capitalize() for t in terms)


def _pick(ranked: Sequence[str], n: int, taken: set[str]) -> list[str]:
    picked: list[str] = []
    for term in ranked:
        if len(picked) < n and term.lower() not in taken and not any(_same_word(term, p) for p in picked):
            picked.append(term)
    return picked


def distinctive_terms(stretches: Sequence[str]) -> list[list[str]]:
    """Each stretch's topic words ranked by TF-IDF, the stretches of one transcript as the documents:
    what this stretch talks about that the others do not."""
    counts = [Counter(_nouns(s)) for s in stretches]
    df = Counter(w for c in counts for w in c)
    n = len(stretches)
    out = []
    for c in counts:
        score = {w: tf * math.log((1 + n) / (1 + df[w])) + tf * 1e-3 for w, tf in c.items() if tf >= 2 or n == 1}
        out.append(sorted(score, key=lambda w: (-score[w], w)))
    return out


TitleMethod = Callable[[Sequence[Sequence[str]], str, int], list[str]]


def keyword_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """main's method: the top key terms of everything said, no term used by an earlier title."""
    used: set[str] = set()
    return [phrase_title("\n".join(s), language, used, n) for s in stretches]


def distinctive_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """The terms that set each stretch apart from the others of its transcript."""
    taken: set[str] = set()
    out = []
    for ranked in distinctive_terms(["\n".join(s) for s in stretches]):
        picked = _pick(ranked, n, taken)
        taken.update(p.lower() for p in picked)
        out.append(join_terms(picked, language))
    return out


def question_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """The words of the opening question that the stretch takes up; distinctive terms where no
    question opens it or the answer takes none of its words up."""
    fallback = distinctive_terms(["\n".join(s) for s in stretches])
    taken: set[str] = set()
    out = []
    for s, ranked in zip(stretches, fallback, strict=True):
        body = Counter(_nouns("\n".join(s[1:])))
        def said(w: str, body: Counter[str] = body) -> int:
            return body[w.lower() if w.isascii() else w]

        # the asked words the answer repeats most first ("焊缝咬边是什么原因？" answered about 咬边)
        asked = sorted((w for w in question_words(opening_question(s, asks=_ASKS), language) if said(w) >= 2), key=lambda w: -said(w))
        picked = _pick([*asked, *ranked], n, taken)
        taken.update(p.lower() for p in picked)
        out.append(join_terms(picked, language))
    return out


def noun_phrase(text: str, terms: Sequence[str]) -> str:
    """The phrase the text itself says that joins two of its key terms ("区块链的应用", "pipes and
    filters"), the most frequent one; "" when the text never joins them."""
    top = [t for t in terms[:8] if len(t) >= 2]
    if len(top) < 2:
        return ""
    alternatives = "|".join(re.escape(t) for t in sorted(top, key=len, reverse=True))
    joined = re.compile(rf"(?:{alternatives})(?:的|和|与|之|中的| of the | of | and | for )(?:{alternatives})",
                        re.IGNORECASE)
    said = Counter(m.group().lower() if m.group().isascii() else m.group() for m in joined.finditer(text))
    said = Counter({p: c for p, c in said.items() if len({t for t in top if t.lower() in p.lower()}) >= 2})
    return max(said, key=lambda p: (said[p], -len(p))) if said else ""


def phrase_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """The key noun phrase the stretch says itself (two key terms it joins); main's keyword title where
    it never joins two."""
    used: set[str] = set()
    out = []
    for s in stretches:
        text = "\n".join(s)
        terms = [t for t in key_terms(text, language, top=12) if t.lower() not in used and not _person(t)]
        phrase = noun_phrase(text, terms[: 4 * n])
        if phrase and phrase.lower() not in used:
            used.update([phrase.lower(), *(t.lower() for t in terms if t.lower() in phrase.lower())])
            out.append(phrase[0].upper() + phrase[1:] if language == "en" else phrase)
        else:
            out.append(phrase_title(text, language, used, 2))
    return out


def headline_titles(stretches: Sequence[Sequence[str]], language: str, n: int, question: bool = True,
                    said_aspects: bool = True, asked_topic: bool = False) -> list[str]:
    """Headlines (extraction/headline.py), as the drafts title a panel's module (nobody marked as the
    interviewer: a question gives the aspect, not the topic); no title used twice. `n` is unused: a
    headline is one noun phrase."""
    taken: set[str] = set()
    return [headline("\n".join(s), language, taken, opening_question(s) if question else "", said_aspects,
                     asked_topic=asked_topic) for s in stretches]


def asked_topic_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """Headlines whose topic is the noun phrase the opening question asks about, as for an interviewer's question."""
    return headline_titles(stretches, language, n, asked_topic=True)


def asked_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """Headlines whose aspect comes only from the opening question, never from the words said most."""
    return headline_titles(stretches, language, n, said_aspects=False)


def topic_titles(stretches: Sequence[Sequence[str]], language: str, n: int) -> list[str]:
    """The key noun phrase alone: no question, no aspect."""
    return headline_titles(stretches, language, n, question=False, said_aspects=False)


# name -> (method, term counts it is tried with); headlines have no term count
METHODS: dict[str, tuple[TitleMethod, tuple[int, ...]]] = {
    "headline": (headline_titles, (1,)),
    "asked": (asked_titles, (1,)),
    "asked-topic": (asked_topic_titles, (1,)),
    "topic": (topic_titles, (1,)),
    "phrase": (phrase_titles, (1, 2, 3)),
    "keyword": (keyword_titles, (1, 2, 3)),
    "distinctive": (distinctive_titles, (1, 2, 3)),
    "question": (question_titles, (1, 2, 3)),
}
DEFAULT = "headline"  # the drafts' method (extraction/outline.py), chosen leaving one meeting out
BASELINE = ("keyword", 2)  # main's titles before issue 9
