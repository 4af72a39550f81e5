"""Skills proposed for the lesson points and quiz items of a course, from the course's own words.

A point takes the skill it matches — the trade's curated list first, then the skills proposed for the
points before it — when most of the skill's words are in the point ("焊接电流选择" matches "薄板焊接
电流要小"). Otherwise it gets a short name from its key noun phrase, in the course's language: the noun
that weighs most in this point against the rest of the course (TF-IDF over its points, the lesson title
counting double), with the nouns beside it and the verb that acts on it ("坡口打磨", "suction line
temperature"), never a single word ("坡口" becomes "坡口打磨", or "面罩使用" from the kind of point)
and never a person (jieba's person tags, the masters' names, capitalised names mid-sentence). A quiz
item takes the skills of the points it quotes, else the skill its stem and answer match, else one
proposed from them.

Stable on purpose: migration 0007_skills_tag calls `fill_course` on stored courses and drafting calls
it on new ones (extraction/growth/skills.py), so old and new courses are named the same way. It works on
the course JSON (dicts) because the migration must not import the course models above this layer.
Change what it proposes only together with a new migration.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

MAX_ZH_CHARS = 10
MAX_EN_WORDS = 3
MATCH_SHARE = 2 / 3  # of a skill's words a point must contain to carry it

_ZH_NOUN = ("n", "nz", "ng", "vn", "nt", "nw", "eng")
_ZH_PERSON = ("nr", "nrfg", "nrt")
# words that name no skill: people, time, vagueness
_ZH_GENERIC = set(
    "时候 东西 师傅 老师傅 徒弟 学徒 问题 情况 地方 方面 样子 时间 办法 事情 范围 行话 经验 毛病 原因 道理 大家 人家 "
    "一点 部分 过程 第一 第二 第三 规矩 规定 标准 原则 新人 老人 年轻人 客户 顾客 师父 一般 意思 感觉 作用 效果 结果 "
    "地步 程度 左右 之间 里面 外面 上面 下面 前面 后面 底下 旁边 行业 工作 岗位 单位 公司 厂里 天天 每次 片区 "
    "人家 别人 大部分 大多数 很多 有的 一种 一次 几个 两个 三个 第一课 第二课 行当 小时 先教 大用 会积 "
    "内 外 里 上 下 中 前 后 用 时 人 事 话".split())
# verbs that name what is learnt about a thing (坡口打磨, 电流控制); other verbs (超过, 适合) say nothing
_ZH_ACTIONS = set(
    "打磨 清理 清洁 控制 调节 调整 选择 选用 检查 测量 安装 拆卸 焊接 切割 防护 固定 连接 更换 预热 烘干 接地 紧固 "
    "校准 维护 保养 操作 处理 识别 判断 设置 使用 保管 存放 穿戴 佩戴 填充 收弧 引弧 熔接 开剥 吊装 登杆 测试 检测 "
    "清除 排查 排除 试穿 测量 修复 更换 加注 排气 放电 绝缘 隔离 监护 搭建 打底 盖面 装配 调试 保护 点检".split())
_ZH_GENERIC_VERBS = set(
    "就是 知道 觉得 可以 需要 应该 开始 进行 出来 起来 看到 发现 没有 还是 成为 属于 叫做 叫作 变成 说明 表示 认为 "
    "记得 注意 一定 不要 千万 必须 能够 导致 造成 容易 比较 为了 作为".split())
_EN_STOP = set(
    "the a an and or but of to in on at for with by from as is are was were be been being it its this that these those "
    "i you he she we they me him her us them my your his our their what which who whom when where why how not no yes "
    "do does did done have has had having can could would should will shall may might must just so very really "
    "there here then than too also about into over under up down out off again more most some any all each both "
    "one two three four five six ten lot lots thing things kind sort way something anything everything nothing people "
    "time times know think mean said say says going get got go went come came like well sure yeah okay oh uh um guess "
    "remember always never every because if else while still even only first second third last next new old good bad "
    "big small little right left much many other another same own part number day days year years minute minutes "
    "second seconds hour hours make makes made take takes took put puts want wants need needs use used using look "
    "looks let lets tell told keep keeps see seen give gives don't can't it's that's you're i'm we're they're "
    "around usually typically actually probably maybe somebody someone everyone anyone guy guys man men rule rules "
    "lesson lessons customer customers rookie rookies apprentice foreman tech techs technician partner per "
    "goes going lose loses love loves paid pay found find finds talk talks hold holds learn learns draw buy wear "
    "meet start starts end ends stay stays call called calls try tries work works show shows ask asks run runs "
    "feel feels happen happens turn turns leave leaves bring brings become becomes seem seems call whole "
    "together inside outside before after above below behind enough least less roughly somewhere mild long short "
    "through backwards forwards twenty thirty forty fifty hundred thousand respect".split())
# A single word is no skill name: what is learnt about it follows from the kind of point (these are not the
# kinds' labels, which live in extraction/course.py): (kind, Chinese, English).
_KIND_SUFFIX = (
    ("warning", "安全", "safety"), ("step", "操作", "procedure"), ("rule", "规范", "rules"),
    ("measurement", "参数", "settings"), ("tool", "使用", "use"), ("definition", "识别", "basics"),
    ("tip", "技巧", "tips"), ("story", "经验", "practice"), ("fact", "要点", "basics"),
    ("disagreement", "做法", "practice"),
)


def _suffix(kind: str, language: str) -> str:
    _, zh, en = next((x for x in _KIND_SUFFIX if x[0] == kind), _KIND_SUFFIX[-2])
    return zh if language == "zh" else en


_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*|\d+[A-Za-z]+")


def _jieba() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba


def tokens(text: str, language: str) -> list[tuple[str, str]]:
    """(word, tag) of a text: jieba's part of speech for Chinese; 'n' content, 'x' stop, 'nr' name for English."""
    if language == "zh":
        return [(w.word, w.flag) for w in _jieba().posseg.cut(text)]
    out = []
    for m in _EN_TOKEN.finditer(text):
        w = m.group()
        before = text[max(0, m.start() - 3):m.start()]
        sentence_start = m.start() == 0 or bool(re.search(r"[.!?:;\"“(]\s*$|\n\s*$", before))
        if w.lower() in _EN_STOP or len(w) < 3:
            out.append((w, "x"))
        elif w[0].isupper() and not w.isupper() and not sentence_start and not any(c.isdigit() for c in w):
            out.append((w, "nr"))
        else:
            out.append((w, "n"))
    return out


def _word_set(text: str, language: str) -> set[str]:
    if language == "zh":
        return {w for w, _ in tokens(text, language) if len(w) >= 2 and w not in _ZH_GENERIC}
    return {_stem(w) for w, tag in tokens(text, language) if tag == "n"}


def _stem(word: str) -> str:
    w = word.lower()
    for end in ("ing", "es", "s"):
        if w.endswith(end) and len(w) - len(end) >= 3:
            return w[: -len(end)]
    return w


def match_share(skill: str, text: str, language: str) -> float:
    """How much of a skill's name a text contains: 1 when it says the name, else the share of its words
    (0 when fewer than two of them are there: one shared word, 电流, is no evidence of one skill)."""
    if skill and skill.lower() in text.lower():
        return 1.0
    words = _word_set(skill, language)
    shared = words & _word_set(text, language)
    if len(shared) < 2:
        return 0.0
    return len(shared) / len(words)


def best_match(text: str, skills: Iterable[str], language: str) -> str | None:
    """The skill a text matches best (at least MATCH_SHARE of its words; the more specific on a tie), or None."""
    scored = [(match_share(s, text, language), len(s), s) for s in skills if s.strip()]
    scored = [x for x in scored if x[0] >= MATCH_SHARE - 1e-9]
    return max(scored)[2] if scored else None


class _Weights:
    """How much a word says about a course. Chinese: how often the course says it times how rare it is in
    general Chinese (jieba's IDF table), so the course's own subject (坡口, said in many points) outweighs a
    word said once. English (no general table shipped): TF-IDF with the course's points as documents."""

    def __init__(self, docs: Sequence[Sequence[tuple[str, str]]], language: str) -> None:
        self.language = language
        self.n = len(docs)
        self.df: Counter[str] = Counter()
        self.count: Counter[str] = Counter()
        for doc in docs:
            self.df.update({w.lower() for w, _ in doc})
            self.count.update(w.lower() for w, _ in doc)
        if language == "zh":
            import jieba.analyse

            table = jieba.analyse.default_tfidf
            self.idf, self.median = table.idf_freq, table.median_idf

    def of(self, word: str, tf: int) -> float:
        w = word.lower()
        if self.language == "zh":
            return tf * self.idf.get(w, self.median)
        return tf * (math.log((self.n + 1) / (self.df[w] + 1)) + 1.0)


def _is_noun(word: str, tag: str, language: str, people: set[str]) -> bool:
    if language == "zh":
        return tag in _ZH_NOUN and word not in _ZH_GENERIC and not _person(word, tag, people)
    return tag == "n" and word.lower() not in people


def _person(word: str, tag: str, people: set[str]) -> bool:
    return (tag in _ZH_PERSON or word in people or any(word in p for p in people if len(word) >= 2)
            or word[-1] in "员者们客户")


def _key_phrase(doc: list[tuple[str, str]], title: list[tuple[str, str]], weights: _Weights, language: str,
                kind: str, people: set[str]) -> tuple[str, str]:
    """(skill name, its key noun) of a point: its weightiest run of nouns, with the action done to a lone
    noun or the kind of point; ('', '') when it has no noun."""
    tf = Counter(w.lower() for w, _ in doc)
    in_title = {w.lower() for w, _ in title}
    shortest = 2 if language == "zh" else 3
    limit = MAX_ZH_CHARS if language == "zh" else MAX_EN_WORDS

    def weight(w: str) -> float:
        return weights.of(w, tf[w.lower()]) * (2.0 if w.lower() in in_title else 1.0) if len(w) >= shortest else 0.0

    runs: list[tuple[float, int, int, int]] = []
    i = 0
    while i < len(doc):
        if not _in_run(doc[i], language, people):
            i += 1
            continue
        j = i
        while j < len(doc) and _in_run(doc[j], language, people):
            j += 1
        while j - i > 1 and (_size(doc, i, j, language) > limit or len(doc[i][0]) == 1):
            i += 1  # too long, or a one-character word in front (用 丙酮): keep its end, the head noun
        best = max(weight(w) for w, _ in doc[i:j])
        if best > 0:
            runs.append((best * (1.2 if j - i > 1 else 1.0), -i, i, j))
        i = j
    if not runs:
        return "", ""
    _, _, lo, hi = max(runs)
    words = [w for w, _ in doc[lo:hi]]
    key = max(words, key=weight)
    if len(words) == 1 and language == "zh":
        verb = next((doc[j][0] for j in (hi, lo - 1) if 0 <= j < len(doc) and doc[j][0] in _ZH_ACTIONS), "")
        if verb:
            words.append(verb)  # 坡口 + 打磨, 电流 + 控制: the skill reads noun first
    if len(words) == 1:
        suffix = _suffix(kind, language)
        if suffix not in words[0].lower():  # 安全帽 + 安全 would say it twice
            words.append(suffix)
    if language == "zh":
        return "".join(words), key
    return " ".join(w if w.isupper() or any(c.isdigit() for c in w) else w.lower() for w in words), key


def _in_run(token: tuple[str, str], language: str, people: set[str]) -> bool:
    w, tag = token
    if language == "zh":  # one-character nouns join a run (钨 + 极) but weigh nothing alone
        return tag in _ZH_NOUN and w not in _ZH_GENERIC and not w.startswith("第") and not _person(w, tag, people)
    return (tag == "n" and w.lower() not in people and "'" not in w and not w.lower().endswith(("ly", "ed"))
            and not w[0].isdigit())


def _size(doc: list[tuple[str, str]], a: int, b: int, language: str) -> int:
    return sum(len(w) for w, _ in doc[a:b]) if language == "zh" else b - a


def _points(course: dict) -> list[dict]:
    return [p for m in course.get("modules") or [] for lesson in m.get("lessons") or []
            for p in lesson.get("points") or []]


def _overlaps(a: dict, b: dict) -> bool:
    return (a.get("transcript_id") == b.get("transcript_id")
            and int(a.get("start", 0)) < int(b.get("end", 0)) and int(b.get("start", 0)) < int(a.get("end", 0)))


def fill_course(course: dict, known: Sequence[str] = ()) -> dict:
    """A copy of a course (its JSON) whose points and quiz items without skills have them proposed.

    `known` is the trade's curated skill list, matched first. What already has skills keeps them.
    """
    course = copy.deepcopy(course)
    language = "en" if course.get("language") == "en" else "zh"
    people = {str(s.get("expert") or "").strip() for s in course.get("sources") or []} - {""}
    if language == "en":
        people = {w.lower() for p in people for w in p.split()}
    curated = [k for k in dict.fromkeys(known) if k.strip()]
    lessons = [(lesson.get("title") or "", lesson.get("points") or [])
               for m in course.get("modules") or [] for lesson in m.get("lessons") or []]
    docs = {id(p): tokens(p.get("text") or "", language) for _, points in lessons for p in points}
    weights = _Weights(list(docs.values()), language)
    proposed: list[str] = [s for p in _points(course) for s in p.get("skills") or []]
    by_key: dict[str, str] = {}  # key noun -> the skill first proposed for it (气孔 -> 气孔识别)
    for title, points in lessons:
        title_words = tokens(title, language)
        for p in points:
            if p.get("skills"):
                continue
            text = p.get("text") or ""
            name = best_match(text, curated, language) or best_match(text, proposed, language)
            if not name:
                name, key = _key_phrase(docs[id(p)], title_words, weights, language, p.get("kind") or "fact", people)
                name = by_key.setdefault(key.lower(), name) if name else name
            if name:
                p["skills"] = [name]
                proposed.append(name)
        # a point with no noun of its own ("只穿一只坐着试，是试不出来的") is taught under its lesson's skill
        bare = [p for p in points if not p.get("skills")]
        if bare:
            lesson_skill = next((p["skills"][0] for p in points if p.get("skills")), "")
            if not lesson_skill:
                lesson_skill = _key_phrase(title_words, [], weights, language, "fact", people)[0] or title.strip()
            for p in bare:
                p["skills"] = [lesson_skill] if lesson_skill else []
    cited = [(c, s) for p in _points(course) for c in p.get("citations") or [] for s in p.get("skills") or []]
    for item in course.get("quiz") or []:
        if item.get("skills"):
            continue
        quoted = [s for c in item.get("citations") or [] for pc, s in cited if _overlaps(c, pc)]
        text = " ".join([item.get("stem") or "", *(item.get("answer") or [])])
        found = quoted or [x for x in [best_match(text, curated, language) or best_match(text, proposed, language)]
                           if x]
        if not found:
            doc = tokens(text, language)
            name, key = _key_phrase(doc, [], weights, language, "fact", people)
            found = [by_key.setdefault(key.lower(), name)] if name else []
        item["skills"] = list(dict.fromkeys(found))
        proposed += item["skills"]
    return course
