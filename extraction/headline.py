"""A lesson title shaped like a human headline: the noun phrase a stretch of an interview keeps coming
back to, and what it says about it ("区块链的应用", "焊缝咬边的原因", "File system").

VCSum's human headlines (135 on the visible meetings) are noun phrases of 8–12 characters, seven in
ten of the form "X的Y": X the segment's own topic words, often the most frequent compound noun it
says, Y an aspect (原因, 作用, 方式, 建议, 问题 …). So a title is

- the stretch's **key noun phrase**: runs of nouns as the speakers say them ("金融科技", "开源社区"),
  each counted where it stands alone (C-value: a phrase inside a longer one counts less), said at
  least twice, never a person, a filler, a lone aspect word or a stray Latin word of speech
  recognition ("token", "target"); in English a run of content words or a piece of jargon (UNIX,
  PDP-11), never a capitalised name (a person or a place: "Ken Thompson", "Princeton");
- in Chinese, **the aspect** the interviewer asks for ("为什么…" → 原因, "怎么…" → 方法) or, where
  `said_aspects` is on, the aspect word the stretch says most.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from extraction.units import _EN_STOP, _ZH_STOP, _fragment, _jieba, question_phrases

_ZH_NOUNS = ("n", "nz", "vn", "nt", "ns", "nw", "eng", "j", "an")  # j: abbreviations (五育, 双碳); an: 安全
_MAX_WORDS = 3  # a phrase of at most three words ("绿色 供应链 管理"); longer runs are sentences cut short
_MAX_CHARS = 10

# What a stretch can say about its topic: generic aspect nouns of headlines, no topic of any meeting
ASPECTS = ("原因", "作用", "方式", "方法", "问题", "建议", "措施", "意义", "挑战", "趋势", "区别", "关系", "影响",
           "价值", "前景", "经验", "做法", "步骤", "要点", "注意事项", "看法", "现状", "需求", "对策", "变化", "风险",
           "优势", "特点", "概念", "背景", "路径", "目标")

# The aspect a question asks for ("焊缝咬边是什么原因？" -> 原因); the first that matches wins. A thing
# asked with one of these reads best as "X的原因"; "怎么…" (方法) is vaguer than the question itself
NAMED_ASPECTS = ("原因", "注意事项", "区别", "建议", "作用")
_ASKED_ASPECT = (
    (re.compile(r"为什么|为啥|什么原因|原因|怎么会"), "原因"),
    (re.compile(r"注意什么|注意哪些|要注意|注意事项"), "注意事项"),
    (re.compile(r"区别|差别|有什么不同|有何不同"), "区别"),
    (re.compile(r"怎么看待|看法|观点"), "看法"),
    (re.compile(r"建议"), "建议"),
    (re.compile(r"作用|有什么用|用处"), "作用"),
    (re.compile(r"怎么(?!样|会|回事)|如何|怎样|方法|办法|窍门|技巧"), "方法"),
)

# People are who a lesson is for or about, not its topic (店员, 顾客们, lineman)
_PEOPLE = {"店长", "师傅", "师父", "老师傅", "焊工", "车工", "电工", "钳工", "老师", "学徒", "徒弟", "老板", "新人", "lineman",
           "linemen", "tech", "techs", "technician", "customer", "customers", "rookie", "foreman", "apprentice"}

_EN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*[A-Za-z0-9]|[A-Za-z]|[.,;:!?()\"“”—]|\n")
_EN_VERBS = {"stood", "got", "went", "came", "did", "made", "said", "thought", "knew", "took", "gave", "saw", "was",
             "were", "had", "get", "go", "come", "make", "say", "think", "know", "take", "give", "see", "tell", "told",
             "gotta", "gonna", "wanna", "kidding", "let", "seemed", "seems", "seem", "felt", "feel", "keep", "kept",
             "yourself", "myself", "himself", "herself", "themselves", "ourselves", "liked", "like", "likes",
             "various", "own", "certain", "such", "now", "goes"}


def person(term: str) -> bool:
    """People (店员, 顾客, lineman) are who a lesson is for or about, not its topic."""
    return term.lower() in _PEOPLE or (not term.isascii() and term[-1] in "员者们客户")


def same_word(a: str, b: str) -> bool:
    """One word said twice is not two topics ("Ground and Grounding", "焊缝与角焊缝")."""
    a, b = a.lower(), b.lower()
    if a in b or b in a:
        return True
    return a.isascii() and b.isascii() and len(a) >= 5 and a[:5] == b[:5]


@lru_cache(maxsize=8192)
def _tagged(line: str) -> tuple[tuple[str, str], ...]:
    return tuple((w.word, w.flag) for w in _jieba().posseg.lcut(line))


def _zh_word(word: str, flag: str) -> bool:
    """A word that may stand in a Chinese noun phrase."""
    if not flag.startswith(_ZH_NOUNS) or flag.startswith("nr") or word in _ZH_STOP or person(word):
        return False
    if word.isascii():  # speech recognition spells filler as Latin words ("token", "target"); acronyms stay
        return any(c.isupper() or c.isdigit() for c in word) and len(word) >= 2
    return True


def _units(lines: Sequence[str]) -> set[str]:
    """Nouns said after a number at least half the time (小时, 公分, 度): units of measure, not topics."""
    said, counted = Counter[str](), Counter[str]()
    for line in lines:
        tagged = _tagged(line)
        for (_, before), (word, _) in zip((("", "x"), *tagged), tagged, strict=False):
            said[word] += 1
            counted[word] += before.startswith(("m", "q"))
    return {w for w, n in counted.items() if n * 2 >= said[w]}


_VERBAL = ("an",)  # 安全, 麻烦: a topic inside a phrase (安全帽) or when asked, not alone
_VERBAL_MARK = "\0"


def _runs_zh(line: str, units: set[str]) -> Iterable[list[str]]:
    run: list[str] = []
    for word, flag in (*_tagged(line), ("", "x")):
        if word and word not in units and _zh_word(word, flag):
            run.append(word if flag not in _VERBAL else word + _VERBAL_MARK)
        else:
            if run:
                yield run
            run = []


def _en_name(word: str, at_start: bool, lower: set[str]) -> bool:
    """A capitalised word that is a name (a person, a place, a company), not jargon (UNIX, PDP-11) nor a
    word that merely opens a sentence."""
    if word.isupper() and len(word) >= 2 or any(c.isdigit() for c in word):
        return False
    return word[0].isupper() and not (at_start and word.lower() in lower)


def _runs_en(text: str) -> Iterable[list[str]]:
    tokens = _EN_RUN.findall(text)
    lower = {t for t in tokens if t.islower()}
    run: list[str] = []
    at_start = True
    for tok in (*tokens, "."):
        word = tok[0].isalpha()
        keep = (word and len(tok) >= 3 and tok.lower() not in _EN_STOP and tok.lower() not in _EN_VERBS
                and not tok.lower().endswith("ly") and "'" not in tok and not _en_name(tok, at_start, lower)
                and not person(tok))
        if keep:
            run.append(tok if tok.isupper() or any(c.isdigit() for c in tok) else tok.lower())
        elif run:
            yield run
            run = []
        if word:
            at_start = False
        elif tok in ".!?\n":
            at_start = True


def phrase_counts(text: str, language: str, verbal: bool = False) -> Counter[str]:
    """How often the text says each candidate noun phrase (every run of up to three noun words; a verbal
    noun alone only with `verbal`: what a question asks about)."""
    counts: Counter[str] = Counter()
    if language == "zh":
        lines = text.splitlines()
        units = _units(lines)
        runs: Iterable[list[str]] = (r for line in lines for r in _runs_zh(line, units))
        glue = ""
    else:
        runs, glue = _runs_en(text), " "
    for run in runs:
        for i in range(len(run)):
            for k in range(i + 1, min(len(run), i + _MAX_WORDS) + 1):
                phrase = glue.join(run[i:k])
                if phrase.endswith(_VERBAL_MARK) and k - i == 1 and not verbal:
                    continue
                phrase = phrase.replace(_VERBAL_MARK, "")
                if _candidate(phrase, k - i, language):
                    counts[phrase] += 1
    return counts


def _candidate(phrase: str, words: int, language: str) -> bool:
    if language == "zh":
        return 2 <= len(phrase) <= _MAX_CHARS and not _fragment(phrase) and not phrase.isdigit() and (
            words > 1 or phrase not in ASPECTS)
    if words > 1:  # "UNIX stood", "program called", "liked working": a clause, not a thing
        return not any(w.endswith("ed") for w in phrase.split())
    return phrase.isupper() and len(phrase) >= 2 or any(c.isdigit() for c in phrase)  # one word: jargon only


def ranked_phrases(text: str, language: str) -> list[str]:
    """The text's noun phrases said at least twice, best first: frequency where the phrase stands on its
    own (C-value: less the mean count of the longer phrases that contain it) times log of its length."""
    counts = phrase_counts(text, language)
    score = {}
    for phrase, n in counts.items():
        if n < 2:
            continue
        longer = [m for p, m in counts.items() if len(p) > len(phrase) and phrase in p]
        alone = n - (sum(longer) / len(longer) if longer else 0.0)
        score[phrase] = math.log2(1 + len(phrase)) * alone
    return sorted((p for p in score if score[p] > 0), key=lambda p: (-score[p], p))


def asked_aspect(question: str) -> str:
    """The aspect a Chinese question asks for ("为什么会咬边？" -> 原因), "" when it asks for none."""
    return next((aspect for pattern, aspect in _ASKED_ASPECT if pattern.search(question)), "")


def said_aspect(text: str) -> str:
    """The aspect word a Chinese stretch says most (at least twice), "" when none."""
    said = Counter(w for line in text.splitlines() for w, _ in _tagged(line) if w in ASPECTS)
    best = max(said, key=lambda w: (said[w], -ASPECTS.index(w)), default="")
    return best if best and said[best] >= 2 else ""


def compose(topic: str, aspect: str, language: str) -> str:
    """A topic and an aspect as one headline: 区块链的应用; an English topic capitalised."""
    if language != "zh":
        return topic[0].upper() + topic[1:] if topic else ""
    if aspect and aspect not in topic and len(topic) <= _MAX_CHARS:
        return f"{topic}的{aspect}"
    return topic


def asked_phrases(question: str, context: str, language: str) -> list[str]:
    """The noun phrases a question asks about that the stretch takes up (said again after it), the
    longest first, then the most said: "焊缝发蓝是什么原因？" -> 焊缝发蓝, 焊缝, 发蓝."""
    if not question:
        return []
    said = {p: context.lower().count(p.lower()) for p in phrase_counts(question, language, verbal=True)}
    asked = [p for p, n in said.items() if n >= 2]
    return sorted(asked, key=lambda p: (-len(p), -said[p]))


def english_asked_phrase(question: str, answer: str, taken: set[str]) -> str:
    """The noun phrase an English question asks about ("What about the minimum approach distances?" ->
    "Minimum approach distances"): two or more words, or one piece of jargon the answer takes up; never
    a lone everyday word ("Kidding"), a clause ("UNIX stood") or a name ("Ken Thompson"). The answer's
    words decide between several. Adds it to `taken`; "" when none."""
    lower = {t for t in _EN_RUN.findall(answer) if t.islower()}
    def noun_phrase(p: str) -> bool:
        words = p.split()
        if any(len(w) < 3 or not w[-1].isalnum() or w.lower() in _EN_VERBS or w.lower().endswith(("ed", "ly")) or "'" in w or "’" in w
               or _en_name(w, i == 0 and w.lower() in lower, lower) for i, w in enumerate(words)):
            return False
        return len(words) >= 2 or _candidate(words[0], 1, "en")

    def said(p: str) -> int:
        return sum(len(re.findall(rf"\b{re.escape(w.lower())}", answer.lower())) for w in p.split())

    phrases = [p for p in question_phrases(question) if noun_phrase(p) and (" " in p or said(p) >= 1)
               and not any(same_word(p, x) for x in taken)]
    if not phrases:
        return ""
    best = max(phrases, key=lambda p: (said(p), -phrases.index(p)))
    taken.add(best.lower())
    return best[0].upper() + best[1:]


def headline(text: str, language: str, taken: set[str], question: str = "", said_aspects: bool = True,
             context: str = "", asked_topic: bool = True) -> str:
    """A headline for a stretch of interview: the noun phrase its opening question asks about where the
    stretch (`context`: all that is said in it, `text` by default) takes it up (`asked_topic`: an
    interviewer's question; a panel's guessed question gives only the aspect), else the key noun phrase
    of `text`; in Chinese with the aspect asked for or, with `said_aspects`, said most.
    Skips the titles in `taken` and adds the one it returns; "" when the stretch repeats no noun phrase."""
    context = context or text
    aspect = ""
    if language == "zh":
        aspect = asked_aspect(question) or (said_aspect(context) if said_aspects else "")
    asked = asked_phrases(question, context, language) if asked_topic else []
    for topic in [*asked, *ranked_phrases(text, language)]:
        title = compose(topic, aspect, language)
        if language != "zh" and any(same_word(topic, x) for x in taken):
            continue  # "Hot sticks" after "Hot stick": one topic twice (a Chinese topic differs by its aspect)
        if topic.lower() not in taken and title.lower() not in taken:
            taken.add(title.lower())
            return title
    return ""


_ADDRESS = re.compile(r"^(?:(?:[^，,。？?]{0,4}(?:师傅|师父|老师|先生|女士)|嗯|哦|好|那|对|行|OK|Okay|So|And|Well|Now)[，,。.\s]+"
                      r"|那么?(?![位个些种样边里时])|(?:最后|另外|还有)[，,]?)", re.I)
_ASKING_ZH = re.compile(r"[？?]$")


def short_question(question: str, answer: str) -> str:
    """A Chinese interviewer's question itself as a lesson title when it is short and the answer takes up
    what it asks about ("发过头了怎么办？"); "" for a long one, an aside ("您先忙。") or one nobody answers.
    (English questions of oral histories wander: they give a noun phrase, `asked_phrases`, not a title.)"""
    sentences = re.findall(r"[^。！？!?]+[。！？!?]?", question.split("：")[-1].split(":")[-1])
    q = next((x.strip() for x in sentences if _ASKING_ZH.search(x.strip())), "")
    while (trimmed := _ADDRESS.sub("", q, count=1)) != q:
        q = trimmed.strip()
    if not 5 <= len(q) <= 16 or not _ASKING_ZH.search(q) or q.isascii():  # a question mark: asked, not mused
        return ""
    asking = set("什么怎么多少哪几吗呢您你我们是不有没")
    pairs = {q[i:i + 2] for i in range(len(q) - 1) if not set(q[i:i + 2]) & asking and "\u4e00" <= q[i] <= "\u9fff"}
    return q if any(p in answer for p in pairs) else ""


_ASKS = re.compile(r"[？?]|吗|呢")


def opening_question(lines: Sequence[str], look: int = 3, asks: re.Pattern[str] = _ASKS) -> str:
    """The first question among a stretch's first lines ("" when it opens with none): a question mark, 吗, 呢."""
    return next((u for u in lines[:look] if asks.search(u)), "")
