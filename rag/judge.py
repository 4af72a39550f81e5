"""Does this sentence answer this question? A judge over windows of one or two sentences.

rag.answerability reads the best evidence span as a whole; a worker reads sentences. For the
windows of one and two sentences of the top retrieved chunks this module measures what he would
check, pair by pair (issue 10, fifth round):

- ``terms``: the IDF-weighted share of the question's content terms (character bigrams and
  words; a worker's 线手套 still shares 手套 with the master's 手套) the window writes, the IDF
  taken over the sentences of the retrieved chunks;
- ``subject``: the share of the question's subject words (nouns; English content words) the
  window writes, a word written in part earning the share of its character pairs;
- ``subject_least``: the least-held of them (a question about two things needs both);
- ``kind``: the kind of answer asked for stands IN the window: a quantity with a fitting unit,
  steps, a cause, and for a yes-no question about an action (行不行, 能不能, 没事吧, can I, should
  I) a rule or a judgement (必须, 不能, 不许, 绝对, 千万, 别, never, must, don't);
- ``kind_subject``: both at once, the asked-for kind beside the subject;
- ``contradicts``: the question names a specific (a number with its unit, a code such as R-32 or
  J507, a kind of a thing: 鲜酵母) the window lacks while writing another of the same category
  (10千伏 for 35千伏, R-410A for R-32, 干酵母 for 鲜酵母);
- ``cosine``: USE cosine of the window with the question;
- ``chunk_score``: the fused retrieval score of the window's chunk relative to the top one.

A logistic model over these (coefficients and thresholds in judge_model.json, fitted by
``python -m rag.judge_fit`` on sentence labels the project wrote: the gold quote's sentence of a
covered question is positive, every other window and every window of a question the library does
not answer negative; thresholds chosen leaving one interview out) gives each window a
probability; the question's is that of its best window. `decide` is the chat's decision.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.about import TOP_CHUNKS as _CHUNKS
from rag.about import chunks_about, statements_about
from rag.answerability import (
    asked_kind,
    held_share,
    kind_present,
    quantity_fits,
    subject_terms,
)
from rag.language import detect_language
from rag.sentences import (
    dictionary_tag,
    english_words,
    everyday_word,
    is_question,
    question_terms,
    sentence_spans,
    tagged_words,
    terms,
)
from shifu.models import SearchHit

if TYPE_CHECKING:
    from rag.answerability import Decision

__all__ = ["FEATURES", "Verdict", "Window", "contradicts", "decide", "evidence_contradicts", "evidence_disclaims", "evidence_falls_short",
           "evidence_names_another_material", "judge",
           "lacks_asked_quantity", "load_model", "master_answers", "never_speaks_of", "prescriptive", "rule_answers",
           "grounded", "verdict_inputs", "verdict_probability", "window_score", "windows"]

MODEL_FILE = Path(__file__).with_name("judge_model.json")
FEATURES = ("terms", "subject", "subject_least", "kind", "kind_subject", "contradicts", "cosine", "chunk_score")
_SIZES = (1, 2)  # sentences per window: a master names the thing, then says what to do about it
_EMBEDDED = 6  # windows (best by words) whose USE cosine is measured: embedding is the cost
_LEAST = 0.5  # share of its character pairs the least-held subject word must have in the window
_MAX_WINDOW = 220  # characters: a longer window is a paragraph, not a sentence

# A yes-no question about doing something: answered by a rule or a judgement, not by any "能".
_YES_NO_ACTION = re.compile(
    r"行不行|行吗|行不|能不能|能否|可不可以|可以吗|可以不|没事吧|没事吗|没问题吧|要不要|该不该|用不用|得不得|有啥不行|"
    r"\b(?:can|may|should|shall|could) (?:i|we|you)\b|\bis it (?:ok|okay|safe|fine|alright)\b|\bdo i (?:need|have)\b",
    re.IGNORECASE)
# "A是不是能B": the worker asks whether doing A brings B (往外跳是不是能保命, 换件是不是就行); A, in the same
# clause, is what he proposes. Kept out of the judge's features (asks_rule), which were fitted without it.
_OUTCOME = re.compile(r"是不是(?=[能就可会])")
_WH = re.compile(r"\b(?:how|what|when|where|which|who|whom|whose|why)\b", re.IGNORECASE)
# "能X吗" asks whether X is allowed (能伸手进去刮面吗): X is the proposal. Also kept out of the judge's features;
# only a rule that writes a word of X answers it (a bare "不能走" does not: 吊着货能开着走吗 is not about it).
_CAN = re.compile(r"(?<![不是可])能(?!不能|否)([^，,。？?！!；;]+?)吗")
_PRESCRIPTIVE = re.compile(
    r"必须|不能|不许|不准|不得|不可|严禁|禁止|绝对|千万|一定要|一定得|务必|别|不要|不用|不行|不可以|可以|没事|没问题|"
    r"得先|要先|才能|才可以|只能|只要|应该|不该|\bnever\b|\bmust\b|\bdon'?t\b|\bdo not\b|\balways\b|\bhave to\b|"
    r"\bcan'?t\b|\bcannot\b|\bshould(?:n'?t)?\b|\bnot until\b|\bonly\b|\bno\b|\byes\b|\bok(?:ay)?\b|\bfine\b|\bneed to\b",
    re.IGNORECASE)

# Specifics of a category: a number with its unit, a code (letters with digits).
_UNITS = (r"千伏|kv|伏|v|千瓦|kw|瓦|w|安|a|吨|t|号|码|毫米|mm|厘米|cm|公分|米|m|度|℃|°|公斤|kg|千克|克|g|斤|兆帕|mpa|帕|"
          r"bar|psi|牛米|n·m|nm|秒|分钟|小时|天|%|寸|英寸|inch(?:es)?|feet|ft|amps?|volts?|degrees?")
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # 7,200 volts is 7200
_NUM = rf"{_DIGITS}|[一二两三四五六七八九十百千]+"
_QUANTITY = re.compile(rf"(?<![第\d,])({_NUM})\s*({_UNITS})(?![a-z])", re.IGNORECASE)
# A code is written as one word or with a hyphen (R-32, J507, G76, PA66): "go to 150" is no code "to150".
_CODE = re.compile(r"(?<![a-z0-9])([a-z]{1,4})-?(\d+[a-z]*)(?![a-z0-9])", re.IGNORECASE)
_UNIT_CLASS = {"kv": "千伏", "v": "伏", "volt": "伏", "volts": "伏", "kw": "千瓦", "w": "瓦", "amp": "安", "amps": "安",
               "a": "安", "t": "吨", "mm": "毫米", "cm": "厘米", "公分": "厘米", "m": "米", "℃": "度", "°": "度",
               "degree": "度", "degrees": "度", "kg": "公斤", "千克": "公斤", "g": "克", "mpa": "兆帕", "n·m": "牛米",
               "nm": "牛米", "inch": "寸", "inches": "寸", "英寸": "寸"}
# Characters that stand before a noun without making it another kind of thing (的酵母 is 酵母).
_NOT_MODIFIER = frozenset("的了是把被为将用在和与及或跟给对从到这那个些么就也都还再又很太最更要会能可不没有说讲放加拿先")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Window:
    """One or two sentences of a retrieved chunk and what the judge measured on them."""

    chunk_index: int
    start: int
    end: int
    text: str
    features: dict[str, float]
    ruling: bool = False  # the master's own rule, choice or instruction on what is asked: the whole answer


@dataclass(frozen=True)
class Verdict:
    """The judge's probability that the best window answers the question, that window, and
    whether the evidence names only another specific of the kind the question asks about."""

    probability: float
    best: Window | None
    contradiction: bool
    grounded: bool = False  # the best window holds the asked-for kind and every subject word (grounded())


def prescriptive(text: str) -> bool:
    """Does the text state a rule or a judgement (必须, 不能, 别, never, must, don't, ...)?"""
    return _PRESCRIPTIVE.search(text) is not None


def _yes_no(question: str) -> re.Match[str] | None:
    """Where the question asks yes or no about doing something: its asking words (行不行, can I), unless
    a question word opens their clause ("How far back should I stay?" asks a distance, not leave)."""
    m = _YES_NO_ACTION.search(question)
    if m is not None and _WH.search(_CLAUSE_END.split(question[: m.start()])[-1]):
        return None
    return m


def asks_rule(question: str) -> bool:
    """Is the question a yes-no question about doing something (行不行, 没事吧, can I, should I)?"""
    return _yes_no(question) is not None


def _kind(question: str, text: str) -> float:
    """1 when the window holds the kind of answer asked for, else 0 (no kind asked: 1)."""
    if asks_rule(question):
        return float(prescriptive(text))
    kind = asked_kind(question, interview=True)  # windows are an interview's sentences
    if kind == "quantity":
        return float(quantity_fits(question, text))
    return float(kind_present(kind, text))


def _unit(u: str) -> str:
    u = u.lower()
    return _UNIT_CLASS.get(u, u)


def _quantities(text: str) -> set[tuple[str, str]]:
    return {(m.group(1).lower().replace(",", ""), _unit(m.group(2))) for m in _QUANTITY.finditer(text)}


def _codes(text: str) -> set[tuple[str, str]]:
    return {(m.group(1).lower(), m.group(2).lower()) for m in _CODE.finditer(text)
            if not _QUANTITY.fullmatch(m.group(0))}


_MODIFIER_TAGS = frozenset("b n nz a k j l".split())  # words that make a noun another kind of thing
_NOUN_TAGS = frozenset("n nz vn j l".split())


@functools.lru_cache(maxsize=20_000)
def _kinds_of(text: str) -> frozenset[tuple[str, str]]:
    """(modifier, noun) pairs of a Chinese text: 单模 光纤, 油浸式 变压器, 干 酵母 (jieba's tags; a
    verb before a noun, 戴 手套, is no modifier)."""
    import jieba

    tokens = tagged_words(text, hmm=False)  # the dictionary's words: fast
    known = jieba.dt.FREQ
    out = set()
    for i, (word, tag) in enumerate(tokens):
        if tag not in _NOUN_TAGS or not _HAN.search(word) or len(word) < 2:  # 钟头 换: a verb read as a noun
            continue
        if len(word) == 4 and word[-2:] in known and _modifier(word[:-2]):
            out.add((word[:-2], word[-2:]))  # 油浸式变压器 and 单模光纤 come as words: a kind of 光纤
        if len(word) == 3 and dictionary_tag(word[1:]) in ("n", "nz") and word[0] not in _NOT_MODIFIER \
                and _HAN.match(word[0]) and word[0] != word[1] \
                and (dictionary_tag(word[0]) != "v" or word[0] == "干"):
            # 降降温 is a verb said twice; 举升机 is no kind of 升机 (举 is a verb; 干, dry, is tagged as 干, do)
            out.add((word[0], word[1:]))  # 鲜酵母 and 干酵母 are dictionary words: kinds of 酵母 (粗加工: 加工 is no thing)
        if i and tokens[i - 1][1] in _MODIFIER_TAGS and _HAN.search(tokens[i - 1][0]):
            modifier = tokens[i - 1][0]
            if tokens[i - 1][1] == "k" and i > 1:  # 油浸 式: the suffix joins its word
                modifier = tokens[i - 2][0] + modifier
            if 2 <= len(modifier) <= 3 and _modifier(modifier):
                out.add((modifier, word))
    return frozenset(out)


def _kinds_in(text: str) -> set[tuple[str, str]]:
    """(modifier, noun) pairs of a text, sentence by sentence (each sentence parsed once per process:
    the same chunks come back question after question)."""
    found: set[tuple[str, str]] = set()
    for a, b in sentence_spans(text):
        found |= _kinds_of(text[a:b].strip())
    return found


def _modifier(word: str) -> bool:
    """Is this word (two or three characters: one character is too often a verb, 换 刀片), by
    jieba's dictionary, one that makes a noun a kind (单模, 油浸式, 干式), not a verb?"""
    if not _HAN.search(word) or word[0] in _NOT_MODIFIER or word[-1] in _NOT_MODIFIER:
        return False
    tag = dictionary_tag(word)
    return tag is None or tag[0] in "abnk"


def contradicts(question: str, text: str) -> bool:
    """Does the text name another specific of a category the question names, lacking the asked one?
    35千伏 against 10千伏, R-32 against R-410A, J507 against J422, 多模光纤 against 单模光纤."""
    low = text.lower()
    # A yes-no question's figure is what it asks the master to judge ("磨到两毫米还能用吗" is
    # answered by "磨到三毫米就必须换"); a question asking for a figure names its conditions by theirs.
    asked = _quantities(question) if asked_kind(question) != "rule" else set()
    # "another" is one the question does not name: "150 psig or 300 psig?" is answered by "300 psig"
    found = _quantities(low)
    others = found - _quantities(question)
    written = {n.replace(",", "") for n in re.findall(_DIGITS, low)}  # "7,200 and 14,400 volt": both are volts
    for number, unit in asked:
        if (number, unit) not in found and number not in written and any(u == unit for _, u in others):
            return True
    named = _codes(question)
    written = _codes(low)
    for prefix, number in named:
        if (prefix, number) not in written and any(p == prefix for p, _ in written - named):
            return True
    if detect_language(question) == "en":
        return False
    others = _kinds_in(low)
    for modifier, noun in _kinds_of(question.lower()):
        if (modifier if len(modifier) > 1 else modifier + noun) in low:  # 鲜 alone is in 新鲜
            continue
        if any(n == noun and m != modifier and (len(m) == 1) == (len(modifier) == 1) for m, n in others):
            return True
    return False


def _spans(hits: Sequence[SearchHit]) -> list[tuple[int, int, int]]:
    """(chunk index, start, end) of every window of one or two sentences of the top chunks."""
    out = []
    for i, hit in enumerate(hits[:_CHUNKS]):
        text = hit.chunk.text
        sentences = [(a, b) for a, b in sentence_spans(text) if text[a:b].strip()]
        for n in _SIZES:
            for j in range(len(sentences) - n + 1):
                a, b = sentences[j][0], sentences[j + n - 1][1]
                piece = text[a:b]
                if b - a > _MAX_WINDOW and n > 1:
                    continue
                if any(is_question(text[x:y]) for x, y in sentences[j : j + n]):
                    continue  # a question (the interviewer's, or one the master repeats) answers nothing
                out.append((i, a + len(piece) - len(piece.lstrip()), b))
    return out


def windows(question: str, hits: Sequence[SearchHit], embedder: Any = None) -> list[Window]:
    """The candidate windows of the top chunks with their features (cosine for the best few)."""
    from shifu.embeddings import USE_NAME

    lang = detect_language(question)
    spans = _spans(hits)
    if not spans:
        return []
    wanted = question_terms(question)
    sentence_bags = [set(terms(hits[i].chunk.text[a:b].lower())) for i, a, b in spans]
    n = len(sentence_bags) + 1
    idf = {t: math.log(1 + n / (1 + sum(t in bag for bag in sentence_bags))) for t in wanted}
    total = sum(idf.values())
    subject = subject_terms(question, lang)
    top = max((h.score for h in hits[:_CHUNKS]), default=0.0)
    rows = []
    for (i, a, b), bag in zip(spans, sentence_bags, strict=True):
        text = hits[i].chunk.text[a:b]
        low = text.lower()
        held = [held_share(t, low, lang) for t in subject] or [1.0]
        kind = _kind(question, low)
        rows.append({
            "terms": sum(w for t, w in idf.items() if t in bag) / total if total else 0.0,
            "subject": sum(held) / len(held),
            "subject_least": min(held),
            "kind": kind,
            "kind_subject": kind * sum(held) / len(held),
            "contradicts": float(contradicts(question, low)),
            "cosine": 0.0,
            "chunk_score": max(hits[i].score, 0.0) / top if top > 0 else 0.0,
        })
    order = sorted(range(len(rows)), key=lambda r: -(rows[r]["terms"] + rows[r]["subject"] + rows[r]["kind"]))
    if getattr(embedder, "name", None) == USE_NAME:
        chosen = order[:_EMBEDDED]
        texts = [hits[spans[r][0]].chunk.text[spans[r][1] : spans[r][2]] for r in chosen]
        embed_query = getattr(embedder, "embed_query", None)
        q = embed_query(question) if embed_query else embedder.embed([question])[0]
        sims = np.asarray(embedder.embed(texts)) @ np.asarray(q)
        for r, s in zip(chosen, sims, strict=True):
            rows[r]["cosine"] = max(0.0, float(s))
    return [Window(i, a, b, hits[i].chunk.text[a:b], f) for (i, a, b), f in zip(spans, rows, strict=True)]


@functools.lru_cache(maxsize=1)
def load_model() -> dict[str, Any]:
    """The judge's coefficients and thresholds (judge_model.json)."""
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def window_score(values: dict[str, float], coef: dict[str, Any]) -> float:
    """The window model's log-odds that a window answers the question."""
    return float(coef["bias"] + sum(w * values[name] for name, w in zip(FEATURES, coef["weights"], strict=True)))


def verdict_inputs(best: dict[str, float] | None, score: float, model_p: float, contradiction: bool) -> list[float]:
    """What the question-level verdict reads: the best window's features and score, the
    answerability model's log-odds (rag.answerability) and the evidence's contradiction."""
    p = min(max(model_p, 1e-3), 1 - 1e-3)
    values = [best[f] for f in FEATURES] if best is not None else [0.0] * len(FEATURES)
    return [*values, score if best is not None else -10.0, math.log(p / (1 - p)), float(contradiction)]


def verdict_probability(inputs: Sequence[float], coef: dict[str, Any]) -> float:
    """The verdict model's probability that the evidence answers the question (inputs standardised)."""
    x = (np.asarray(inputs) - np.asarray(coef["mean"])) / np.asarray(coef["scale"])
    return float(1.0 / (1.0 + math.exp(-(float(x @ np.asarray(coef["weights"])) + coef["bias"]))))


def judge(question: str, hits: Sequence[SearchHit], embedder: Any = None, *, model_p: float = 0.5,
          model: dict[str, Any] | None = None) -> Verdict:
    """The best window of the evidence (by the window model), the verdict's probability that the
    evidence answers the question (window, answerability model and contradiction together) and
    whether the evidence names only another specific of the kind asked about."""
    found = windows(question, hits, embedder)
    contradiction = evidence_falls_short(question, hits)
    lang = detect_language(question)
    coef = (model or load_model())["languages"][lang]
    best, score = None, -10.0
    candidates = [w for w in found if not w.features["contradicts"]]  # 氩气瓶 answers nothing about 乙炔瓶
    if candidates:
        score, best = max(((window_score(w.features, coef["window"]), w) for w in candidates), key=lambda sw: sw[0])
    p = verdict_probability(verdict_inputs(best.features if best else None, score, model_p, contradiction),
                            coef["verdict"])
    return Verdict(round(p, 4), best, contradiction, grounded(best.features) if best else False)


def grounded(values: dict[str, float]) -> bool:
    """May this window answer at all? It holds the kind of answer asked for and every subject word
    of the question at least in half (a question about a battery pack and a powder extinguisher is
    not answered by a sentence about the battery pack alone)."""
    return values["kind"] >= 1.0 and values["subject_least"] >= _LEAST


def evidence_contradicts(question: str, hits: Sequence[SearchHit]) -> bool:
    """Do the top chunks name another specific of a category the question names, none of them
    writing the asked one (only 10千伏 for a question about 35千伏, only 单模光纤 for 多模光纤)?"""
    return contradicts(question, _top_text(hits))


def _top_text(hits: Sequence[SearchHit]) -> str:
    """The top chunks' text together: where evidence-wide checks read."""
    return "\n".join(h.chunk.text for h in hits[:_CHUNKS])


# Metals a worker names: the material decides the current, the gas, the filler, the speed. 钢 and 铁
# alone are in too many things (钢丝绳, 铁屑) to name a metal.
_METALS_ZH = ("不锈钢", "合金钢", "碳钢", "铸铁", "铸钢", "耐热钢", "镀锌", "铝", "铜", "钛", "镁")
_METALS_EN = re.compile(r"\b(?:alumin(?:um|ium)|copper|brass|bronze|stainless|titanium|cast iron|galvani[sz]ed|"
                        r"carbon steel|mild steel)\b", re.IGNORECASE)


def _materials(text: str) -> set[str]:
    """The metals a text names; a longer name holds its shorter one (低碳钢 is 碳钢, 铝合金 is 铝)."""
    low = text.lower()
    found = {m for m in _METALS_ZH if m in low}
    found |= {"aluminum" if m.startswith("alumin") else m.replace("galvanised", "galvanized")
              for m in (x.lower() for x in _METALS_EN.findall(low))}
    return found


def evidence_names_another_material(question: str, hits: Sequence[SearchHit]) -> bool:
    """Does the question name a metal the top chunks never write, while they write another (焊铝 over a
    welder who speaks of 不锈钢 and 碳钢 only: his gas and current are not aluminium's)?"""
    asked = _materials(question)
    if not asked:
        return False
    said = _materials(_top_text(hits))
    return not asked & said and bool(said)


# The master saying a thing is not his to answer: "面包房那边可能不一样，他们做面包的另说", "I've
# never worked on those". A bare 不知道 is too common in speech ("你不知道它哪天坏") to count, and
# "we don't use ladders there", "我没用过热水" are rules of his, not disclaimers.
_DISCLAIMS = re.compile(
    r"另说|(?:我|我们|咱|咱们)(?:也|都|就)?(?:不清楚|不知道|不太懂|不懂|没做过|没干过|不熟)|说不好|不好说|不敢说|外行|"
    r"\bi don'?t know (?:much )?(?:about|anything)\b|\bnot sure about\b|\bi'?ve never (?:done|worked (?:on|with))\b|"
    r"\bcan'?t say\b|\bnot my (?:area|field|trade|job)\b|\bdifferent story\b",
    re.IGNORECASE)


def evidence_disclaims(question: str, hits: Sequence[SearchHit]) -> bool:
    """Does the evidence write a word the question is about only where the master says it is not his
    to answer ("做面包的另说" for a question about bread, "I've never worked on tower cranes")?"""
    lang = detect_language(question)
    sentences = [hit.chunk.text[a:b].lower() for hit in hits[:_CHUNKS] for a, b in sentence_spans(hit.chunk.text)]
    sentences = [s for s in sentences if not is_question(s)]  # asked, not said
    for term in subject_terms(question, lang):
        holding = [s for s in sentences if held_share(term, s, lang) >= 1.0 and _a_word_of(term, s, lang)]
        if holding and all(_DISCLAIMS.search(s) for s in holding):
            return True
    return False


def _a_word_of(term: str, sentence: str, lang: str) -> bool:
    """Is the term a word of the sentence, not part of another thing's name (水泵 in 深井潜水泵 names
    another pump: "深井潜水泵我没干过" disclaims that pump, not every 水泵)?"""
    return lang == "en" or not _HAN.search(term) or term in {w.lower() for w, _ in tagged_words(sentence)}


# A master gives a size by a thing of that size: "一个一元硬币那么高", "about the width of a finger".
_LIKE_A_THING = re.compile(r"[那这]么(?:高|厚|宽|长|大|深|粗|细|远|重|紧|松|多)|[一两半]个?[拳指巴掌手]|"
                           r"\bas (?:high|thick|wide|long|big|deep|far|tight) as\b|\b(?:width|size|thickness) of an?\b",
                           re.IGNORECASE)


def lacks_asked_quantity(question: str, hits: Sequence[SearchHit]) -> bool:
    """Does a question asking for an amount in a unit (几年, 多少度, how many minutes) meet evidence
    that writes no such number in a sentence whose neighbourhood (the sentence before, the one after:
    the interviewer's question often names the thing) names anything the question names
    ("叉车司机证几年复审一次" over a forklift interview giving no years for a licence; "How many years
    can I keep my harness" where the years are the master's own career)? An English question is read
    as rag.amount reads it: the interview gives the amount only where the master's sentence giving it
    names the thing ("you're back in six months" is no answer to how long the nitrogen flows). A yes-no
    question ("磨到两毫米还能用吗") asks for a judgement, not this."""
    from rag.amount import amount_answers, asks_amount

    if not asks_amount(question):
        return False
    lang = detect_language(question)
    if lang == "en":
        return bool(hits) and bool(hits[0].chunk.speakers) and amount_answers(question, hits) is None
    subject = subject_terms(question, lang)
    for hit in hits[:_CHUNKS]:
        said = [hit.chunk.text[a:b].lower() for a, b in sentence_spans(hit.chunk.text)]
        for j, sentence in enumerate(said):
            if not (quantity_fits(question, sentence) or _LIKE_A_THING.search(sentence)):
                continue
            around = " ".join(said[max(0, j - 1) : j + 2])  # the thing is often named in the question before
            if not subject or any(held_share(t, around, lang) > 0 for t in subject):
                return False
    return True


def evidence_falls_short(question: str, hits: Sequence[SearchHit]) -> bool:
    """Whatever the models say, does the evidence fail the question: it names only another specific
    of the kind asked about (another metal too), or, over an interview, the master disclaims the subject or the amount asked
    for is not there? (Written passages keep the model calibrated on them.)"""
    if evidence_contradicts(question, hits) or evidence_names_another_material(question, hits):
        return True
    interview = bool(hits) and bool(hits[0].chunk.speakers)
    return interview and (evidence_disclaims(question, hits) or lacks_asked_quantity(question, hits)
                          or never_speaks_of(question, hits))


# Characters of any act or thing (用, 换, 放, 上 ...): a master writing them says nothing yet of the act asked.
_EVERYDAY_CHARS = frozenset("用换放拿加开上下进出来去到在把给让能会要得了着过的一不是有打做干弄搞就还再都也很太说看")


def never_speaks_of(question: str, hits: Sequence[SearchHit]) -> bool:
    """A worker's "能X吗" (may I X?) over an interview whose master, in the chunks about the question, never
    writes a character of what X does or names (车床主轴还没停稳，能**换挡**吗: no 挡; 能放**洗衣机**里洗吗: no
    洗衣机), or never names a thing or place of X (接头盒能直接埋进**土里**吗): he has not ruled on it, whatever
    passage is near. For the act a character counts, not a word: the master's "烘" answers the worker's 烘料."""
    if asks_rule(question) or _OUTCOME.search(question) or detect_language(question) != "zh":
        return False
    proposal = _proposal(question)
    if not proposal:
        return False
    words, _ = _proposal_words(question, "zh")
    chars = {ch for w in words for ch in w if ch not in _EVERYDAY_CHARS}
    codes = {c.lower() for c in re.findall(r"[a-z]+-?\d*[a-z]*", proposal, re.IGNORECASE)}  # 兑点**DOT5**
    if not chars and not codes:
        return False
    said = "".join(hits[i].chunk.text for i in chunks_about(question, hits)).lower()
    if not any(ch in said for ch in chars) and not any(c in said for c in codes):
        return True
    # nor the thing it is done to or where (埋进**土里**): a noun of X he never names
    things = {w for w, _ in tagged_words(proposal)  # words of jieba's dictionary, not its guesses (抽根)
              if (dictionary_tag(w) or "x")[:1] in "ns" and len(w) >= 2 and not everyday_word(w)}
    return bool(things) and not any(held_share(t, said, "zh") >= 0.5 for t in things)


# A rule of the master's that names what the worker proposes to do: "光靠液压顶着没事吧？" is answered by
# "不能靠液压撑着", "戴副线手套干活行不行？" by "操作车床绝对不许戴手套". The marker opens the clause it rules on.
_RULE_MARKER = re.compile(
    r"不能|不许|不准|不得|不可以|不可|严禁|禁止|绝对|千万|一定要|一定得|必须|务必|别|不要|"
    r"\bnever\b|\bdon'?t\b|\bdo not\b|\bmust(?: not)?\b|\bcan'?t\b|\bcannot\b|\bshould(?:n'?t| not| never)?\b|\balways\b",
    re.IGNORECASE)
# A clause ends at its mark, or in speech transcribed without marks (语音转写稿) at a pause between two
# Chinese characters: "查漏不能用打火机去照 用肥皂水抹在接头上" is two clauses.
_CLAUSE_END = re.compile(r"[，。；！？,.;!?\n]|(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
# Words of the proposal an English ruled clause writes (it shares more than a Chinese one): two, and half of
# them ("skip … don't test twice" about grounding in a storm is no rule on skipping a new glove's air test).
_RULE_WORDS_EN = 2


def _proposal(question: str) -> str:
    """What a yes-no question proposes to do: after the asking words where they open it (能不能**随用随充**,
    can I **reuse the gasket**), else the clause they close (**光靠液压顶着**没事吧, **我先把排风扇打开**行不行)."""
    m = _yes_no(question)
    outcome = _OUTCOME.search(question)
    if m is None and outcome is not None:  # **往外跳**是不是能保命: what follows is what the worker hopes for
        clause = _CLAUSE_END.split(question[: outcome.start()])[-1]
        return clause if clause.strip() else ""
    if m is None:
        can = _CAN.search(question)  # 能**伸手进去把面刮下来**吗; the word 能, not 功能好用吗
        return can.group(1) if can and any(w == "能" for w, _ in tagged_words(question)) else ""
    after = _CLAUSE_END.split(question[m.end():], maxsplit=1)[0]
    if after.strip(" 吗呢吧啊呀么"):
        return after
    before = [c for c in _CLAUSE_END.split(question[:m.start()]) if c.strip()]
    return before[-1] if before else ""


def _proposal_words(question: str, lang: str) -> tuple[set[str], set[str]]:
    """The words of what a yes-no question proposes (Chinese: nouns and verbs of two characters or more;
    English: content words), and (Chinese) the one character each of its verbs is done with (跳 of 跳车,
    能不能跳车: a master's bare "不能跳" rules on it)."""
    proposal = _proposal(question)
    if lang == "en":
        return set(english_words(proposal)), set()
    words = [(w.lower(), tag) for w, tag in tagged_words(proposal) if _HAN.match(w) and _of_the_act(w)]
    verbs = {w[0] for w, tag in words if tag[:1] == "v" or (len(w) == 2 and dictionary_tag(w[0]) == "v")}
    bare = _yes_no(question) or _OUTCOME.search(question)  # not 能……吗 (see _CAN)
    return {w for w, tag in words if len(w) >= 2 and tag[:1] in "nve"} | _said_without_measure(proposal), \
        verbs if bare else set()



_MEASURED = re.compile(r"(?=([\u4e00-\u9fff])[一两几]?[个根口把下次点支条块张台辆只瓶杯碗盒包袋趟遍回]([\u4e00-\u9fff]))")


def _of_the_act(word: str) -> bool:
    """May this word of a yes-no question name what the worker proposes? Not an everyday word, not one
    made only of everyday characters (进去, 出来: where, not what), not an asking or ruling word."""
    return not everyday_word(word) and not set(word) <= _EVERYDAY_CHARS \
        and not _RULE_MARKER.search(word) and not _YES_NO_ACTION.search(word)


def _said_without_measure(proposal: str) -> set[str]:
    """The acts a proposal names with a measure word inside (抽**根**烟, 喝**口**水, 拧**个**螺丝), as the
    master names them: 抽烟, 喝水 (a dictionary word of a verb and its thing; jieba reads 抽根 / 烟)."""
    return {m.group(1) + m.group(2) for m in _MEASURED.finditer(proposal)
            if (dictionary_tag(m.group(1) + m.group(2)) or "x")[:1] in "nv"}


def _ruled_clauses(sentence: str) -> list[str]:
    """What each rule marker of a sentence rules on: its whole clause, the thing before the marker too
    ("绝对不许戴手套", "排风扇也不要去按")."""
    out = []
    for m in _RULE_MARKER.finditer(sentence):
        ends = [e.end() for e in _CLAUSE_END.finditer(sentence, 0, m.start())]
        end = _CLAUSE_END.search(sentence, m.end())
        out.append(sentence[ends[-1] if ends else 0 : end.start() if end else len(sentence)].lower())
    return out


def _rules_on(clause: str, words: set[str], verbs: set[str], lang: str) -> bool:
    """Does a ruled clause rule on what the question proposes: it writes a word of it (English: two words and
    half of them), or (Chinese) it is a bare rule on the proposed verb ("不能跳" for 往外跳, 跳车)?"""
    if lang == "en":
        return len(words & set(english_words(clause))) >= max(_RULE_WORDS_EN, math.ceil(len(words) / 2))
    return any(held_share(w, clause, lang) >= 0.5 for w in words) or _RULE_MARKER.sub("", clause).strip() in verbs


def _words_he_says(question: str, text: str) -> set[str]:
    """Two characters of what the question proposes that the master says as he says them: jieba reads
    "料筒直接换料" as 料 / 筒 / 直接 / 换料, and the master's 料筒 is the worker's."""
    proposal = _proposal(question)
    pairs = {proposal[k : k + 2] for k in range(len(proposal) - 1)}
    return {p for p in pairs if _HAN.fullmatch(p[0]) and _HAN.fullmatch(p[1]) and p in text
            and (dictionary_tag(p) or "n")[:1] in "nv"  # a thing or an act, not 直接 or 以后
            and _of_the_act(p)}


def rule_answers(question: str, hits: Sequence[SearchHit]) -> Window | None:
    """For a yes-no question about doing something (行不行, 没事吧, can I), the master's sentence that rules
    on that very thing: a rule marker (不能, 绝对不许, never, must) whose clause writes a word of what the
    question proposes, in a chunk holding at least half of the question's subject words. None when there is
    none: then the models decide."""
    if not (asks_rule(question) or _OUTCOME.search(question) or _CAN.search(question)) or not hits \
            or not hits[0].chunk.speakers:
        return None
    lang = detect_language(question)
    words, verbs = _proposal_words(question, lang)
    said: dict[int, set[str]] = {}  # per chunk: the proposal's words, and those in the master's own words
    for i, start, end, sentence in statements_about(question, hits):
        if i not in said:
            said[i] = words | (_words_he_says(question, hits[i].chunk.text) if lang == "zh" else set())
        if any(_rules_on(c, said[i], verbs, lang) for c in _ruled_clauses(sentence)):
            return Window(i, start, end, sentence, {}, ruling=True)
    return None


def _master_says(question: str, hits: Sequence[SearchHit]) -> Window | None:
    """The master's sentence that makes the question's choice (rag.choice), tells how to do what it asks
    (rag.how_to) or gives the amount it asks for (rag.amount), as a window."""
    from rag.amount import amount_answers
    from rag.choice import choice_answers
    from rag.how_to import how_to_answers

    found = choice_answers(question, hits) or how_to_answers(question, hits) or amount_answers(question, hits)
    if found is None:
        return None
    i, start, end = found
    return Window(i, start, end, hits[i].chunk.text[start:end], {}, ruling=True)


def master_answers(question: str, hits: Sequence[SearchHit]) -> Window | None:
    """The master's own sentence that answers the question in an interview about it: his rule on the act
    asked about, the choice he makes, his instruction on the act, the amount he gives; None when there is
    none or the evidence falls short (another specific named, the amount missing)."""
    found = rule_answers(question, hits) or _master_says(question, hits)
    return found if found is not None and not evidence_falls_short(question, hits) else None


def decide(question: str, hits: Sequence[SearchHit], embedder: Any = None, library: Any = None) -> Decision:
    """The chat's one decision, offline and LLM alike: answer or say "not covered".

    The answerability model decides first (rag.answerability.decide). A yes-no question about doing
    something is answered, whatever the model says, when the master rules on that very thing (`rule_answers`:
    "不能靠液压撑着" for "光靠液压顶着没事吧？"), safety questions too: his rule is the answer and starts it,
    not cut off at the end of a long passage; so is a
    choice question ("是横着磨还是顺着磨？") by his sentence that makes the choice (rag.choice), a
    how-to question by his sentence telling to do that very act to that thing (rag.how_to), and an
    English question asking only for an amount by his sentence giving it in a fitting unit (rag.amount).
    Whatever it says, evidence that names only another specific of the kind the question asks about
    (五十五千瓦 for a question about 二十二千瓦, 单模光纤 for 多模光纤) does not answer it. For a question the model judges
    over an interview (chunks with speakers), in a language where the judge beat the model alone
    leaving one interview out (judge_model.json, "decides"), a question the model refuses is
    answered when the judge's best window is grounded (the asked-for kind and every subject word
    in it) and its verdict reaches the threshold; a safety question never is (its threshold is
    out of reach: measured, docs/BENCHMARKS.md). The grounded window starts the answer. Written
    text (encyclopaedia passages, web snippets) keeps the model, which was calibrated on it.
    """
    from rag.answerability import decide as model_decide
    from rag.answerability import judged, spoken

    decision = model_decide(question, hits, embedder, library)
    if not hits or not judged(question, spoken(hits)):
        return decision
    rule = master_answers(question, hits)  # covered or not: his rule is the answer
    if rule is not None:
        return replace(decision, covered=True, window=rule)  # safety first: the master's rule is the answer
    lang = detect_language(question)
    settings = load_model()["languages"][lang]
    if not settings.get("decides") or not hits[0].chunk.speakers:
        return replace(decision, covered=decision.covered and not evidence_falls_short(question, hits))
    verdict = judge(question, hits, embedder, model_p=decision.probability)
    bar = settings["safety_threshold" if decision.safety else "threshold"]
    rescued = verdict.grounded and verdict.probability >= bar
    covered = not verdict.contradiction and (decision.covered or rescued)
    return replace(decision, covered=covered, judge_probability=verdict.probability,
                   window=verdict.best if verdict.grounded else None)
