"""Does the library cover a question? Enough of its terms in the evidence, or close enough in meaning.

The term-and-meaning half of the chat's decision (the other half is rag.answerability); the
calibration of these thresholds on ../shared/bench is told in rag/answer.py's docstring.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from rag.language import detect_language
from rag.sentences import (
    acronyms,
    best_evidence,
    chinese_nouns,
    english_words,
    question_terms,
    sentence_spans,
    spelled_out,
    terms,
)
from shifu.embeddings import USE_NAME
from shifu.models import SearchHit

__all__ = [
    "COVERED_COSINE",
    "COVERED_MATCH",
    "coverage", "english_coverage", "is_covered", "missing_nouns", "similarity", "unknown_nouns"]

# "Covered" — calibrated on ../shared/bench: positives = each set's questions against its own
# corpus, negatives = the other set's questions (WebQA questions against the CMRC corpus and
# CMRC questions against the WebQA corpus; hard negatives: general-knowledge questions
# against encyclopedia-like text). The must-show asks for >= 99% of bench answers cited, so
# the rule keeps >= 99% of positives and rejects what it can of the negatives:
#   covered = coverage() >= 0.16  or  USE cosine(question, best chunk) >= 0.36
#   recall of "covered" on positives .995 (CMRC .994, WebQA .996; 3 of 1,746 correct answers
#   lost); negatives rejected .282 (CMRC corpus .230, WebQA corpus .335); precision .581
#   with as many negatives as positives — these negatives are hard.
#   coverage() alone at 0.10 keeps .998 / .984 and rejects only .233 (precision .564) — used
#   when the embedder is not USE (another model's cosines mean something else).
# Off-topic questions in real use ("公司食堂几点开饭？" against welding interviews) share no
# content terms at all and fall far below both thresholds.
COVERED_MATCH = 0.16
COVERED_COSINE = 0.36
COVERED_MATCH_ALONE = 0.10
# English questions: the rule above let "What is the best pizza in New York?" through on one
# everyday word. English is judged on its content words instead (see english_coverage and
# the calibration in the module docstring):
#   covered = english_coverage() >= 0.50  or  (english_coverage() >= 0.30 and USE cosine >= 0.30)
#   english_coverage() alone at 0.35 when the embedder is not USE.
# Chinese near-topic questions ("数控车床的主轴轴承多久换一次润滑脂？" against a CNC interview
# that never mentions a bearing) passed on the USE cosine alone. Closeness in meaning no
# longer covers a short question when one of its nouns is in none of the retrieved chunks
# (see missing_nouns and the calibration in the module docstring):
#   covered by cosine only if  cosine >= 0.43,  or the question is longer than 18 characters,
#   or every noun of the question is found in some retrieved chunk.
ZH_NOUN_COSINE = 0.43
ZH_SHORT = 18  # characters: a longer question describes its subject in words the answer need not repeat
# A short how-to question ("叉车电瓶怎么保养？") about a thing no chunk of the whole library
# mentions is not covered when the best evidence holds less than 0.30 of it, whatever the
# cosine (see unknown_nouns and the calibration in the module docstring). Only how-to,
# how-often and price questions: a question that asks for a name ("亲吻脚丫的鱼叫什么名字")
# describes its subject in words the passage answering it need not use. A how-many question
# (几双, 几次: "劳保鞋一年能领几双？") counts the thing it names, so it is held to the same test.
ZH_UNKNOWN_MATCH = 0.30
_ZH_HOW_TO = re.compile(r"怎么|怎样|如何|多久|多长时间|多少钱")
EN_COVERED_MATCH = 0.50
EN_COVERED_PAIR = (0.30, 0.30)  # (english_coverage, USE cosine), both needed
EN_COVERED_MATCH_ALONE = 0.35
_EN_WINDOW = 3  # sentences: an answer in an interview runs over a few, the question before it included


def is_covered(question: str, hits: Sequence[SearchHit], embedder: Any = None, library: Any = None) -> bool:
    """Does the material answer this? Enough of the question's terms, or close enough in meaning.

    `library` (anything with `known_terms`, e.g. the HybridIndex) lets a short how-to question
    about a thing the whole library never mentions be turned away (see unknown_nouns).
    """
    if not hits:
        return False
    if detect_language(question) == "en":
        return _english_is_covered(question, hits, embedder)
    match = coverage(question, hits)
    if (library is not None and match < ZH_UNKNOWN_MATCH and len(question.strip()) <= ZH_SHORT
            and _asks_how(question) and unknown_nouns(question, library)):
        return False
    if match >= COVERED_MATCH:
        return True
    if getattr(embedder, "name", None) != USE_NAME:
        return match >= COVERED_MATCH_ALONE
    cosine = similarity(embedder, question, hits)
    if cosine < COVERED_COSINE:
        return False
    return cosine >= ZH_NOUN_COSINE or len(question.strip()) > ZH_SHORT or not missing_nouns(question, hits)


def _asks_how(question: str) -> bool:
    """How to, how often, what price, or how many: a numeral word with 几 (几双, 几个, 几次 — jieba tags
    it m; 几乎, 几何 and 几率 are other words)."""
    if _ZH_HOW_TO.search(question):
        return True
    if "几" not in question:
        return False
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on a worker's screen
    return any(p.flag == "m" and p.word.startswith("几") for p in pseg.lcut(question))


def missing_nouns(question: str, hits: Sequence[SearchHit]) -> list[str]:
    """The nouns of a Chinese question that none of the retrieved chunks holds ("轴承", "润滑脂").

    A noun of four characters or more counts as held when a chunk has all its character
    bigrams but one ("轮胎气压" written as "轮胎……气压").
    """
    texts = [h.chunk.text.lower() for h in hits]

    def held(noun: str) -> bool:
        if any(noun in t for t in texts):
            return True
        if len(noun) < 4:
            return False
        pairs = [noun[i : i + 2] for i in range(len(noun) - 1)]
        return any(sum(p in t for p in pairs) >= len(pairs) - 1 for t in texts)

    return [noun for noun in chinese_nouns(question) if not held(noun)]


def unknown_nouns(question: str, library: Any) -> list[str]:
    """The nouns of a Chinese question that no chunk of the whole library writes ("叉车").

    As in missing_nouns, a noun of four characters or more counts as known when the library
    has all its character bigrams but one ("轮胎气压" written as "轮胎……气压").
    """
    nouns = [n for n in chinese_nouns(question) if len(n) >= 2]
    if not nouns:
        return []
    pairs = {n: [n[i : i + 2] for i in range(len(n) - 1)] if len(n) >= 4 else [] for n in nouns}
    known = library.known_terms(set(nouns) | {p for ps in pairs.values() for p in ps})
    return [n for n in nouns
            if n not in known and not (pairs[n] and sum(p in known for p in pairs[n]) >= len(pairs[n]) - 1)]


def similarity(embedder: Any, question: str, hits: Sequence[SearchHit]) -> float:
    """Best cosine of the question with a hit's chunk (vectors come from the embedding cache)."""
    embed_query = getattr(embedder, "embed_query", None)
    q = embed_query(question) if embed_query else embedder.embed([question])[0]
    vectors = embedder.embed([h.chunk.text for h in hits])
    return float(max(vectors @ q)) if len(vectors) else 0.0


def coverage(question: str, hits: Sequence[SearchHit]) -> float:
    """How much of the question the best evidence holds: IDF-weighted share of its content terms.

    The IDF is taken over the retrieved chunks plus the question itself, so a term found in
    none of them weighs most: a question about something the material never mentions keeps
    its rare terms unmatched and scores low. An interviewer's question in the chunk that
    matches counts for the reply after it (see rag.sentences.best_evidence).
    """
    if detect_language(question) == "en":
        return english_coverage(question, hits)
    qterms = question_terms(question)
    if not hits or not qterms:
        return 0.0
    texts = [h.chunk.text for h in hits]
    bags = [set(terms(t)) for t in texts]
    n = len(bags) + 1
    idf = {t: math.log(1 + n / (1 + sum(1 for b in bags if t in b))) for t in qterms}
    evidence = best_evidence(question, texts, [h.score for h in hits], idf=idf.__getitem__, code_weight=0.0)
    return max((e.match for e in evidence), default=0.0)


def _english_is_covered(question: str, hits: Sequence[SearchHit], embedder: Any) -> bool:
    match = english_coverage(question, hits)
    if match >= EN_COVERED_MATCH:
        return True
    if getattr(embedder, "name", None) != USE_NAME:
        return match >= EN_COVERED_MATCH_ALONE
    low_match, low_cosine = EN_COVERED_PAIR
    return match >= low_match and similarity(embedder, question, hits) >= low_cosine


def english_coverage(question: str, hits: Sequence[SearchHit]) -> float:
    """How much of an English question a few consecutive sentences of one hit hold.

    The IDF-weighted share of the question's content words (stemmed, everyday words
    dropped) found in the best window of `_EN_WINDOW` sentences; the IDF is taken over the
    retrieved chunks plus the question, so a word none of them holds ("pizza") weighs most.
    """
    qwords = list(dict.fromkeys(english_words(question)))
    if not hits or not qwords:
        return 0.0
    # Who speaks counts as said in every sentence: a chunk holds the turns' words, not the
    # names ("Where did Thompson go on sabbatical?" names the expert of the interview).
    who = [set(english_words(" ".join([h.expert or "", *h.chunk.speakers]))) for h in hits]
    bags = [set(english_words(h.chunk.text)) | names for h, names in zip(hits, who, strict=True)]
    short = acronyms(question) & set(qwords)
    bags = [bag | {a for a in short if spelled_out(a, h.chunk.text)} for bag, h in zip(bags, hits, strict=True)]
    n = len(bags) + 1
    idf = {w: math.log(1 + n / (1 + sum(1 for b in bags if w in b))) for w in qwords}
    total = sum(idf.values())
    best = 0.0
    for hit, names in zip(hits, who, strict=True):
        text = hit.chunk.text
        spans = sentence_spans(text)
        sentences = [set(english_words(text[a:b])) for a, b in spans]
        for k in range(len(sentences)):
            window = names.union(*sentences[k : k + _EN_WINDOW])
            if short:  # CFM asked, "cubic feet per minute" written
                part = text[spans[k][0] : spans[min(k + _EN_WINDOW, len(spans)) - 1][1]]
                window |= {a for a in short if spelled_out(a, part)}
            best = max(best, sum(idf[w] for w in qwords if w in window) / total)
            if best >= 1.0:
                return 1.0
    return best
