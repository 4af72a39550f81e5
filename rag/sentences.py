"""Sentences and evidence spans: split a chunk, score its sentences against a question,
and cut the short verbatim span that answers it.

Everything here works on character offsets into the chunk text, so a span can always be
cited as ``chunk.text[start:end]``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rag.lexical import bigram_tokens
from rag.spans import cut_spans

__all__ = [
    "NOTE",
    "without_dangling_lead_in",
    "without_note_lines",
    "Evidence",
    "Speech",
    "acronyms",
    "announced_list",
    "answer_type",
    "best_evidence",
    "chinese_nouns",
    "clause_spans",
    "dictionary_tag",
    "ends_sentence",
    "english_words",
    "everyday_word",
    "is_question",
    "list_end",
    "question_terms",
    "sentence_end_after",
    "sentence_spans",
    "spelled_out",
    "spelled_out_pattern",
    "tagged_words",
    "terms",
    "whole_sentences",
]

_END = frozenset("。！？!?；;…")
_CLOSERS = frozenset("”’」』）)】》\"'")
_CLAUSE = frozenset("，,、：:")
# A transcriber's note, not the speaker's words: "（中间有人进来找孙师傅说事，约两分钟）", "[laughter]".
NOTE = re.compile(r"（[^（）]*）|\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")

# Question words and particles. The answer stands where they stand, so their bigrams never
# match the evidence; dropping them (and cutting bigrams at them) keeps only content terms.
_QWORDS = re.compile(
    r"什么时候|什么样|什么|甚么|哪一年|哪年|哪一天|哪天|哪一个|哪里|哪儿|哪些|哪个|哪位|哪家|哪种|哪|"
    r"多少|多长|多久|多大|多高|多远|多重|几|谁|是否|有没有|吗|呢|吧|啊|怎么样|怎么|怎样|如何|"
    r"为什么|为何|何时|何地|何种|何|啥|请问|是不是"
)
# Particles and everyday words that say nothing about the subject ("今天", "我们", "一般"):
# cut there too, or "气孔是怎么产生的" yields the junk bigrams 孔是 and 生的.
_FILLER = re.compile(
    r"的|了|是|呀|今天|现在|时候|一个|一下|一些|我们|你们|他们|大家|这个|那个|这些|那些|这样|那样|"
    r"可以|应该|需要|知道|觉得|一般|大概|大约|差不多|的话|师傅|老师"
)
_EN_QWORDS = frozenset(
    "what which who whom whose when where why how is are was were do does did the a an of to in on "
    "for and or it its this that be by with as at from can could should would please".split()
)

# English words that say nothing about a subject: function words, and the everyday verbs,
# nouns and adjectives any question carries ("best", "get", "time", "new"). Without them
# "What is the best pizza in New York?" matched an interview on "best" and "new".
_EN_STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me
more most my myself no nor not of off on once only or other ought our ours ourselves out over own same
she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've this those through to too under until up
very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours
yourself yourselves s t d ll re ve m o y
get gets got getting go goes going went gone make makes made making take takes took taken use used
uses using done need needs want wants know knows knew think thought say says said tell told give gave
come came see saw look find found put keep let seem try work works way ways thing things something
anything everything nothing someone anyone everyone people person time times year years day days today
tomorrow yesterday week month now ever never always often sometimes usually really just still even
much many lot lots one two first last next new old good best better bad great big small little long
short right well kind sort like please thanks okay yes yeah uh um
real quick quickly anyway anyways alright ok everybody somebody anybody nobody couple bit maybe probably
supposed gonna wanna gotta stuff guy guys ahead whole kinda sorta pretty actually basically literally sure
able instead else besides enough already
""".split())
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def _stem(word: str) -> str:
    """A word's Snowball (Porter 2) English stem, so "grounding", "grounds" and "ground" meet, and
    "hose" and "hoses", "bleed" and "bleeding", "fire" and "fired" do too."""
    if word.endswith("'s"):
        word = word[:-2]
    return str(_stemmer().stemWord(word))


def english_words(text: str) -> list[str]:
    """The English content words of a text: lowercased, stemmed, everyday words dropped."""
    return list(_english_words(text))


@functools.lru_cache(maxsize=4096)
def _english_words(text: str) -> tuple[str, ...]:
    # Remembered: an answer reads the same chunks' words in several of its checks.
    lowered = text.lower().replace("\u2019", "'")
    return tuple(_stem(w) for w in _EN_WORD.findall(lowered) if w not in _EN_STOPWORDS)


_ACRONYM = re.compile(r"\b[A-Z]{3,5}\b")
_JOINING = frozenset("per of and the a an to for in on".split())


def acronyms(question: str) -> set[str]:
    """The acronyms a question writes in capitals (CFM, PPE, GFCI), lowercased as english_words
    writes them."""
    return {a.lower() for a in _ACRONYM.findall(question)}


def spelled_out(acronym: str, text: str) -> bool:
    """Does the text spell the acronym out, word by word ("cubic feet per minute" for cfm,
    "personal protective equipment" for ppe)? Joining words (per, of, and) may stand between."""
    words = re.findall(r"[a-z]+", text.lower())

    def spells(word: str, letter: str) -> bool:  # "can for me" spells nothing: everyday words don't count
        return word.startswith(letter) and word not in _EN_STOPWORDS and word not in _JOINING

    for i, first in enumerate(words):
        if not spells(first, acronym[0]):
            continue
        k, j = 1, i + 1
        while k < len(acronym) and j < len(words):
            if spells(words[j], acronym[k]):
                k += 1
            elif words[j] not in _JOINING:
                break
            j += 1
        if k == len(acronym):
            return True
    return False


def spelled_out_pattern(acronym: str) -> str:
    """A regular expression for the acronym written out word by word ("c… f… per m…" for cfm), the joining
    words of `spelled_out` allowed between."""
    joining = rf"(?:\s+(?:{'|'.join(sorted(_JOINING))}))*\s+"
    return joining.join(letter + "[a-z]*" for letter in acronym.lower())


# Answer types a question asks for, found by its question word; the evidence must hold one.
_NUMBER_Q = re.compile(r"多少|几|多大|多长|多久|多高|多远|多重|百分之|比例|how (?:many|much|long|old)")
_TIME_Q = re.compile(r"何时|什么时候|哪一?年|哪一?天|哪个月|时间|日期|年份|when|what year")
_NUMERAL = re.compile(r"\d|[零〇一二三四五六七八九十百千万亿两半][^\s，。,]?(?:年|月|日|号|岁|个|次|名|位|种|米|元|倍|度|分|秒|小时|天|周|斤|公里|公斤|吨|%)")
_TIME = re.compile(r"\d{2,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*[日号]|[一二三四五六七八九十〇零]{2,4}年|世纪|年代|朝|时期|[春夏秋冬]季|\d{4}")


def terms(text: str) -> list[str]:
    """The index's lexical terms: Chinese character bigrams and lowercase words."""
    return bigram_tokens(text)


# Everyday nouns and verbs a worker's question carries whatever the subject ("方法", "问题",
# "之前"): their absence from the material says nothing about whether it covers the subject.
_ZH_GENERIC = frozenset(
    "产生 允许 计算 应对 处理 注意 更换 检查 判断 维护 调整 要求 方法 办法 情况 问题 影响 特点 意思 出现 区别 "
    "作用 主要 通常 能够 进行 使用 选择 解决 注意事项 有关 关于 具体 一定 最好 容易 必须 就要 之前 以后 时候 一次 "
    "东西 地方 师傅 老师傅 师父 老师 您".split()  # 师傅 is whom a worker asks, not what he asks about
)


@functools.lru_cache(maxsize=20_000)
def tagged_words(text: str, hmm: bool = True) -> tuple[tuple[str, str], ...]:
    """A Chinese text's words with jieba's part-of-speech tags (hmm=False: only its dictionary's words, fast)."""
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on a worker's screen
    return tuple((p.word, p.flag) for p in pseg.lcut(text, HMM=hmm))


def dictionary_tag(word: str) -> str | None:
    """jieba's dictionary part-of-speech of a word (跳: v, 酵母: n), whatever its context; None if unknown."""
    import jieba.posseg as pseg  # its dictionary of tags is read as it is imported

    return pseg.dt.word_tag_tab.get(word)


def everyday_word(word: str) -> bool:
    """Is this a word a worker's question carries whatever it is about (方法, 之前, 师傅)?"""
    return word in _ZH_GENERIC


# jieba part-of-speech tags of nouns and noun-like words (names, places, idioms, latin words).
_ZH_NOUN_TAGS = frozenset("n nz vn nr ns nt nrt nrfg eng j l i an x".split())
_ZH_ASK_WORD = re.compile(r"什么|啥|哪.*|几.?|多少|谁|何.*|多[长久大高远重厚宽]|怎么.*|怎样|如何")
_ZH_ASK_KIND = re.compile(r"什么|啥|哪.?|几.?|何")  # 什么职务, 哪个国家: the next word is the answer's kind
_ZH_LINK = frozenset("是 为 叫 有 约 大约 一般 的".split())
_HAN = re.compile(r"[\u4e00-\u9fff]")


def chinese_nouns(question: str) -> list[str]:
    """The nouns a Chinese question is about (jieba), lowercased: not question words, not
    everyday words, and not the noun naming the kind of answer asked for.

    "杨昊的职业是什么" and "担任什么职务" ask for a 职业 / 职务: the answer states it without
    naming it, so that noun is left out like the question word itself. A two-character
    word jieba only guessed (not in its dictionary, often two words run together) is left out.
    """
    return list(_chinese_nouns(question))


@functools.lru_cache(maxsize=512)
def _chinese_nouns(question: str) -> tuple[str, ...]:
    # Remembered: one answer asks for its question's nouns three times (covered, features, subject).
    import jieba

    tokens = _place_apart(tagged_words(question))
    known = jieba.dt.FREQ  # jieba's dictionary, loaded by the cut above
    out: list[str] = []
    dropped = -1  # the last word read across two words
    for i, (word, tag) in enumerate(tokens):
        if tag not in _ZH_NOUN_TAGS or _ZH_ASK_WORD.fullmatch(word) or _QWORDS.fullmatch(word) or _FILLER.fullmatch(word):
            continue
        if i and _ZH_ASK_KIND.fullmatch(tokens[i - 1][0]):
            continue
        j = i + 1
        while j < len(tokens) and tokens[j][0] in _ZH_LINK:
            j += 1
        if j > i + 1 and j < len(tokens) and _ZH_ASK_WORD.fullmatch(tokens[j][0]) and not _asks_of(tokens, j):
            continue  # 职业 in 职业是什么, 体重 in 体重是多少; not 车床 in 车床有哪些安全规矩
        word = word.lower()
        if not re.search(r"\w", word) or word in _ZH_GENERIC or word in out:
            continue
        if _HAN.search(word) and (len(word) < 2 or (len(word) == 2 and word not in known)):
            continue
        if _run_across(tokens, i, known, dropped == i - 1):
            dropped = i
            continue
        out.append(word)
    return tuple(out)


# Characters a worker's sentence puts before its verb: adverbs (车**刚**跑回来) and modals (就**能**量吗,
# 是不是**能**保命); a measure word after a demonstrative or a number (这**台**机); degree adverbs before
# a predicate (最省事).
_ZH_BEFORE_VERB = frozenset("刚才就也都还又再已能会要可该得")
_ZH_MEASURE = frozenset("台个把根条块张辆只批次遍道层件套片颗瓶桶箱包袋盘卷支部架座家")
_ZH_POINTING = frozenset("这那哪一两几每该本半")
_ZH_DEGREE = frozenset("最 很 太 更 挺 比较 特别 非常 蛮".split())
_ZH_PLACE = frozenset("外内上下前后左右底顶高低里中")


def _place_apart(tokens: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The words with a noun and the place word after it read apart where jieba read a place word across
    them: 车 / 床上 of 车床上干活 is 车床 / 上 (床上, in bed, is no subject of a lathe question)."""
    out = list(tokens)
    for i in range(len(out) - 1):
        (one, tag), (two, _) = out[i], out[i + 1]
        if (len(one) == 1 and _HAN.match(one) and tag[:1] not in _ZH_FUNCTION_TAGS and len(two) == 2
                and two[1] in _ZH_PLACE and (dictionary_tag(one + two[0]) or "")[:1] == "n"):
            out[i], out[i + 1] = (one + two[0], dictionary_tag(one + two[0]) or "n"), (two[1], "f")
    return tuple(out)


_ZH_FUNCTION_TAGS = frozenset("pdrucyme")  # prepositions, adverbs, pronouns, particles, numbers: 在 / 地上 stays


def _asks_of(tokens: tuple[tuple[str, str], ...], j: int) -> bool:
    """Does the question word at j ask for a kind of thing the noun before it has (车床有哪些**安全规矩**),
    rather than for the noun itself (职业是什么)? A noun follows it in its clause."""
    for word, tag in tokens[j + 1 : j + 4]:
        if not _HAN.match(word) and not word.isalnum():
            return False  # the clause ends
        if tag in _ZH_NOUN_TAGS and tag != "x":
            return True
    return False


def _run_across(tokens: tuple[tuple[str, str], ...], i: int, known: dict[str, int], dropped: bool) -> bool:
    """Is the i-th word one jieba read across two words of a worker's sentence, so no subject? An adverb or
    modal run into what follows it, where the word is rare (刚跑 of 车刚跑回来, 能保命) or an adverb stands
    before it (能量 of 就能量吗; not 电池的能量) or a word read across (这台机刚跑完); a measure word run
    into its noun (台机 of 这台机); a predicate after a degree adverb (省事 of 最省事); the verb a question
    asks with (讲究 of 讲究个啥)."""
    word, tag = tokens[i]
    before = tokens[i - 1] if i else ("", "")
    after = "".join(w for w, _ in tokens[i + 1 : i + 3])
    if word[0] in _ZH_BEFORE_VERB and (known.get(word, 0) <= _RARE or before[1][:1] in ("d", "l") or dropped):
        return True
    if word[0] in _ZH_MEASURE and before[0] and before[0][-1] in _ZH_POINTING:
        return True
    if before[0] in _ZH_DEGREE and word[0] not in _ZH_PLACE:  # 最外层 is a place, not a predicate
        return True
    return tag.startswith("v") and re.match(r"个?(?:啥|什么)(?!时候|时间|地方|样)", after) is not None


_RARE = 10  # jieba's rarest dictionary words (3 is its floor): 刚跑 as a place name, not a word a worker uses


def question_terms(question: str) -> list[str]:
    """The content terms of a question: its terms without question words or particles."""
    stripped = _FILLER.sub(" ", _QWORDS.sub(" ", question))
    return [t for t in dict.fromkeys(terms(stripped)) if t not in _EN_QWORDS]


def answer_type(question: str) -> str:
    """'time', 'number' or '' — what kind of answer the question word asks for."""
    q = question.lower()
    if _TIME_Q.search(q):
        return "time"
    if _NUMBER_Q.search(q):
        return "number"
    return ""


def _has_type(text: str, kind: str) -> bool:
    if kind == "time":
        return bool(_TIME.search(text))
    if kind == "number":
        return bool(_NUMERAL.search(text))
    return True


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end], terminators and closing quotes kept."""
    end = len(text) if end is None else end
    cuts: list[int] = []
    i = start
    while i < end:
        ch = text[i]
        cut = 0
        if ch == "\n":
            cut = i + 1
        elif ch in _END:
            j = i + 1
            while j < end and (text[j] in _END or text[j] in _CLOSERS):
                j += 1
            cut = j
        elif ch == "." and (i + 1 == end or text[i + 1].isspace()):
            cut = i + 1
        if cut:
            cuts.append(cut)
            i = cut
            continue
        i += 1
    return cut_spans(text, start, cuts, end)


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each comma-separated clause of text[start:end], the comma kept."""
    return cut_spans(text, start, [i + 1 for i in range(start, end) if text[i] in _CLAUSE], end)


_SHORT = 0.5  # a span shorter than this share of the limit may run on into the next paragraph


class Speech(Protocol):
    """Who speaks where in the chunks given to best_evidence (from the transcript's turns)."""

    def turn(self, chunk_index: int, offset: int) -> int:
        """A key of the turn holding this offset of the chunk: a span never leaves its turn."""
        ...

    def weight(self, chunk_index: int, offset: int) -> float:
        """How much a statement made here counts (the interviewer's remarks count less)."""
        ...


@dataclass(frozen=True)
class Evidence:
    """The best span of one chunk for a question: offsets into the chunk text and its score."""

    chunk_index: int  # position in the list of chunks given
    start: int
    end: int
    score: float  # sentence match plus retrieval share; comparable across chunks of one query
    match: float  # weighted share of the question's terms found in the sentence, 0..1


def _idf_from(bags: Sequence[set[str]], qterms: Iterable[str]) -> dict[str, float]:
    """IDF of each question term over the candidate sentences (a term in every sentence says little)."""
    n = len(bags)
    out = {}
    for t in qterms:
        df = sum(1 for b in bags if t in b)
        out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return out


def is_question(sentence: str) -> bool:
    """Does the sentence ask (ends on a question mark, before closing quotes or brackets)?"""
    return sentence.rstrip("”’」』）)】》\"' \n").endswith(("？", "?"))


class _Parsed:
    """What a chunk's text alone decides: its sentences, their paragraphs and term bags, and the
    term bags of the spans around them asked for so far (read-only once made; shared by threads)."""

    def __init__(self, text: str) -> None:
        self.spans = sentence_spans(text)
        self.paragraphs = [text.count("\n", 0, s) for s, _ in self.spans]
        self.bags = [set(terms(text[s:e])) for s, e in self.spans]
        self.around: dict[tuple[int, int], set[str]] = {}


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> _Parsed:
    # The chat scores the same retrieved chunks answer after answer, four times per answer (the
    # answer, the covered decision, its features): splitting and tokenising them once is most of it.
    return _Parsed(text)


class _Chunk:
    """One chunk's sentences, the paragraph and speaker turn each is in, and their term bags."""

    def __init__(self, text: str, turn: Callable[[int], int] | None = None) -> None:
        self.text = text
        parsed = _parsed(text)
        self.spans, self.paragraphs, self.bags, self._around = parsed.spans, parsed.paragraphs, parsed.bags, parsed.around
        # Without turns, each paragraph is taken for a turn (turns are joined by newlines too).
        self.turns = [turn(s) for s, _ in self.spans] if turn else self.paragraphs

    def bag(self, start: int, end: int) -> set[str]:
        """The terms of text[start:end] (remembered with the text: read, never changed)."""
        found = self._around.get((start, end))
        if found is None:
            found = self._around[(start, end)] = set(terms(self.text[start:end]))
        return found

    def grow(self, k: int, limit: int) -> tuple[int, int]:
        """Sentence k widened with neighbours in its paragraph (whole, then clause by clause);
        a short paragraph ("原因主要有四个。") runs on into the next ones of the same turn, never back
        into the one before (his last point: the brake noises before "修车的顺序是……")."""
        start, end = self.spans[k]
        lo, hi, keys = k - 1, k + 1, self.paragraphs
        start, end, lo, hi = self._whole(keys, k, limit, start, end, lo, hi)
        if end - start < _SHORT * limit and self.turns is not self.paragraphs:
            keys = self.turns  # on into the next paragraphs of the turn, not back into his last point
            start, end, lo, hi = self._whole(keys, k, limit, start, end, lo, hi, back=False)
        spans = self.spans
        if hi < len(spans) and keys[hi] == keys[k]:
            for _, ce in clause_spans(self.text, *spans[hi]):
                if ce - start > limit:
                    break
                end = ce
        if lo >= 0 and self.paragraphs[lo] == self.paragraphs[k]:
            for cs, _ in reversed(clause_spans(self.text, *spans[lo])):
                if end - cs > limit:
                    break
                start = cs
        return start, end

    def _whole(self, keys: list[int], k: int, limit: int, start: int, end: int, lo: int,
               hi: int, back: bool = True) -> tuple[int, int, int, int]:
        """Add whole neighbouring sentences with the same key as sentence k while they fit (before it
        too unless `back` is False)."""
        spans = self.spans
        while True:
            # The answer follows the matched words more often than it precedes them: try after first.
            if hi < len(spans) and keys[hi] == keys[k] and spans[hi][1] - start <= limit:
                end, hi = spans[hi][1], hi + 1
            elif back and lo >= 0 and keys[lo] == keys[k] and end - spans[lo][0] <= limit:
                start, lo = spans[lo][0], lo - 1
            else:
                return start, end, lo, hi

    def window(self, k: int, limit: int, weight: Callable[[set[str]], float]) -> tuple[int, int]:
        """The clause-aligned piece of a long sentence k, at most `limit` chars, with most weight."""
        start, end = self.spans[k]
        clauses = clause_spans(self.text, start, end)
        best, best_w = (start, start + limit), -1.0
        for i, (cs, ce) in enumerate(clauses):
            j = i
            while j + 1 < len(clauses) and clauses[j + 1][1] - cs <= limit:
                j += 1
                ce = clauses[j][1]
            if ce - cs > limit:  # one clause longer than the limit: cut it, between words if English
                ce = _word_end(self.text, cs, cs + limit)
            w = weight(set(terms(self.text[cs:ce])))
            if w > best_w:
                best, best_w = (cs, ce), w
        return best


def _word_end(text: str, start: int, end: int) -> int:
    """`end`, moved back to the last space when it would split an English word."""
    if end < len(text) and text[end - 1].isascii() and text[end - 1].isalnum() and text[end].isalnum():
        space = text.rfind(" ", start, end)
        if space > start + (end - start) // 2:
            return space
    return end


_CODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]*\d+(?:\.\d+)?[A-Za-z]*|[A-Z]{2,}\d*)(?![A-Za-z0-9])")


def _codes(text: str) -> set[str]:
    """The codes and figures a text writes: model numbers, acronyms, numbers (TXV, PA66, G76, 45)."""
    return {m.group().lower() for m in _CODE.finditer(text)}


def best_evidence(
    question: str,
    texts: Sequence[str],
    scores: Sequence[float] | None = None,
    *,
    limit: int = 150,
    retrieval_weight: float = 2.0,
    context_weight: float = 0.3,
    type_weight: float = 0.15,
    code_weight: float = 0.15,
    idf: Callable[[str], float] | None = None,
    speech: Speech | None = None,
) -> list[Evidence]:
    """For each chunk text, its best span (≤ limit chars) for the question; best first.

    A sentence scores the IDF-weighted share of the question's content terms it holds,
    plus `context_weight` times that share over the span it would be shown in, plus
    `retrieval_weight` times its chunk's retrieval score relative to the top chunk, plus
    `type_weight` when it holds the kind of answer asked for (a number, a date), and up to
    `code_weight` more for the share of the question's codes and figures it writes (TXV, PA66,
    "45 … 41": the thing asked about, named exactly). A sentence
    that is itself a question (the interviewer asking) hands its match to the reply after it.
    With `speech`, a span stays inside one speaker's turn (across its paragraphs), and neither a
    question nor any remark of the interviewer's is chosen: each hands its match to the reply.
    """
    qterms = question_terms(question)
    kind = answer_type(question)
    codes = _codes(question)
    if scores is None:
        scores = [1.0 / (1 + i) for i in range(len(texts))]
    top = max((s for s in scores if s > 0), default=1.0)
    chunks = [_Chunk(t, functools.partial(speech.turn, i) if speech else None) for i, t in enumerate(texts)]
    if idf is None:
        weights = _idf_from([b for c in chunks for b in c.bags], qterms)
    else:
        weights = {t: idf(t) for t in qterms}
    total = sum(weights.values()) or 1.0

    def share(bag: set[str]) -> float:
        return sum(weights[t] for t in qterms if t in bag) / total

    out: list[Evidence] = []
    for ci, c in enumerate(chunks):
        if not c.spans:
            continue
        prior = retrieval_weight * max(scores[ci], 0.0) / top
        best: tuple[float, float, int] = (-1.0, 0.0, 0)
        asked = 0.0  # match of the question sentence just before, handed to its reply
        for k, bag in enumerate(c.bags):
            sentence = c.text[c.spans[k][0] : c.spans[k][1]]
            m = share(bag)
            if is_question(sentence):
                asked, m = max(asked, m), m * 0.5
                if m + prior <= best[0] or speech is not None:  # in speech the reply answers, not the asking
                    continue
            else:
                if speech is not None and speech.weight(ci, c.spans[k][0]) < 1.0:
                    asked = max(asked, m)  # the interviewer's remark ("听说那个断了电也危险。"): his reply answers
                    continue
                if asked:
                    m, asked = max(m, asked), 0.0
            s = m + prior
            if context_weight and len(c.spans) > 1:
                gs, ge = c.grow(k, limit)
                s += context_weight * share(c.bag(gs, ge))
            if kind and _has_type(sentence, kind):
                s += type_weight
            if codes and code_weight:
                s += code_weight * sum(c in _codes(sentence) for c in codes) / len(codes)
            if s > best[0]:
                best = (s, m, k)
        score, match, k = best
        start, end = c.spans[k]
        if end - start > limit:
            start, end = c.window(k, limit, share)
        else:
            start, end = c.grow(k, limit)
        out.append(Evidence(ci, start, end, score, match))
    out.sort(key=lambda e: -e.score)
    return out


# --- whole answers -----------------------------------------------------------------------------

_TERMINATORS = tuple(_END) + (".",) + tuple(_CLOSERS)


def ends_sentence(text: str) -> bool:
    """Does the text stop at a sentence end (not at a comma or mid-clause)?"""
    return text.rstrip().endswith(_TERMINATORS)


def whole_sentences(text: str, start: int, end: int, limit: int, *, speech: bool = False) -> tuple[int, int]:
    """text[start:end] made to end at a sentence end, within `limit` where it can.

    The sentence cut at the end is taken whole when the span still fits, else left out; the one
    cut at the start is taken whole when it fits, else the span keeps starting at its clause.
    A span inside one sentence too long for the limit keeps that sentence's last clauses that
    fit, from the span on; when even that overruns, the sentence runs to its end.
    """
    spans = [(s, e) for s, e in sentence_spans(text) if e > start and s < end]
    if not spans:
        return start, end
    if spans[-1][1] > end:
        if spans[-1][1] - start <= limit or len(spans) == 1:
            end = spans[-1][1]
        else:
            spans.pop()
            end = spans[-1][1]
    if spans[0][0] < start:
        if end - spans[0][0] <= limit:
            start = spans[0][0]
        elif speech and len(spans) > 1:
            # spoken: the sentence cut at the start does not fit whole, so the answer starts at the next
            # one, never mid-sentence ("或者V/P切换太晚。最后才看锁模力。…", "topped out as a journeyman…").
            # Written text keeps its clause: its long sentences carry the answer (WebQA fell .899 -> .881)
            spans.pop(0)
            start = spans[0][0]
    if end - start > limit and len(spans) == 1:
        clauses = [cs for cs, _ in clause_spans(text, start, end) if end - cs <= limit]
        if clauses:
            start = clauses[0]
    return start, end


# What a master says before he answers, not the answer: a compliment to the question, or a
# warning that the story is long ("这个问题问得好，", "好问题。", "Good question.", "That's a long story,").
_OPENER = re.compile(
    r"\s*(?:[嗯啊哎哦噢诶唉]+[，,。！!\s]*)?(?:(?:你|您)?(?:这个)?(?:问题)?问得(?:好|对|在点子上)(?:啊|呀|哈)?|好问题|"
    r"(?:这|那)?(?:个|事)?说来话长|(?:这|那)(?:个)?(?:事|话)?说起来(?:就)?长了|"
    r"(?:that'?s|that is|it'?s|it is|what) an? (?:good|great|interesting|excellent|long) (?:question|story)|"
    r"(?:good|great|interesting|excellent) question|long story(?: short)?)"
    r"(?:[^，,。！？!?.；;\n]{0,12}?)[，,。！？!?.；;—\-\s]+",
    re.IGNORECASE,
)


def skip_opener(text: str, start: int, end: int) -> int:
    """Where the answer in text[start:end] starts once the master's opener is dropped ("这个问题问得
    好，" / "Good question." / "That's a long story,"): the clause or sentence holding only it goes."""
    while start < end:
        m = _OPENER.match(text, start, end)
        if m is None or m.end() >= end:
            return start
        start = m.end()
    return start


def sentence_end_after(text: str, offset: int, cap: int) -> int | None:
    """The end of the sentence running on at `offset`, if it ends within `cap` characters."""
    for s, e in sentence_spans(text, offset, min(len(text), offset + cap)):
        if ends_sentence(text[s:e]) or (e < len(text) and text[e : e + 1] == "\n"):
            return e
    return None


# A list the master announces ("原因主要有四个。", "我最想强调五条：", "three things:"): the
# answer carries every item of it, not the announcement and the first.
_ZH_COUNT = "两二三四五六七八九十"
_ANNOUNCE = re.compile(
    rf"([{_ZH_COUNT}2-9])\s*(?:个|条|点|种|步|样|件|方面|大类)\s*(?:原因|问题|要点|事情|东西|地方|步骤|方面|毛病|规矩)?"
    r"\s*(?:吧|啊|呢)?\s*[：:。！!，,]"
    r"|\b(two|three|four|five|six|seven)\s+(?:main\s+|big\s+|key\s+|basic\s+)?"
    r"(?:things|reasons|steps|rules|ways|points|checks|causes|questions)\b",
    re.IGNORECASE,
)
_ZH_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", 1)} | {"两": 2}
_EN_NUM = {w: i for i, w in enumerate("one two three four five six seven".split(), 1)}
_EN_ORDINAL = "first second third fourth fifth sixth seventh".split()
_LIST_CAP = 600  # characters a carried list may run to


def announced_list(text: str) -> tuple[int, int] | None:
    """(end of the announcement, how many items) of the last list announced in the text."""
    found = None
    for m in _ANNOUNCE.finditer(text):
        count = m.group(1)
        n = _ZH_NUM.get(count) or (int(count) if count and count.isdigit() else 0) or _EN_NUM.get(
            (m.group(2) or "").lower(), 0)
        if n >= 2:
            found = (m.end(), n)
    return found


def _item_marker(n: int) -> re.Pattern[str]:
    zh = "一二三四五六七八九十"[n - 1]
    en = _EN_ORDINAL[n - 1] if n <= len(_EN_ORDINAL) else str(n)
    return re.compile(rf"第{zh}|(?<![一二三四五六七八九十\d]){zh}(?:是|、|，|,|：|:|来|个是)|(?<!\d){n}[、.．)）]|"
                      rf"[（(]{zh}[）)]|\b{en}\b|最后", re.IGNORECASE)


def list_end(text: str, after: int, count: int, cap: int = _LIST_CAP) -> int | None:
    """Where the announced list that starts at `after` ends: the sentence that finishes its last
    item (its paragraph when the item runs on), at most `cap` characters on; None if not found."""
    stop = min(len(text), after + cap)
    last = _item_marker(count).search(text, after, stop)
    if last is None:
        return None
    line_end = text.find("\n", last.end(), stop)
    if line_end != -1 and ends_sentence(text[:line_end]):
        return line_end
    return sentence_end_after(text, last.end(), stop - last.end())


def without_note_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] without the lines at either end that hold only a transcriber's note
    ("（中间有人进来找孙师傅说事，约两分钟）"): an answer quotes the master, not the transcriber."""
    lines = [(a, b) for a, b in cut_spans(text, start, [i + 1 for i in range(start, end) if text[i] == "\n"], end)
             if text[a:b].strip()]
    note = [NOTE.sub("", text[a:b]).strip() == "" for a, b in lines]
    while len(lines) > 1 and note[-1]:
        lines.pop(), note.pop()
    while len(lines) > 1 and note[0]:
        lines.pop(0), note.pop(0)
    return (lines[0][0], lines[-1][1]) if lines else (start, end)


# A sentence that only leads into what comes next: "But here's the safety part.", "Here's the thing:",
# "还有一条要注意：", "我跟你说个事。" — an answer that stops after it stops before its point.
_LEAD_IN = re.compile(
    r"(?:^|\s)(?:but |and |now |so )?(?:here'?s|here is|there'?s)\s+(?:the|a|one|another)\b[^.!?]{0,30}"
    r"(?:part|thing|rule|point|catch|trick|story)\s*[.!:]?\s*$"
    r"|[：:]\s*$"
    r"|^\s*(?:还有|另外|再)?(?:一|两|几)?(?:条|点|个事|件事)?(?:要|得)?(?:注意|说一下|讲一下|强调)(?:的)?[。！：:]?\s*$",
    re.IGNORECASE,
)


def without_dangling_lead_in(text: str, start: int, end: int) -> int:
    """The end of text[start:end] without a last sentence that only leads into what it leaves out."""
    spans = sentence_spans(text, start, end)
    if len(spans) > 1 and _LEAD_IN.search(text[spans[-1][0] : spans[-1][1]]):
        return spans[-2][1]
    return end
