"""Does the retrieved evidence answer this question? Features of question and evidence, and a
small logistic model over them.

The features say what a worker would check (issue 10): is the subject of the question (its
nouns, its model numbers and figures) what the best evidence talks about, does the evidence
hold the kind of answer asked for (a quantity with a unit, a procedure, a cause, a rule), how
much of the question it holds, how close in meaning it is, and how clearly retrieval picked
it. A worker names things in his own words (胎压 for 气压, 钨针 for 钨极): subject words also
count by their characters and by the USE cosine to the evidence's words, and the question is
compared with each sentence of the evidence. The asked-for kind must stand in the sentences that
name the subject (kind_with_subject), and a quantity must carry a fitting unit (几度 a temperature,
多大劲 a torque, how long a time: quantity_fits). The coefficients live in answerability_model.json beside this module; `python -m
rag.answerability_fit` rebuilds the training data (hard negatives from CMRC / WebQA with the
gold passage withheld, positives with it present, the question sets written over the demo
corpus in tests/rag/, the worker-worded safety set of bench/trust/ and the sets over the four
interviews of bench/trust/interviews/) and refits them; its thresholds are chosen leaving one
interview out. The chat trust set of ../shared/bench/chat is never
used for fitting: it only measures.

A safety question (danger, limits, protection, emergencies, weather, signals to an operator, what
falls) needs a higher probability, per language: the lowest that refuses 95 % of the safety
questions the library does not answer on interviews the model never saw. Over an interview every
question is judged (a worker's "What's the … limit", "A还是B", "Still OK to use?"); over written
passages only those asking for a kind of answer or about safety.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.language import detect_language
from rag.sentences import (
    best_evidence,
    chinese_nouns,
    english_words,
    question_terms,
    spelled_out_pattern,
    terms,
)
from shifu.models import SearchHit

__all__ = [
    "FEATURES",
    "Decision",
    "asked_kind",
    "decide",
    "features",
    "is_safety_question",
    "judged",
    "kind_present",
    "load_model",
    "held_share",
    "question_subject",
    "specifics",
    "spoken",
    "subject_terms",
    "written",
]

MODEL_FILE = Path(__file__).with_name("answerability_model.json")
FEATURES = ("match", "cosine", "subject_near", "subject_hits", "subject_library", "specifics_missing",
            "kind_present", "margin", "subject_chars", "subject_meaning", "sentence_cosine", "kind_with_subject")

_SAFETY = re.compile(
    r"安全|危险|事故|受伤|伤人|伤手|伤眼|烫伤|烧伤|划伤|砸伤|死人|出人命|触电|漏电|带电|高压电|千伏|着火|起火|火灾|灭火|"
    r"明火|动火|爆炸|有毒|中毒|毒气|窒息|缺氧|氧含量|尾气|急救|救人|晕倒|溅到眼|护目|防护|手套|面罩|安全带|安全帽|"
    r"绝缘|接地(?!方)|侧翻|翻车|坠落|气瓶|乙炔|保命|伸手|卷进|安全阀|放气|粉尘|压力表|"
    # gases, heights, people down, high voltage: danger whatever the trade
    r"硫化氢|一氧化碳|沼气|有害气体|超标|高压(?!锅)|高处|上杆|晕倒|晕过去|昏迷|夹手|压伤|砸到|泄漏|漏气|煤气|"
    # parts and jobs where a wrong answer hurts: lifting, loads overhead, batteries, brakes, wheels, ladders
    r"举升|千斤顶|底下|吊[着起装运货]|电池|充电|刹车|制动|轮胎|螺母|螺栓|扭矩|梯子|[人直]字?梯|伸缩梯|爬梯|登高作业|爬杆|登杆|"
    r"danger|hazard|\bsafe|injur|shock|electrocut|energi[sz]ed|\blive (?:line|wire)|high voltage|fire|burn|"
    r"explo|toxic|poison|carbon monoxide|confined space|fall protection|grounding|protective|\bppe\b|glove|"
    r"goggle|emergenc|first aid|rescue|flammable|lockout|tagout|downed line|line (?:lying )?on the ground|"
    # the Chinese words above, in English: cylinders, dust, masks, harnesses, insulation, tipping, fumes
    r"acetylene|cylinder|dust|respirator|face shield|helmet|harness|insulat|tip(?:ping)? over|roll ?over|"
    r"exhaust|fumes|suffocat|scald|safety valve|relief valve|pressure gauge|gas leak|leaking gas|hydrogen sulfide|"
    r"passed out|unconscious|\d\s*kv\b|kilovolt|approach distance|(?:line|wire) is dead|dead (?:line|wire)|"
    r"\blift|jack|underneath|overhead load|batter|charging|brake|tire|tyre|lug nut|torque|ladder|climb|"
    # limits: the most a thing may take (issue 10, sixth round: "What's the working load limit…", 最多能留几天)
    r"上限|下限|极限|最多能|最多可以|最多[放装吊拉带承]|最大(?:能|可以|允许|负荷|载荷|荷载|承重|电流|功率|压力|起重量|风速)|"
    r"不能超过|不得超过|不许超过|超过多少|额定|限压|限速|限重|承重|荷载|载荷|负荷|起重量|"
    r"\blimits?\b|maximum|\bmax\b|\brated\b|\bratings?\b|capacity|working load|load chart|overload|"
    # how long a worn or used thing may go on before it must go: its limit of use
    r"(?:就|才)?(?:得|该|必须|要)(?:倒掉|扔掉)|报废|\bretired?\b|out of service|throw (?:it|them) out|"
    # emergencies and injuries: bleeding, a cut, a burn or a crushed limb, first aid
    r"流血|出血|止血|伤口|割伤|切到手|划破|骨折|心肺复苏|人工呼吸|抢救|送医|打120|"
    r"bleed|tourniquet|wound|first-aid|\bcpr\b|"
    # caught by a machine: drawn in, trapped, pinned, and getting someone out
    r"卷入|卷住|夹住|困住|救出|caught in|pulled in(?:to)?\b|drawn in|entangl|trapped|pinned|"
    r"get (?:him|her|them|someone|somebody) (?:out|free)|"
    r"\b(?:cut|burn|crush|smash|pinch)(?:s|es|ed|ing)? (?:(?:his|her|my|your|their|a|the) )?(?:leg|arm|hand|finger|foot|eye)|"
    # weather that stops the work, and signals to a machine's operator
    r"风速|大风|几级风|[五六七八]级风|刮风|雷雨天|打雷|雷电|指挥信号|手势|信号工|"
    r"\bwind\b|windy|gusts?\b|lightning|thunder|hand signal|signal(?:man|person|ler)?\b|swing the boom|"
    # what falls: a person, a load, a tree being felled
    r"\bfalls?\b|\bfalling\b|\bfelling\b|\bfell (?:a|the|it|that)\b|"
    # the devices that keep a worker safe: stops, guards, interlocks, live-line tools, voltage testers
    r"急停|拉绳开关|联锁|护罩|验电|防坠|弧光|"
    r"e-?stop|emergency stop|pull ?cords?|interlock|\bguards?\b|lanyard|fall arrest|arc flash|hot ?sticks?|"
    r"dielectric|tester",
    re.IGNORECASE,
)
# "How <adjective>" asks for an amount: in any text, and (the second list) in a worker's spoken words.
_HOW_WRITTEN = "many|much|long|deep|far|close|near|often|high|big|hot|cold|low"
_HOW_SPOKEN = "tight|loose|strong|heavy|windy|close|fast|thick|wide|big|old"
_KINDS = (
    ("quantity", re.compile(r"多少|几[度个米分秒天年次遍号级吨斤克千万]|几|多大|多高|多长|多久|多远|多重|多深|多厚|多宽|"
                            rf"how (?:{_HOW_WRITTEN})|what (?:size|pressure|"
                            r"temperature|voltage|rating|slope|depth)", re.IGNORECASE)),
    ("cause", re.compile(r"(?<![称成作认以叫])为什么|为啥|什么原因|咋回事|怎么回事|怎么(?:形成|产生|造成|引起|来)的|why|what causes|cause", re.IGNORECASE)),
    ("procedure", re.compile(r"怎么|咋|如何|怎样|步骤|顺序|流程|先.*还是|how (?:do|to|should|can)|steps?|order|"
                             r"procedure|first", re.IGNORECASE)),
    ("rule", re.compile(r"能不能|能否|可不可以|可以吗|行不行|行吗|行不|是不是|要不要|该不该|没事吧|吗|"
                        r"\b(?:can|may|should|must|is it|do i|does|is|are)\b", re.IGNORECASE)),
)
# Asked over an interview only (written passages keep the kinds above, calibrated on the bench):
# a thickness or a tightness, a limit or a size named as "what's the …" (a value), a choice
# (A还是B, A or B), whether it is still fine to go on, at what point to act; anything else asks
# for a fact ("What's the hand signal to …"), which any sentence may hold.
_SPOKEN_KINDS = (
    ("quantity", re.compile(r"多粗|多细|多厚|多宽|多重|多紧|多松|几平方|几比几|"
                            rf"how (?:{_HOW_SPOKEN})|"
                            r"what(?:'s| is| are) the [^?]{0,40}?(?:limit|speed|load|rating|capacity|size|weight|"
                            r"distance|clearance|pressure|temperature|gap|length)", re.IGNORECASE)),
    ("rule", re.compile(r"还是|\bor\b|\b(?:ok|okay|safe|fine|alright|allowed|good) to\b|at what point|"
                        r"when (?:do|does|should|can|must|is|are|has|have|will)\b|what tells|之前|以前|才能|才可以",
                        re.IGNORECASE)),
)
_FACT = "fact"  # the kind of a question asking for a name, a sign, a fact: any sentence may hold it
_DO_YOU_KNOW = re.compile(r"(知道[^，。？?]*)吗")
_UNIT = re.compile(
    r"\d|[零〇一二两三四五六七八九十百千万半]+\s*(?:个|度|米|毫米|厘米|公里|分钟|分|秒|小时|钟头|天|周|年|次|遍|号|级|吨|斤|克|"
    r"公斤|千克|伏|安|瓦|兆帕|帕|牛|倍|成|%|口|圈|档|扣|寸|枚|张|套|只|条|根|台|辆|月|日|岁|层|届|块|元)|百分之|[一二两三四五六七八九十]+[到至][一二两三四五六七八九十]+|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|hundred|half)\b",
    re.IGNORECASE)
_MARKS = {
    "cause": re.compile(r"因为|原因|所以|因此|因而|由于|导致|造成|形成|得名|就会|会把|不然|否则|because|cause|so that|otherwise|"
                        r"that's why|reason|leads? to|result", re.IGNORECASE),
    "procedure": re.compile(r"先|再|然后|接着|最后|第[一二三四五]|步|[一二三四五][是，、]|顺序|"
                            r"first|then|next|after|before|step|finally", re.IGNORECASE),
    "rule": re.compile(r"不能|不要|不许|不准|不得|严禁|禁止|必须|一定要|一定|要|得|别|可以|能|行|没事|"
                       r"never|always|must|don't|do not|should|can|need|have to|rule", re.IGNORECASE),
}
_SPECIFIC = re.compile(r"[a-z]*\d+(?:\.\d+)?[a-z]*(?:[\-/]\d+[a-z]*)?|[a-z]{2,}\d*", re.IGNORECASE)
_ZH_NUMBER_UNIT = re.compile(r"[\d一二两三四五六七八九十百千]+(?:千伏|伏|吨|号|码|毫米|米|度)")
# Evidence holding half the question's weighted terms answers it (training data, questions asking
# for a kind of answer, match >= .5: demo sets 38 answerable to 2 not, CMRC 64 to 16 where
# the "not" rows often hold the answer in a neighbouring passage); safety questions still go
# through the model.
STRONG_MATCH = 0.5
_NEAR = 80  # characters either side of the best span that still count as its context


# A question asking what a thing costs: money answers it, and a price hurts nobody (no safety question).
_PRICE = re.compile(r"多少钱|几块钱|什么价|(?:价格|价钱)(?:是|大概|大约)?(?:多少|几)|贵不贵|"
                    r"how much (?:does|do|did|would|will|is|are)\b[^?]*\bcosts?\b|\bprice of\b|"
                    r"what(?:'s| is) the price|how much money", re.IGNORECASE)
_MONEY = r"(?:[万亿]\s*)?(?:元|块钱|块|美元|欧元|英镑|日元|港元|港币)|dollars?|bucks|cents?|usd|rmb|euros?|pounds?"


# The unit a quantity question names ("几度", "多少牛米", "多久", "how many minutes") and the units
# that answer it: a number written with one of them is a quantity of the kind asked for.
_TIME_UNITS = r"秒|分钟|分|小时|钟头|个钟|天|日|周|星期|礼拜|月|年|公里|次|遍|seconds?|minutes?|hours?|days?|weeks?|months?|years?|miles?"
_ASKED_UNITS = (
    (re.compile(r"多久|多长时间|多少时间|几[个]?(?:小时|钟头|分钟|天|月|年|周|礼拜|星期)|多少(?:小时|分钟|天|年|秒)|"
                r"how (?:long|often|soon)|how many (?:hours|minutes|days|years|months|weeks|seconds)", re.IGNORECASE),
     _TIME_UNITS),
    (re.compile(r"几度|多少度|多高的?温|温度.{0,4}(?:多少|几)|how hot|how cold|what temperature", re.IGNORECASE),
     r"度|℃|°|degrees?"),
    (re.compile(r"风速|几级风|风[刮大]到|how windy|wind speed", re.IGNORECASE),
     r"级|米每秒|m/s|mph|miles? (?:an|per) hour|km/h|knots?"),
    # a grade or class (几级片, 考到几级): a number with 级, also in Roman numerals (Ⅱ级片)
    (re.compile(r"几级|多少级|什么级别|哪一?级"), r"级"),
    (re.compile(r"多粗|多细|几平方|多大截面|what gauge|how thick (?:a |the )?(?:wire|cable)", re.IGNORECASE),
     r"平方|mm²|mm2|毫米|号|gauge|awg"),
    (re.compile(r"多少(?:毫米|厘米|公分|米|公里|丝)|几(?:毫米|厘米|公分|米|公里|丝)|多长|多远|多深|多厚|多宽|多高(?!的?温)|"
                r"how (?:deep|far|close|near|thick|wide|tall|high)", re.IGNORECASE),
     r"毫米|厘米|公分|米|公里|丝|寸|尺|mm|cm|inch(?:es)?|feet|foot|ft|meters?|microns?"),
    (re.compile(r"扭矩|力矩|多大劲|多少牛|几牛|torque", re.IGNORECASE), r"牛米|牛·米|N·?m|公斤|kg|foot-pounds|ft-lb"),
    (re.compile(r"多少(?:伏|千伏|安|瓦)|几(?:伏|千伏|安)|电压|电流|what voltage|how many (?:volts|amps)", re.IGNORECASE),
     r"伏|千伏|安|瓦|volts?|amps?|kv|V\b|A\b"),
    (re.compile(r"压力.{0,4}(?:多少|几)|多少(?:兆帕|公斤压|帕|bar)|what pressure|how much pressure|psi", re.IGNORECASE),
     r"兆帕|帕|公斤|bar|psi|mpa|kpa|大气压"),
    (re.compile(r"百分之|多少%|比例|浓度|含量|percent|what share", re.IGNORECASE), r"%|百分之|成|percent"),
    # a price: money ("How much does a pair of Class 2 gloves cost?", 多少钱一台)
    (_PRICE, _MONEY),
)
_NUMBER = (r"(?:\d+(?:[.,]\d+)?|[零〇一二两三四五六七八九十百千万半几ⅠⅡⅢⅣⅤⅥ]+|\b(?:a|one|two|three|four|five|six|seven|eight|"
           r"nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred|thousand|half|a few|several)\b)")
_COUNT = _NUMBER.replace(r"\b(?:a|one|", r"\b(?:one|")  # a count is never "a": "a wire rope" counts no wires


# "How many snapped wires …": what is counted is the last of up to four words after "how many", before a
# verb, a preposition or "and" ("how many rungs above the roof" counts rungs, not roofs).
_HOW_MANY = re.compile(r"\bhow many ((?:[a-z][a-z'-]*\s+){0,3}?)([a-z]+)(?=\s+(?:can|could|do|does|did|should|would|"
                       r"will|shall|must|is|are|was|were|go|goes|get|gets|have|has|need|make|per|of|in|on|at|for|to|"
                       r"and|or|before|after|between|above|below|under|over|into|onto|from|with|about|around|"
                       r"through|across|inside|outside|off|up|down|i|we|you|they|he|she|it)\b|\s*[?,.]|$)",
                       re.IGNORECASE)
_NOT_COUNTED = frozenset("the a an of them these those it this that more other others such each every some any times "
                         "time".split())
_UP_TO_3_WORDS = r"(?:[a-z'-]+\s+){0,3}"  # "ten randomly distributed broken wires"


def counted_thing(question: str) -> str | None:
    """What "how many X" counts (X), or None ("how many of them" names nothing)."""
    found = _HOW_MANY.search(question)
    if found is None or found.group(1).lower().startswith("of "):
        return None
    words = (found.group(1) + found.group(2)).lower().split()
    if any(w in _NOT_COUNTED for w in words):  # "how many of the others", "how many times" (twice, once)
        return None
    return found.group(2)


def _counted(question: str) -> str | None:
    """What "how many X" counts, as the units that answer it: X itself, plural or not, with up to three
    words between the number and X ("ten randomly distributed broken wires"); an acronym also spelled
    out ("400 cubic feet per minute" for CFM)."""
    noun = counted_thing(question)
    if noun is None:
        return None
    word = re.escape(noun.lower().removesuffix("s")) + "s?"
    if noun.isupper() and len(noun) >= 3:  # CFM, PSI: the master may say it in words
        word = rf"(?:{word}|{spelled_out_pattern(noun)})"
    return rf"{_UP_TO_3_WORDS}{word}\b"


def _asked(question: str) -> tuple[str | None, bool]:
    """The units that answer the question (see asked_units), and whether they are what "how many" counts."""
    for asked, units in _ASKED_UNITS:
        if asked.search(question):
            return units, False
    counted = _counted(question)
    return counted, counted is not None


def asked_units(question: str) -> str | None:
    """The units that answer a quantity question naming one (a regular expression), else None. "How many
    X" names X ("How many snapped wires …" is answered by "ten … broken wires")."""
    return _asked(question)[0]


def quantity_fits(question: str, text: str) -> bool:
    """Does the text write a number with a unit that answers the question ("三十五度" for 几度,
    "25到30牛米" for 多大劲)? A question naming no unit is answered by any quantity."""
    units, counted = _asked(question)
    if units is None:
        return kind_present("quantity", text)
    if units == _MONEY and re.search(r"[$¥￥]\s*\d", text):  # $100 writes its unit first
        return True
    number = _COUNT if counted else _NUMBER  # "a wire rope" counts no wires
    return re.search(rf"{number}\s*(?:[到至~\-－]\s*{number}\s*)?(?:个)?[\s\-]*(?:{units})", text,
                     re.IGNORECASE) is not None


def is_safety_question(question: str) -> bool:
    """Is the question about danger, limits, protection or an emergency (either language)? Not one asking
    what a thing costs ("How much does a pair of Class 2 gloves cost?", 绝缘手套多少钱): a price hurts nobody."""
    return bool(_SAFETY.search(question)) and not _PRICE.search(question)


def asked_kind(question: str, interview: bool = False) -> str:
    """'quantity', 'cause', 'procedure', 'rule' or '' — the kind of answer the question asks for.
    Over an interview (`interview`) every question asks for a kind: the spoken ones above, else a
    fact ('fact'); written passages keep '' for a question asking for a name or a fact."""
    question = _DO_YOU_KNOW.sub(r"\1", question)  # "你知道……是谁吗" asks for a fact, not a rule
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    if interview:
        for kind, pattern in _SPOKEN_KINDS:
            if pattern.search(question):
                return kind
        return _FACT
    return ""


def kind_present(kind: str, text: str) -> bool:
    """Does the text hold an answer of that kind (a quantity with a unit, a cause, steps, a rule)?"""
    if not kind or kind == _FACT:
        return True
    if kind == "quantity":
        return bool(_UNIT.search(text))
    return bool(_MARKS[kind].search(text))


# The words that ask for a quantity ("how far back", "how often"): a number with a unit answers
# them, so they name no part of the subject (a Chinese 多远 or 多久 is no noun either).
_ASKING_QUANTITY = re.compile(
    rf"\bhow (?:far(?: back| away| out| apart| down| up| off)?|{_HOW_WRITTEN}|{_HOW_SPOKEN}|soon|tall)\b",
    re.IGNORECASE)


def subject_terms(question: str, lang: str) -> list[str]:
    """The words naming what the question is about: nouns (Chinese) or content words (English),
    not the words asking for a quantity."""
    if lang == "en":
        return list(dict.fromkeys(english_words(_ASKING_QUANTITY.sub(" ", question))))
    return [n for n in chinese_nouns(question) if len(n) >= 2]


def question_subject(question: str) -> str:
    """What a question is about, in its own words ("叉车 电瓶"), for grouping knowledge gaps."""
    lang = detect_language(question)
    return " ".join(subject_terms(question, lang)[:_SUBJECT_WORDS])


_SUBJECT_WORDS = 3


def specifics(question: str, lang: str) -> list[str]:
    """Model numbers, codes and figures with units in the question (PA66, G76, R-32, 35千伏)."""
    found = [m.group().lower() for m in _SPECIFIC.finditer(question)]
    if lang == "zh":
        found += [m.group() for m in _ZH_NUMBER_UNIT.finditer(question)]
    else:
        found = [w for w in found if any(ch.isdigit() for ch in w)]
    return list(dict.fromkeys(found))


def written(code: str, text: str) -> bool:
    """Is a model number or code written in the text as a word of its own ("pp" is not in "app")?"""
    return re.search(rf"(?<![a-z0-9]){re.escape(code)}(?![a-z0-9])", text) is not None


def held_share(term: str, text: str, lang: str) -> float:
    """How much of a subject word the text holds: 1 when written, else (Chinese) the share of its
    character bigrams it writes ("线手套" against "手套": .5), so a worker's wording still counts."""
    if lang == "en":
        return float(term in set(english_words(text)))
    if term in text:
        return 1.0
    pairs = [term[i : i + 2] for i in range(len(term) - 1)]
    return sum(p in text for p in pairs) / len(pairs) if pairs else 0.0


@dataclass(frozen=True)
class Decision:
    """Whether the evidence answers the question, the model's probability, and why."""

    covered: bool
    probability: float
    safety: bool
    features: dict[str, float]
    judge_probability: float = 0.0  # the sentence judge's (rag.judge), for a question the model judges
    window: Any = None  # the judge's best window (rag.judge.Window): where the answer starts


def features(question: str, hits: Sequence[SearchHit], embedder: Any = None, library: Any = None) -> dict[str, float]:
    """The answerability features of a question and its retrieved chunks (all in 0..1)."""
    from rag.coverage import coverage, similarity
    from shifu.embeddings import USE_NAME

    lang = detect_language(question)
    kind = asked_kind(question, interview=spoken(hits))
    texts = [h.chunk.text for h in hits]
    low = [t.lower() for t in texts]
    near = _near_text(question, hits).lower()
    subject = subject_terms(question, lang)
    specific = specifics(question, lang)
    known = _known(library, subject, lang, question)

    def share(found: Sequence[float]) -> float:
        return sum(found) / len(found) if found else 1.0

    scores = sorted((max(h.score, 0.0) for h in hits), reverse=True)
    margin = (scores[0] - scores[1]) / scores[0] if len(scores) > 1 and scores[0] > 0 else 1.0
    cosine = similarity(embedder, question, hits) if getattr(embedder, "name", None) == USE_NAME else 0.0
    words = _words(near, lang)
    use = getattr(embedder, "name", None) == USE_NAME
    return {
        "subject_chars": share([_chars_held(t, words) for t in subject]),
        "subject_meaning": _meaning(embedder, _subject_words(question, lang), words) if use else 0.0,
        "sentence_cosine": _sentence_cosine(embedder, question, near) if use else 0.0,
        "match": coverage(question, hits),
        "cosine": max(cosine, 0.0),
        "subject_near": share([held_share(t, near, lang) for t in subject]),
        "subject_hits": share([max(held_share(t, x, lang) for x in low) if low else 0.0 for t in subject]),
        "subject_library": share([float(t in known) for t in subject]) if known is not None else 1.0,
        "specifics_missing": float(any(not any(written(s, x) for x in low) for s in specific)),
        "kind_present": float(kind_present(kind, near)),
        "margin": margin,
        "kind_with_subject": _kind_with_subject(question, near, subject, lang, kind),
    }


_WINDOW = 2  # sentences: a master names the thing, then says what to do about it in the next


def _sentences(text: str) -> list[str]:
    from rag.sentences import sentence_spans

    return [text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()]


def _kind_with_subject(question: str, near: str, subject: Sequence[str], lang: str, kind: str) -> float:
    """The asked-for kind of answer IN the sentences naming the question's subject: over windows of
    two sentences of the best evidence holding that kind (for 多少度 / 多大劲 / how long a number with
    a fitting unit), the best share of subject words held; 0 when no window holds the kind."""
    sentences = _sentences(near.lower())
    best = 0.0
    for i in range(len(sentences)):
        window = " ".join(sentences[i : i + _WINDOW])
        fits = quantity_fits(question, window) if kind == "quantity" else kind_present(kind, window)
        if fits:
            best = max(best, sum(held_share(t, window, lang) for t in subject) / len(subject) if subject else 1.0)
    return best



_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")
_EN_RAW = re.compile(r"[a-z][a-z\-]{2,}")
_VECTORS: dict[str, np.ndarray] = {}  # word -> USE vector, for this process (words repeat across questions)
_VECTORS_MAX = 50_000


def _words(text: str, lang: str) -> list[str]:
    """The words of a text as written (Chinese: jieba words of two characters or more)."""
    if lang == "en":
        return list(dict.fromkeys(w for w in _EN_RAW.findall(text.lower()) if english_words(w)))
    import jieba

    return list(dict.fromkeys(w for w in jieba.lcut(text) if _HAN.fullmatch(w)))


def _subject_words(question: str, lang: str) -> list[str]:
    """The subject of the question as written, for embedding (English stems embed poorly)."""
    return _words(question, "en") if lang == "en" else subject_terms(question, lang)


def _chars_held(term: str, words: Sequence[str]) -> float:
    """How close a subject word comes to a word of the evidence by its characters (Dice): a
    worker's 胎压 against the master's 气压 shares 压 (.5); English words by their stems."""
    if not words:
        return 0.0
    if term in words:
        return 1.0
    mine = set(term)
    return max(2 * len(mine & set(w)) / (len(mine) + len(set(w))) for w in words)


def _vectors(embedder: Any, words: Sequence[str]) -> np.ndarray:
    """USE vectors of words, from this process's memory, else the embedder (and its disk cache)."""
    found = {w: _VECTORS.get(w) for w in dict.fromkeys(words)}  # a local copy: other threads may clear the cache
    missing = [w for w, v in found.items() if v is None]
    if missing:
        fresh = dict(zip(missing, embedder.embed(missing), strict=True))
        if len(_VECTORS) > _VECTORS_MAX:
            _VECTORS.clear()
        _VECTORS.update(fresh)
        found.update(fresh)
    return np.array([found[w] for w in words])


def _meaning(embedder: Any, subject: Sequence[str], words: Sequence[str]) -> float:
    """Mean over the question's subject words of the best USE cosine with a word of the
    evidence: the same thing named in other words (钨针 and 钨极) still counts."""
    if not subject or not words:
        return 0.0
    sims = _vectors(embedder, subject) @ _vectors(embedder, words).T
    return float(np.clip(sims.max(axis=1), 0.0, 1.0).mean())


def _sentence_cosine(embedder: Any, question: str, near: str) -> float:
    """Best USE cosine of the question with one sentence of the evidence around the best span."""
    from rag.sentences import sentence_spans

    sentences = [near[a:b].strip() for a, b in sentence_spans(near) if len(near[a:b].strip()) >= 4]
    if not sentences:
        return 0.0
    embed_query = getattr(embedder, "embed_query", None)
    q = embed_query(question) if embed_query else embedder.embed([question])[0]
    return float(max(0.0, float((embedder.embed(sentences) @ q).max())))


def _known(library: Any, subject: list[str], lang: str, question: str = "") -> set[str] | None:
    """The subject words some chunk of the whole library writes (None without a library).

    A word of four characters or more counts as written when the library has all its character
    bigrams but one ("轮胎气压" written as "轮胎……气压"). An English subject word (a stem) counts as
    written when the library writes it or a word of the question it stems from ("tourniquet" is
    written nowhere in a tree crew's interview).
    """
    if library is None or not subject:
        return None
    if lang == "en":
        forms: dict[str, set[str]] = {t: {t} for t in subject}
        for word in _EN_RAW.findall(question.lower()):
            for stem in english_words(word):
                forms.setdefault(stem, {stem}).add(word)
        known = library.known_terms({w for t in subject for w in forms[t]})
        return {t for t in subject if forms[t] & known}
    pairs = {n: [n[i : i + 2] for i in range(len(n) - 1)] if len(n) >= 4 else [] for n in subject}
    known = library.known_terms(set(subject) | {p for ps in pairs.values() for p in ps})
    return {n for n in subject
            if n in known or (pairs[n] and sum(p in known for p in pairs[n]) >= len(pairs[n]) - 1)}


def _near_text(question: str, hits: Sequence[SearchHit]) -> str:
    """The best evidence span of the hits with a little context either side."""
    if not hits:
        return ""
    texts = [h.chunk.text for h in hits]
    qterms = question_terms(question)
    bags = [set(terms(t)) for t in texts]
    n = len(bags) + 1
    idf = {t: math.log(1 + n / (1 + sum(1 for b in bags if t in b))) for t in qterms}
    # code_weight=0: the features are read as the model was fitted on them (before codes counted).
    evidence = best_evidence(question, texts, [h.score for h in hits], idf=idf.__getitem__, code_weight=0.0)
    if not evidence:
        return ""
    e = evidence[0]
    text = texts[e.chunk_index]
    return text[max(0, e.start - _NEAR) : e.end + _NEAR]


@functools.lru_cache(maxsize=1)
def load_model() -> dict[str, Any]:
    """The fitted coefficients and thresholds (answerability_model.json)."""
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def probability(values: dict[str, float], lang: str, model: dict[str, Any] | None = None) -> float:
    """The model's probability that the evidence answers the question."""
    model = model or load_model()
    coef = model["languages"][lang]
    names = model.get("features", FEATURES)  # the features the file was fitted on
    z = coef["bias"] + sum(w * values[name] for name, w in zip(names, coef["weights"], strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def spoken(hits: Sequence[SearchHit]) -> bool:
    """Is the evidence an interview (its top chunk has speakers), not a written passage?"""
    return bool(hits) and bool(hits[0].chunk.speakers)


def judged(question: str, interview: bool = False) -> bool:
    """Does the model judge this question? Over an interview, every question (a worker's "What's
    the hand signal to …", "A还是B", "Still OK to use?" included); over written passages those
    asking for a kind of answer (how, why, how much, may I) and safety questions, a question asking
    for a name or a fact ("谁发明了…") left to the term and meaning rule (rag.coverage.is_covered)
    calibrated on the bench."""
    return interview or bool(asked_kind(question)) or is_safety_question(question)


def decide(question: str, hits: Sequence[SearchHit], embedder: Any = None, library: Any = None) -> Decision:
    """The logistic model alone: its probability against the threshold, higher for safety questions.
    The chat's decision reads this and the sentence judge: rag.judge.decide."""
    safety = is_safety_question(question)
    if not hits:
        return Decision(False, 0.0, safety, {})
    if not judged(question, spoken(hits)):
        return Decision(True, 1.0, safety, {})
    values = features(question, hits, embedder, library)
    if not safety and values["match"] >= STRONG_MATCH:
        return Decision(True, 1.0, safety, values)
    lang = detect_language(question)
    model = load_model()
    p = probability(values, lang, model)
    threshold = model["languages"][lang]["safety_threshold" if safety else "threshold"]
    return Decision(p >= threshold, round(p, 4), safety, values)


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, *, l2: float = 1.0,
                 steps: int = 3000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Weighted, L2-regularised logistic regression by gradient descent: (weights, bias)."""
    n, d = x.shape
    sw = np.ones(n) if weights is None else weights / weights.mean()
    w, b = np.zeros(d), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = sw * (p - y)
        w -= rate * (x.T @ g / n + l2 * w / n)
        b -= rate * float(g.mean())
    return w, b
