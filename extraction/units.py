"""Knowledge units: sentences of the master's turns, classified by cue words and cited verbatim.

Deterministic: the same transcript and chunks always give the same units with the same ids.
Kinds (first match wins, most safety-relevant first): warning, rule, step, measurement,
tool, definition, tip, story, fact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from extraction.course import TEACHING_ORDER, KnowledgeUnit, UnitKind
from extraction.segment import TopicSegment
from rag.language import is_cjk
from rag.sentences import NOTE, clause_spans, sentence_spans
from shifu.models import Chunk, Citation, Transcript

# Cue words per kind, Chinese and English. Order matters: the first kind that matches wins.
KIND_CUES: list[tuple[UnitKind, re.Pattern[str]]] = [
    # a warning is about danger to people or equipment; a plain "don't" or "not more than" is a rule
    ("warning", re.compile(
        r"千万|危险|小心|当心|安全|事故|出事|隐患|伤[到人了着]|受伤|烫伤|烧伤|烫|触电|漏电|电死|着火|起火|火灾|爆炸|中毒|窒息|风险"
        r"|要命|送命|出人命|打断|飞出去|甩出来|砸[到伤]"
        r"|^\W*never\b|\byou (?:should|must|can) never\b|careful|danger|dangerous|warning|watch out|\brisk|hazard"
        r"|injur|unsafe|\bkill|\bdie[sd]?\b|\bdeath|electrocut|\bshock|\bburns?\b|\bfire\b|explo|\bhurt|fatal|lethal",
        re.I)),
    # a story opens with the master's own past ("我刚学的时候", "I remember"): told for its lesson, not a how-to
    ("story", re.compile(
        r"^\W*(?:我们?)?(?:刚学|刚进厂|刚入行|刚来|刚开始干|当学徒|学徒的时候|年轻的时候|那时候|那个时候|那年|当年|有一次|有一年|有一回|我记得|记得有|记得那|以前我)"
        r"|我刚学的时候|我刚带|当学徒|学徒的时候|^\W*我是?(?:19|20)\d\d年|^\W*(?:i remember|one time|years ago|back (?:in|when)|when i was|in (?:19|20)\d\d)\b",
        re.I)),
    # the scorer's cue for a rule (wide: 标准, 原则 count); what a point is labelled needs PRESCRIPTIVE
    ("rule", re.compile(
        r"一定要|必须|务必|记住|原则|规矩|规定|标准|总是|永远|每次都|宁可|千万|(?<!要)不要|不能|不许|禁止|绝对不|别[去把让用碰动]|否则"
        r"|rule of thumb|^\W*always\b|you (?:should|must) always|\bdon'?t (?!know|think|remember|recall|believe)|\bdo not\b"
        r"|\bnever\b|otherwise|\bmust\b|make sure|the rule|you have to|you need to|principle", re.I)),
    ("step", re.compile(
        r"^(?:先|首先|第一步|第[一二三四五六七八九十\d]步|接着|之后|最后|再把|再用)|先[把用将看拿]|然后[再把用将]|第[一二三四五六七八九十\d]步"
        r"|^然后[，,]?(?:再|把|用|将|拿|放|从|往|等|接|挂|测|量|看|装|拆|拧|关|开)"
        # "Then McClusky said…" tells a story; "then you…" gives a step
        r"|^(?:first|next|after that|finally|step \d)\b|\bfirst you\b|\bthen (?:you|we)\b|^then,? (?!\w+ said)|\bstep\b",
        re.I)),
    ("measurement", re.compile(r"(?!x)x")),  # decided by quantities, see classify()
    # an order to the worker (after measurement: "Keep it 10 feet away" teaches the number):
    # "Roll the cuff tight…", "Before you climb a pole, you inspect it."
    ("step", re.compile(
        r"^\W*(?:check|look|put|set|use|keep|test|measure|add|roll|sound|push|pull|wipe|learn|ask|buy|turn|take|hold"
        r"|clean|replace|close|open|wait|tighten|loosen|cut|connect|remove|install|inspect|wear|stay|level|mark|lock"
        r"|tag|clamp|strip|fill|drain|bleed|tie|hang|lift|lower|start|stop|write|label)\b(?! (?:of|is|was|are)\b)"
        r"|^\W*(?:before|after|when|once) (?:you|every|each)\b[^.]*,\s*you\b", re.I)),
    ("tool", re.compile(
        r"工具|设备|仪器|仪表|扳手|钳子|螺丝刀|锤子|卡尺|万用表|焊枪|焊条|砂轮|电钻|量具|模具|[用拿使]这?[个把台]?\S{0,6}(?:钳|刀|尺|表|机|枪|锤|笔|器)"
        r"|\btools?\b|wrench|pliers|screwdriver|hammer|caliper|multimeter|gauge|torch|drill|meter\b|\bcompiler\b|\beditor\b"
        r"|\bused? (?:a|an|the) \w+", re.I)),
    ("definition", re.compile(
        r"叫做|叫作|就是指|所谓|是指|的意思是|称为|也就是说|定义|我们管|^\W*(?![我你他她它这那就关重主最其反也还都])[\u4e00-\u9fff]{2,5}就是(?!说)|\bmeans\b|is called|we call(?:ed)?|defined as|stands for"
        r"|refers to|what we mean", re.I)),
    ("tip", re.compile(
        r"经验|窍门|诀窍|技巧|秘诀|最好|建议|我一般|我习惯|我的办法|有个办法|关键是|关键在于|要领|\btrick\b|\btips?\b|the key is|the secret"
        r"|i usually|it helps|better to|best way|best to|i'd suggest|i recommend|lesson", re.I)),
    ("story", re.compile(
        r"那时候|那个时候|当年|有一次|记得|以前|那年|当时|刚进厂|年轻的时候|我师傅|i remember|back in|one time|years ago"
        r"|when i was|at that time|in those days|\bin (?:19|20)\d\d\b|at the time", re.I)),
]
_CUES = dict(KIND_CUES)
# What makes a point a rule: a prescriptive cue (必须, 不能, must, never); "标准", "原则" or "规矩" alone only
# talk about rules ("有几个规矩你得先守住", "普通话标准"). Point labels, quiz and follow-up questions use it.
PRESCRIPTIVE = re.compile(
        r"一定要|必须|务必|千万|严禁|禁止|不许|不准|绝对不|永远不|每次都|宁可|(?<!要)不要|不能|别[去把让用碰动加开拿站]"
        r"|规定|规矩是|记住"
        r"|rule of thumb|^\W*always\b|you (?:should|must) always|\bdon'?t (?!know|think|remember|recall|believe|have|want)"
        r"|\bdo not\b|\bnever\b|\bmust\b|\bshould\b|make sure|the rule is|you have to|you need to", re.I)
# Stage directions and notes of the transcriber: "（中间陈师傅接了个电话，约两分钟）", "[laughs]", "(inaudible)".

# Numbers with a unit (the unit decides which numbers are of the same kind).
_ZH_NUM = r"[0-9０-９]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万半几]+"
_ZH_UNITS = (r"毫米|厘米|公分|公里|千米|米|丝|微米|摄氏度|度|℃|安培|安|毫安|伏特|伏|千瓦|瓦|公斤|千克|克|斤|吨|"
             r"秒钟|秒|分钟|小时|个小时|天|周|个月|年|岁|倍|转|圈|遍|道|层|牛|帕|兆帕|升|毫升|公升|赫兹|%|％")
_EN_UNITS = (r"mm|cm|km|m|inch(?:es)?|in\.|ft|feet|foot|degrees?|°[CF]?|amps?|amperes?|volts?|v|watts?|kw|kg|g|lbs?"
             r"|pounds?|ounces?|oz|seconds?|secs?|minutes?|mins?|hours?|days?|weeks?|months?|years?|percent|%|psi"
             r"|rpm|bits?|bytes?|[kmg]b|k|lines?|words?|people|users?|machines?|copies|times")
_EN_NUM = (r"\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
           r"|forty|fifty|hundred|a hundred|thousand|a thousand")
QUANTITY = re.compile(
    rf"(?P<zn>{_ZH_NUM})\s*(?P<zu>{_ZH_UNITS})"
    rf"|\b(?P<en>{_EN_NUM})[\s-]*(?P<eu>{_EN_UNITS})\b"
    r"|\b(?P<yr>(?:19|20)\d\d)s?\b",
    re.IGNORECASE,
)
# Durations and counts tell a story ("干了三十二年"); a measurement has a technical unit.
_TIME_UNITS = {"year", "年", "岁", "个月", "天", "周", "小时", "个小时", "遍", "道", "层", "day", "week", "month",
               "hour", "time", "people", "user", "machine", "copie", "word", "line"}
_CAUSE = re.compile(r"因为|所以|为了|不然|否则|这样才|以免|免得|原因|because|so that|otherwise|in order to|that's why|since\b",
                    re.I)
_FILLER = re.compile(r"^[\s嗯啊哦呃对好是的，。,.!！?？…～~]*$|^(?:对对|好的|是的|谢谢|ok|okay|yes|yeah|right|uh|um)\W*$",
                     re.I)

# Openings that carry no know-how ("还有一条，", "五，", "所以", "嗯，那个"): a point starts after them.
_LEAD_FILLER = re.compile(
    r"(?:\s*(?:(?:嗯|啊|呃|哦|哎|噢)+|那个|这个|就是说?|然后呢?|其实|反正|对对?|好|是的|还有一条|还有一个|还有就是|另外|再有"
    r"|第?[一二三四五六七八九十]+)[，,、：:)）\s]+"
    r"|\s*\d{1,2}[、)）](?!\d)|\s*还有(?:一[个条点]|个)[^，。：:]{0,12}[：:]|\s*(?:还有|另)一[个条点]是(?=[\u4e00-\u9fff])"
    r"|\s*(?:然后|那么|就是(?!指))(?=[我你他她它这那大咱])|\s*所以说?(?=[\u4e00-\u9fff])|\s*[一二三四五六]是(?=[\u4e00-\u9fff])"
    r"|\s*(?:um+|uh+|er+)[,.\s]+"
    r"|\s*(?:well|you know|i mean|yeah|oh|okay|ok|so|and so|like)\s*,\s*)+",
    re.I,
)
_ZH_STOP = set(
    "我们 你们 他们 大家 这个 那个 就是 然后 其实 一个 因为 所以 什么 没有 可以 还是 但是 如果 觉得 自己 现在 时候 知道 东西 "
    "这样 那么 这些 一些 一下 不是 对吧 比如 比如说 包括 可能 应该 已经 非常 今天 怎么 这种 的话 来说 所有 或者 还有 而且 以及 "
    "其他 一样 这里 那里 里面 当时 出来 起来 进行 通过 需要 开始 看到 这么 那种 之后 之前 以后 以前 这边 那边 事情 问题 时间 "
    "嘉宾 谢谢 过程 方面 情况 部分 东西 地方 老师 同学 朋友 主持人 观众 话题 分享 感谢 好的 对对 一点 很多 特别 真的 确实 这块 "
    "那块 整个 是不是 有没有 一般 别人 人家 大概 最后 先生 女士 总的来说 实际上 就说 怎么样 这一块 那一块 "
    "规矩 规定 标准 原则 经验 办法 道理 毛病 年轻人 新人 老人 "
    "明白 关键 感兴趣 面向 意思 样子 角度 层面 本身 东东 师傅 老师傅 徒弟 大伙 同事 领导 嘉宾们 各位 现场".split()
)
_EN_STOP = set(
    "the a an and or but of to in on at for with by from as is are was were be been being it its this that these those "
    "i you he she we they me him her us them my your his our their what which who whom when where why how not no yes "
    "do does did done have has had having can could would should will shall may might must just so very really "
    "there here then than too also about into over under up down out off again more most some any all each both "
    "one two three lot lots thing things kind sort way something anything everything nothing people time times "
    "know think mean said say says going get got go went come came like well sure yeah okay oh uh um guess remember "
    "don't didn't doesn't wasn't weren't isn't aren't it's that's i'm i'd i've you're we're they're there's let's "
    "because actually probably certainly pretty quite much many first then next other another same different "
    "good great little big new old make made look looked see saw want wanted work worked year years day days "
    "never always only used use using called doing done clear involved built write wrote written word words level "
    "part point place case fact idea ideas long still even ever back around later early together whole right "
    "another several least less last next began begin started start going given give took take put told tell "
    "interesting important obviously basically certainly exactly essentially anyway somebody someone everybody "
    "sense started became become trying tried find found number whether while since though although without "
    "unclear laughing laughter itself through almost inaudible crosstalk whatever whoever however wherever "
    "couldn wouldn shouldn didn doesn isn wasn aren weren haven hasn hadn don won can't won't couldn't wouldn't "
    "somewhat somehow someplace anyhow anymore everyone everywhere nowhere maybe perhaps rather simply "
    "before after during until unless upon onto within across along behind beyond "
    "four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
    "nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million half dozen "
    "every each minute minutes second seconds hour hours degree degrees inch inches feet foot percent".split()
)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#\-]*[A-Za-z0-9+#]|[A-Za-z]")


def sentence_pieces(text: str, start: int, end: int, language: str) -> list[tuple[int, int]]:
    """Quotable spans of text[start:end]: sentences, over-long ones regrouped from clauses."""
    longest = 120 if language == "zh" else 400
    # a turn with no punctuation at all (speech recognition) is cut into pieces of about two sentences
    bare = language in _RUN_PIECE and _MARK.search(text, start, end) is None
    limit, piece = (_RUN_LIMIT[language], _RUN_PIECE[language]) if bare else (longest * 2, longest)
    out: list[tuple[int, int]] = []
    for a, b in sentence_spans(text, start, end):
        if b - a <= longest:
            out.append((a, b))
            continue
        group_start, group_end = None, None
        for c, d in clause_spans(text, a, b):
            if group_start is not None and d - group_start > longest:
                out.append((group_start, group_end))  # type: ignore[arg-type]
                group_start = None
            if group_start is None:
                group_start = c
            group_end = d
            # a clause with no commas at all is cut hard (before a word that opens a new thought, if bare)
            while group_end - group_start > limit:
                cut = _word_cut(text, group_start, piece, language, bare)
                out.append((group_start, cut))
                group_start = cut
        if group_start is not None:
            out.append((group_start, group_end))  # type: ignore[arg-type]
    return out


# A Chinese run with no punctuation longer than _RUN_LIMIT characters is cut into pieces of up to
# _RUN_PIECE: about two spoken sentences, so that selection can keep the know-how and leave the chat.
_RUN_LIMIT = {"zh": 90}
_RUN_PIECE = {"zh": 60}
_MARK = re.compile(r"[。！？!?；;，,、：:]")
# words that open a new thought in speech ("然后", "所以", "第二", "你看"): a cut goes before them
_OPENER = re.compile(r"然后|所以|但是|可是|不过|因为|如果|要是|比如|另外|还有|第[一二三四五六七八九十]|首先|最后|其实|你看|我跟你说|这个时候|这时候|一般")


def _word_cut(text: str, start: int, longest: int, language: str, openers: bool = False) -> int:
    """Where to cut a run with no punctuation about `longest` characters on: at a word's end, never mid-word."""
    if language != "zh":
        space = text.rfind(" ", start + longest // 2, start + longest)
        return space if space > start else start + longest
    # cut a little past the limit so the last word is seen whole, then step back to its start
    bounds = [b for b in word_bounds(text[start:start + longest + 8]) if longest // 2 <= b <= longest]
    before = [m.start() for m in _OPENER.finditer(text, start + longest // 3, start + longest)] if openers else []
    if before:
        return before[-1]
    return start + (max(bounds) if bounds else longest)


def trim_lead(text: str, start: int, end: int) -> int:
    """Where a sentence's know-how begins, past openings like "还有一条，", "五，" or "Well, "."""
    m = _LEAD_FILLER.match(text, start, end)
    if m is None or m.end() >= end:
        return start
    return m.end()


def _long_enough(quote: str, language: str) -> bool:
    if _FILLER.match(quote) or quote.rstrip().endswith(("？", "?")):
        return False  # a question (even the master's own "我的观点是什么呢？") teaches nothing by itself
    # mixed speech counts both ways: ten Chinese characters or seven English words make a sentence
    return sum(1 for ch in quote if is_cjk(ch)) >= 10 or len(re.findall(r"[A-Za-z0-9']+", quote)) >= 7


def quantities(text: str) -> list[tuple[int, int, str]]:
    """(start, end, unit) of each number-with-unit in text; unit is normalised for comparison."""
    out = []
    for m in QUANTITY.finditer(text):
        if m.group("zn") and "几" in m.group("zn"):
            continue  # "几毫米", "十几米": a rough amount, not a number to learn or to compare
        if m.group("yr"):
            out.append((m.start("yr"), m.end("yr"), "year"))
        elif m.group("zn"):
            out.append((m.start(), m.end(), m.group("zu")))
        else:
            out.append((m.start(), m.end(), m.group("eu").lower().rstrip("s.")))
    return out


# Numbers no trainer teaches: dates, ages, lengths of a life or a career, counts in a story.
STORY_UNITS = {"year", "年", "岁", "个月", "天", "周", "day", "week", "month", "people", "user", "machine", "copie",
               "word", "line", "time", "遍", "道", "层"}
# A sentence that recalls the past ("It was too big…", "那时候…"): its numbers belong to the story.
_RECOLLECTION = re.compile(r"\b(?:was|were|had|did|used to|remember|back then|at the time|in those days)\b"
                           r"|那时候|那个时候|当年|当时|以前|有一次|记得", re.I)


def recollection(sentence: str) -> bool:
    """True when a sentence recalls the past rather than says how the work is done."""
    return _RECOLLECTION.search(sentence) is not None


def key_numbers(sentence: str) -> list[tuple[int, int, str]]:
    """The numbers of a sentence a worker should learn: a quantity with a unit of the trade (not a date,
    an age or a count), said as how things are, not in a recollection."""
    if recollection(sentence):
        return []
    notes = [n.span() for n in NOTE.finditer(sentence)]  # "（约两分钟）": the transcriber's, not the master's
    return [(x, y, unit) for x, y, unit in quantities(sentence)
            if unit not in STORY_UNITS and not any(a <= x < b for a, b in notes)]


_ABOUT_ME = re.compile(r"\W?[我俺]")


def classify(quote: str, strict: bool = False) -> UnitKind:
    """The kind of a know-how sentence from its cue words (fact when none fits). The scorer sees the
    wide cues; `strict` is how a point is labelled for people: a rule needs a prescriptive cue about the
    work ("别把我…" is about the speaker), a key number a quantity of the trade said as how things are."""
    for kind, pattern in KIND_CUES:
        if kind == "measurement":
            if any(unit not in _TIME_UNITS for _, _, unit in quantities(quote)) and (
                    not strict or key_numbers(quote)):
                return kind
            continue
        if kind == "rule" and strict:  # "It was never voiced…" recalls, it does not prescribe
            if not recollection(quote) and any(not _ABOUT_ME.match(quote, m.end()) for m in PRESCRIPTIVE.finditer(quote)):
                return kind
            continue
        if pattern.search(quote):
            return kind
    return "fact"


def as_taught(units: Sequence[KnowledgeUnit]) -> list[KnowledgeUnit]:
    """Selected units as a course shows them: a stage direction or a note of the transcriber is never a
    point; each is labelled by the weightiest strict kind of its sentences."""
    rank = {k: n for n, k in enumerate(TEACHING_ORDER)}
    out = []
    for u in units:
        if not _long_enough(NOTE.sub("", u.text), "zh" if sum(map(is_cjk, u.text)) * 3 > len(u.text) else "en"):
            continue  # "（中间陈师傅接了个电话，约两分钟）"
        kinds = [classify(u.text[a:b], strict=True) for a, b in sentence_spans(u.text, 0, len(u.text))] or ["fact"]
        out.append(u.model_copy(update={"kind": min(kinds, key=lambda k: rank.get(k, 9))}))
    return out


def has_reason(quote: str) -> bool:
    """True when the sentence says why (因为/所以/为了/because/so that...)."""
    return bool(_CAUSE.search(quote))


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    import jieba.analyse
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba


# First characters of verb-object words (穿鞋, 补焊, 加工): not things a blank can be filled with
_VERB_LEAD = set("穿买卖做用拿看打补重加对启放装拆换调修切磨铣钻测量算选试走说问教学收车")


@lru_cache(maxsize=4096)
def is_thing(term: str) -> bool:
    """True when a Chinese key term names a thing (a noun: 焊条, 卡盘), not an action (补焊, 启动, 穿鞋)."""
    if term.isascii():
        return True
    tagged = list(_jieba().posseg.lcut(term))
    if not tagged or not tagged[-1].flag.startswith("n") or tagged[-1].flag == "vn":
        return False
    if len(tagged) > 1 and len(tagged[-1].word) == 1 and len(term) >= 3:
        return False  # "放油螺": a word cut short
    # jieba tags unknown two-character words as nouns; a leading verb gives them away
    return not (len(term) == 2 and term[0] in _VERB_LEAD and _jieba().dt.FREQ.get(term, 0) < 5)


def is_name(term: str) -> bool:
    """True when a Chinese term is the name of a person, place or organisation (小刘, 湖南), not a thing."""
    return not term.isascii() and any(w.flag.startswith(("nr", "ns", "nt")) for w in _jieba().posseg.lcut(term))


def word_bounds(sentence: str) -> set[int]:
    """Offsets in a Chinese sentence where a word starts or ends (jieba's cut)."""
    bounds, pos = {0}, 0
    for w in _jieba().lcut(sentence):
        pos += len(w)
        bounds.add(pos)
    return bounds


def key_terms(text: str, language: str, top: int = 40) -> list[str]:
    """Key terms of a text (TF-IDF nouns for Chinese, frequent content words and names for English)."""
    if language == "zh":
        jieba = _jieba()
        raw = jieba.analyse.extract_tags(text, topK=top * 2, allowPOS=("n", "nz", "vn", "nt", "ns", "eng", "nw"))
        terms = []
        for w in raw:
            if w in _ZH_STOP or len(w) < 2 or w.isdigit() or _fragment(w):
                continue
            terms.append(_extend_term(text, w))
        return list(dict.fromkeys(terms))[:top]
    counts: Counter[str] = Counter()
    # a capital at the start of a sentence ("Every", "Measure") is no name: a name is capitalised mid-sentence too
    lower = {m.group() for m in _EN_WORD.finditer(text) if m.group().islower()}
    named = {m.group() for m in _EN_WORD.finditer(text)
             if m.group()[0].isupper() and not re.search(r"(?:^|[.!?:;\"“(]\s*|\n\s*)$", text[max(0, m.start() - 3):m.start()])}
    for m in _EN_WORD.finditer(text):
        w = m.group()
        if w.lower() in _EN_STOP or len(w) < 3:
            continue
        keep_case = w.isupper() or any(c.isdigit() for c in w) or (w[0].isupper() and w in named and w.lower() not in lower)
        counts[w if keep_case else w.lower()] += 1
    # names and jargon (capitalised, digits) first among equals: they make the best cloze terms
    def jargon(w: str) -> bool:
        return w[0].isupper() or any(c.isdigit() for c in w)

    # names and jargon (capitalised, digits) make the best cloze terms; plain words must be long and frequent
    keep = [w for w in counts if counts[w] >= 2 and (jargon(w) or (len(w) >= 6 and counts[w] >= 3))]
    return sorted(keep, key=lambda w: (-(counts[w] * (2.0 if jargon(w) else 1.0)), w))[:top]


def question_words(question: str, language: str) -> list[str]:
    """The words a question asks about, in order ("焊缝发蓝是什么原因？" -> 焊缝, 发蓝)."""
    if language == "zh" and not question.isascii():
        tagged = _jieba().posseg.lcut(question)
        def keep(flags: tuple[str, ...]) -> list[str]:
            words = [w.word for w in tagged if w.flag.startswith(flags) and len(w.word) >= 2]
            return [w for w in dict.fromkeys(words) if w not in _ZH_STOP and not _fragment(w) and w not in _ASKING]

        return keep(("n", "eng", "an")) or keep(("v",))  # a thing asked about before an action
    words = [m.group() for m in _EN_WORD.finditer(question)]
    return list(dict.fromkeys(w for w in words if w.lower() not in _EN_STOP | _EN_ASKING and len(w) >= 4))


def question_phrases(question: str) -> list[str]:
    """Runs of content words in an English question ("What about the minimum approach distances?" ->
    "minimum approach distances"): the noun phrase it asks about."""
    runs, current = [], []
    for piece in re.split(r"([A-Za-z][A-Za-z0-9'\-]*)", question):
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9'\-]*", piece) and piece.lower() not in _EN_STOP | _EN_ASKING:
            current.append(piece)
        elif piece.strip() or not re.fullmatch(r"[A-Za-z][A-Za-z0-9'\-]*|\s*", piece):
            if current:
                runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return [r for r in runs if len(r) >= 4 and len(r.split()) <= 4]


# Words of asking that name no topic ("Walk me through", "How do you teach", "What separates")
_EN_ASKING = set("walk teach tell talk mentioned mention need needs gets get making thanks seem seems separates else "
                 "advice starting start common running happen happens usually biggest mistakes mistake trade "
                 "experience explain describe favorite what's how's where's who's why's open average replace".split())


# Verbs of asking and judging that name no topic ("怎么判断", "需要", "注意")
_ASKING = set("判断 需要 注意 觉得 介绍 提醒 强调 处理 确认 知道 容易 常见 讲究 原因 办法 方法 要紧 接受 提出 遇到 印象 "
              "建议 最想 想对 入行 犯错 错误 出错 新人 新员工 员工".split())


_JOINERS = set("的了是在和与就也都还又而把被对说个这那我你他她它们吗呢吧啊么最很太更才只再从向往给跟让比要会能用着过得地去来上下中里")


def _fragment(word: str) -> bool:
    """A piece of a phrase, not a term: "外圆用", "越车越", "会差" (a joiner or an adverb at its edge)."""
    return word[-1] in _JOINERS or word[0] in _ADVERB_LEAD


_ADVERB_LEAD = set("越会先太很最再又都也就还才不没一二两三四五六七八九十几半每")  # and counts: "三家店", "两码"


def _extend_term(text: str, word: str) -> str:
    """Grow a jieba word by a character that almost always follows it ("区块" -> "区块链")."""
    positions = [m.end() for m in re.finditer(re.escape(word), text)]
    if len(positions) < 2:
        return word
    nxt = Counter(text[p] for p in positions if p < len(text))
    if nxt:
        ch, n = nxt.most_common(1)[0]
        if is_cjk(ch) and ch not in _JOINERS and n >= 0.7 * len(positions) and is_thing(word + ch):
            return word + ch
    return word


def locate_chunk(chunks: Sequence[Chunk], start: int, end: int) -> Chunk | None:
    """The chunk holding text[start:end] whole (the first such), else the one overlapping it most."""
    best, overlap = None, 0
    for chunk in chunks:
        if chunk.char_start <= start and end <= chunk.char_end:
            return chunk
        shared = min(end, chunk.char_end) - max(start, chunk.char_start)
        if shared > overlap:
            best, overlap = chunk, shared
    return best


def cite(t: Transcript, text: str, chunks: Sequence[Chunk], start: int, end: int) -> Citation | None:
    """A citation of text[start:end] (clipped to its chunk so the span always lies inside it)."""
    chunk = locate_chunk(chunks, start, end)
    if chunk is None:
        return None
    start, end = max(start, chunk.char_start), min(end, chunk.char_end)
    if end <= start:
        return None
    t_start, t_end = _times(t, start, end)
    if t_start is None:
        t_start, t_end = chunk.t_start, chunk.t_end
    return Citation(transcript_id=t.id, chunk_id=chunk.id, quote=text[start:end], start=start, end=end,
                    t_start=t_start, t_end=t_end)


def _times(t: Transcript, start: int, end: int) -> tuple[float | None, float | None]:
    """When text[start:end] was said: its turn's times, narrowed in proportion to where it sits
    in the turn when the turn has both a start and an end."""
    pos = 0
    for turn in t.turns:
        if pos <= start <= pos + len(turn.text):
            if turn.start is None:
                return None, None
            if turn.end is None or turn.end <= turn.start or not turn.text:
                return turn.start, turn.end
            rate = (turn.end - turn.start) / len(turn.text)
            a = turn.start + rate * (start - pos)
            b = turn.start + rate * min(end - pos, len(turn.text))
            return round(a, 1), round(b, 1)
        pos += len(turn.text) + 1
    return None, None


def extract_units(
    t: Transcript, chunks: Sequence[Chunk], segments: Sequence[TopicSegment] | None = None
) -> list[KnowledgeUnit]:
    """Knowledge units of the expert turns of a transcript, in transcript order, each cited."""
    text = t.text
    language = t.language
    starts, pos = [], 0
    for turn in t.turns:
        starts.append(pos)
        pos += len(turn.text) + 1
    where = _segment_of_turn(len(t.turns), segments or [])
    vocabulary = key_terms(text, language, top=80)
    units: list[KnowledgeUnit] = []
    for position, turn in enumerate(t.turns):
        if turn.role == "interviewer":
            continue  # everyone else teaches: the master, and each panellist of a discussion
        # spans from the join rule of Transcript.text, so citations always match the text
        turn_start = starts[position]
        for a, b in sentence_pieces(text, turn_start, turn_start + len(turn.text), language):
            kind = classify(text[a:b])  # with its opening: "然后…" says it is a step
            a = trim_lead(text, a, b)
            quote = text[a:b]
            if not _long_enough(quote, language):
                continue
            citation = cite(t, text, chunks, a, b)
            if citation is None or citation.quote != quote:
                continue
            found = [term for term in vocabulary if _contains_term(quote, term, language)]
            amounts = [quote[x:y] for x, y, _ in quantities(quote)]
            module, lesson = where.get(position, (0, 0))
            units.append(KnowledgeUnit(
                id=f"{(t.id or 'T')[:10]}-u{len(units) + 1:04d}", kind=kind, text=quote, speaker=turn.speaker,
                turn_index=position, module=module, lesson=lesson, terms=found[:6], quantities=amounts,
                score=_score(kind, found, amounts), citations=[citation],
            ))
    return units


def _contains_term(quote: str, term: str, language: str) -> bool:
    if language == "zh" or not term.isascii():
        return term in quote
    return re.search(rf"\b{re.escape(term)}\b", quote, re.I) is not None


_KIND_WEIGHT = {"warning": 3.0, "rule": 2.6, "step": 2.4, "measurement": 2.4, "tool": 2.0, "definition": 2.2,
                "tip": 2.2, "story": 1.2, "fact": 1.0}


def _score(kind: str, terms: list[str], amounts: list[str]) -> float:
    """How worth teaching a unit is: its kind, plus key terms and quantities it holds."""
    return round(_KIND_WEIGHT.get(kind, 1.0) + 0.4 * min(len(terms), 4) + 0.5 * min(len(amounts), 2), 3)


def _segment_of_turn(n_turns: int, segments: Sequence[TopicSegment]) -> dict[int, tuple[int, int]]:
    where: dict[int, tuple[int, int]] = {}
    for m, seg in enumerate(segments):
        lessons = seg.lessons or ((seg.first, seg.last),)
        for li, (a, b) in enumerate(lessons):
            for i in range(a, b):
                where[i] = (m, li)
    return where
