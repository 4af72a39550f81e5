"""Quiz items on the concepts of the selected points: a number with its unit, a cause, what to do
when something happens, a rule, the order of steps. Distractors are of the same category from the
same interview; a false statement is false in meaning (another amount of the same unit, the steps
swapped, the opposite action), never a synonym for one word; stems show the words without fillers."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

from extraction.checkable import checkable
from extraction.course import KnowledgeUnit, QuizItem
from extraction.display import trim_fillers
from extraction.selection import tells_a_story
from extraction.units import (
    PRESCRIPTIVE,
    STORY_UNITS,
    has_reason,
    is_name,
    is_thing,
    key_numbers,
    quantities,
    recollection,
    trim_lead,
    word_bounds,
)
from extraction.validate import BLANK, supported
from rag.language import is_cjk
from rag.sentences import clause_spans, sentence_spans
from shifu.models import Citation, Transcript
from shifu.timecode import clock

_NUM = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
# The number before "到 / - / to" of a range ("30到40安培"): blanking only its end would read badly.
_RANGE_HEAD = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十百]+)\s*(?:到|至|~|～|-|–|to)\s*$", re.I)
# Last characters of category words (焊材, 材料, 用品): a category is also right for its member.
_CATEGORY_END = set("材料品物类具件器西")
# A sentence that opens by pointing back ("They…", "It…", "他们…") needs the one before to be understood
_LEANS_BACK = re.compile(r"\W*(?:they|it|that|this|these|those|he|she|him|them)\b"
                         r"|\W*(?:他们|她们|它们|他|她|它|这样|那样|这个|那个)", re.I)
_PEOPLE_END = set("人员者们傅工匠主客户")
_PEOPLE_WORDS = {"店长", "厂长", "班长", "组长", "队长", "老板", "徒弟", "学徒", "师傅", "老师傅"}
_ACTION_END = set("焊铣磨切钻割补拧拆")
_GENERIC_HEAD = set("工零部配物材东")
# A word after these is used as a verb ("then you ground it"): not a thing to fill a blank with.
_VERB_BEFORE = re.compile(r"\b(?:you|to|we|i|they|can|will|must|should|don'?t|never|always|then)\s+$", re.I)


def _stable(*parts: str) -> int:
    """A deterministic pseudo-random number from strings (same input, same quiz)."""
    return int(hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12], 16)


def interview_minutes(t: Transcript) -> float:
    """Length of an interview: from timestamps when known, else ~250 Chinese characters or
    ~150 English words per minute."""
    times = [x for turn in t.turns for x in (turn.start, turn.end) if x is not None]
    if len(times) >= 2 and max(times) - min(times) > 60:
        return (max(times) - min(times)) / 60
    text = t.text
    cjk = sum(1 for ch in text if is_cjk(ch))
    words = len(re.findall(r"[A-Za-z0-9']+", text))
    return cjk / 250 + words / 150


def quiz_target(minutes: float) -> int:
    """How many items to write: about 14 per hour of interview, at least 6."""
    return max(6, math.ceil(minutes / 60 * 14))


def explanation(unit: KnowledgeUnit, language: str) -> str:
    c = unit.citations[0]
    when = clock(c.t_start)
    if language == "zh":
        return f"出处：{unit.speaker or '师傅'}{'（' + when + '）' if when else ''}说：“{c.quote}”"
    return f"Source: {unit.speaker or 'the master'}{' (' + when + ')' if when else ''} said: \"{c.quote}\""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


class QuizWriter:
    """Writes items for one transcript's units; keeps the distractor pools of that transcript."""

    def __init__(self, units: Sequence[KnowledgeUnit], language: str, id_prefix: str = "q", panel: bool = False) -> None:
        self.units = list(units)
        self.panel = panel  # several speakers: a stem names the one who said it, not "the master"
        self.language = language
        self.prefix = id_prefix
        self.amounts: dict[str, list[str]] = {}
        for u in self.units:
            for x, y, unit in quantities(u.text):
                if unit in STORY_UNITS:
                    continue
                self.amounts.setdefault(unit, [])
                value = u.text[x:y]
                if value not in self.amounts[unit]:
                    self.amounts[unit].append(value)
        self.terms: list[str] = list(dict.fromkeys(term for u in self.units for term in u.terms))
        # terms said just before a number (电流 180安培, 电压 24伏): quantities of the trade, alike as options
        self.measured = {term for u in self.units for x, _, _ in quantities(u.text)
                         for term in u.terms if term in u.text[max(0, x - 8):x]}

    # --- distractors ------------------------------------------------------------

    def number_distractors(self, value: str, unit: str, quote: str, n: int = 3) -> list[str]:
        """Other numbers with the same unit from this transcript; varied copies when too few."""
        pool = [_same_form(v, value) for v in self.amounts.get(unit, [])]
        arabic = bool(_NUM.search(value))  # "6毫米" among "三毫米", "十毫米" stands out
        pool = [v for v in pool if _norm(v) != _norm(value) and not _number_in(v, quote)
                and bool(_NUM.search(v)) == arabic]
        pool.sort(key=lambda v: _stable(value, v))
        out: list[str] = []
        for v in pool:  # "20年" and "20 年" are one option
            if _norm(v) not in {_norm(o) for o in out}:
                out.append(v)
        out = out[:n]
        m = _NUM.search(value)
        if len(out) < n and m:
            commas = "," in m.group() and "." not in m.group()
            x = float(m.group().replace(",", "")) if commas else float(m.group().replace(",", "."))
            steps = (2, -3, 5, -6) if unit == "year" else (2, 0.5, 3, 1.5, 10)
            for step in steps:
                y = x + step if unit == "year" else x * step
                if unit in ("%", "％", "percent") and y > 100:
                    continue  # "160% of the work" is false at a glance
                number = f"{y:,.0f}" if commas and y == int(y) else f"{y:g}"
                cand = value[:m.start()] + number + value[m.end():]
                if _norm(cand) not in {_norm(value), *map(_norm, out)} and not _number_in(cand, quote):
                    out.append(cand)
                if len(out) >= n:
                    break
        return out[:n]

    def term_distractors(self, term: str, quote: str, n: int = 3) -> list[str]:
        """Other key terms of this transcript, of a similar length and absent from the sentence."""
        low = quote.lower()
        pool = [t for t in self.terms if t != term and t.lower() not in low and term.lower() not in t.lower()
                and t.lower() not in term.lower() and abs(len(t) - len(term)) <= max(2, len(term) // 2)
                and (t[0].isupper() == term[0].isupper() if term.isascii() and t.isascii() else True)
                and _same_kind_of_thing(term, t)]
        # plausible first: terms sharing characters with the answer (电流 -> 电压, 电弧), then a stable shuffle
        measured = term in self.measured
        pool.sort(key=lambda t: (-(measured and t in self.measured), -_sibling(term, t), -_kinship(term, t),
                                 _stable(term, t)))
        out: list[str] = []
        for t in pool:  # "grounds" and "grounding" are one word: never both, never beside "ground"
            if not any(_same_stem(t, o) for o in [term, *out]):
                out.append(t)
        return out[:n]

    # --- items ------------------------------------------------------------------

    def _item(self, unit: KnowledgeUnit, kind: str, stem: str, options: list[str], answer: list[str],
              difficulty: str, bloom: str) -> QuizItem:
        if self.panel:
            stem = credited(stem, unit.speaker or ("嘉宾" if self.language == "zh" else "the speaker"))
        return QuizItem(id="", type=kind, stem=stem, options=options, answer=answer,  # type: ignore[arg-type]
                        explanation=explanation(unit, self.language), difficulty=difficulty, bloom=bloom,
                        citations=[c.model_copy() for c in unit.citations])  # skills: proposed after the draft

    def cloze_number(self, unit: KnowledgeUnit) -> QuizItem | None:
        """A blank on a number of the trade with its unit; the options are other amounts of that unit."""
        for a, b in _checkable(unit.text, self.language):
            sentence = unit.text[a:b]
            for x, y, un in key_numbers(sentence):
                if _RANGE_HEAD.search(sentence[:x]):
                    continue
                value = sentence[x:y]
                wrong = self.number_distractors(value, un, unit.text)
                window = _clean_window(sentence, x, y, self.language)
                if len(wrong) < 2 or window is None:
                    continue
                p, q = window
                shown = sentence[p:x] + BLANK + sentence[y:q]
                options = _shuffle([value, *wrong], unit.id)
                stem = (f"根据师傅的说法，填空：“{shown}”" if self.language == "zh"
                        else f"Fill in the blank, as the master said it: \"{shown}\"")
                return self._checked(unit, "single_choice", stem, options, [value], "medium", "remember")
        return None

    def cloze_term(self, unit: KnowledgeUnit) -> QuizItem | None:
        """A blank on a term of the trade (a thing, or jargon such as PDP-7), never on a name or a filler."""
        for a, b in _sentences(unit.text):
            sentence = unit.text[a:b]
            for term in unit.terms:
                if sentence.count(term) != 1 or not _blankable(term, sentence) or not _concept_term(term):
                    continue
                wrong = [w for w in self.term_distractors(term, sentence) if _concept_term(w)]
                x = sentence.find(term)
                window = _clean_window(sentence, x, x + len(term), self.language)
                if len(wrong) < 3 or window is None:
                    continue
                p, q = window
                shown = sentence[p:x] + BLANK + sentence[x + len(term):q]
                options = _shuffle([term, *wrong[:3]], unit.id)
                stem = (f"根据师傅的说法，填空：“{shown}”" if self.language == "zh"
                        else f"Fill in the blank, as the master said it: \"{shown}\"")
                return self._checked(unit, "single_choice", stem, options, [term], "easy", "remember")
        return None

    def swapped(self, unit: KnowledgeUnit) -> str | None:
        """One sentence of the unit made false in meaning: another amount of the same unit from this
        interview, the steps in another order, or the opposite action (never a synonym)."""
        # like a true statement, a false one is never a sentence that needs the one before ("It does mean…");
        # Chinese keeps them (measured: without them the panels' quiz fell from .125 to .124)
        sentences = [(a, b) for a, b in _checkable(unit.text, self.language)
                     if self.language == "zh" or not _points_back(unit.text[a:b], self.language)]
        for a, b in sentences:
            sentence = unit.text[a:b]
            for x, y, un in key_numbers(sentence):
                if _RANGE_HEAD.search(sentence[:x]):
                    continue
                wrong = self.number_distractors(sentence[x:y], un, unit.text, n=1)
                if wrong:
                    return _shown(sentence[:x] + wrong[0] + sentence[y:])
        for a, b in sentences:
            out = swapped_steps(unit.text[a:b], self.language) or opposite(unit.text[a:b], self.language)
            if out is not None:
                return _shown(out)
        return None

    def statement(self, unit: KnowledgeUnit) -> str | None:
        """The unit's most teachable sentence as a reader sees it (fillers out), when it stands alone and a
        quiz can check it (a rule, a number, a cause, a definition, a step; never a recollection)."""
        best = None
        for a, b in _checkable(unit.text, self.language):
            sentence = unit.text[a:b].strip()
            if _points_back(sentence, self.language) or not _long_enough(sentence, self.language):
                continue
            weight = (bool(key_numbers(sentence)) + bool(_PRESCRIPTIVE.search(sentence)) + has_reason(sentence)
                      + bool(_CONDITION.search(sentence)))
            if best is None or weight > best[0]:
                best = (weight, sentence)
        if best is None:
            return None
        limit = 90 if self.language == "zh" else 260
        said = _shown(best[1])  # "还有就是每次开机…" reads "每次开机…"
        return _clip(said, limit) if len(said) <= limit * 1.5 else None

    def true_false(self, unit: KnowledgeUnit, want_true: bool) -> QuizItem | None:
        statement = self.statement(unit) if want_true else self.swapped(unit)
        if statement is None or statement.endswith("…"):
            return None
        stem = (f"判断正误：师傅说过“{statement}”" if self.language == "zh"
                else f"True or false: the master said \"{statement}\"")
        return self._checked(unit, "true_false", stem, ["true", "false"], ["true" if want_true else "false"],
                             "easy", "remember" if want_true else "understand")

    def relation(self, unit: KnowledgeUnit, others: Sequence[KnowledgeUnit]) -> QuizItem | None:
        """Why something is so, or what to do when something happens: the master's answer among the
        causes (or actions) he gave elsewhere in the same interview."""
        found = relation_of(unit.text, self.language)
        if found is None:
            return None
        kind, prompt, answer = found
        pool = []
        for o in others:
            r = relation_of(o.text, self.language) if o.id != unit.id else None
            if r is not None and r[0] == kind and _norm(r[2]) not in _norm(unit.text) and _norm(r[2]) != _norm(answer):
                pool.append(r[2])
        pool = sorted(dict.fromkeys(pool), key=lambda p: _stable(unit.id, p))[:3]
        if len(pool) < 2:
            return None
        options = _shuffle([answer, *pool], unit.id + "r")
        zh = self.language == "zh"
        if kind == "cause":
            stem = (f"师傅说“{trim_fillers(prompt)}”，这是为什么？" if zh
                    else f"The master said \"{trim_fillers(prompt)}\". Why?")
        else:
            stem = (f"师傅说，遇到“{trim_fillers(prompt)}”的时候，该怎么办？" if zh
                    else f"According to the master, what do you do when \"{trim_fillers(prompt)}\"?")
        return self._checked(unit, "single_choice", stem, options, [answer], "medium", "understand")

    def multiple_choice(self, group: Sequence[KnowledgeUnit], title: str, single: bool = False,
                        borrowed: bool = False) -> QuizItem | None:
        """'Which of these are true?' (two of the master's statements beside two of his made false in
        meaning), or with `single` 'which one is true?' (one beside three); each option cites its point."""
        want_true, want_false = (1, 3) if single else (2, 2)
        limit = 90 if self.language == "zh" else 260
        trues: list[tuple[KnowledgeUnit, str]] = []
        falses: list[tuple[KnowledgeUnit, str]] = []
        for u in group:
            if len(trues) < want_true:
                s = self.statement(u)
                if s is not None and not s.endswith("…"):
                    trues.append((u, s))
                    continue
            if len(falses) < want_false:
                f = self.swapped(u)
                if f is not None and len(f) <= limit:
                    falses.append((u, f))
            if len(trues) == want_true and len(falses) == want_false:
                break
        if len(trues) < want_true or len(falses) < (want_false if single else 1):
            return None
        options = _shuffle([s for _, s in trues] + [s for _, s in falses], trues[0][0].id + "m")
        if len({_norm(o) for o in options}) < len(options):
            return None
        zh = self.language == "zh"
        if borrowed:  # options also from the lessons around it
            stem = (f"关于“{title}”及同一模块的内容，{'下面哪一种说法' if single else '以下哪些说法'}符合师傅讲的？"
                    f"{'' if single else '（多选）'}" if zh else
                    f"About {title} and the lessons around it: which {'one of these agrees' if single else 'of these agree'}"
                    f" with what the master said?{'' if single else ' (choose all that apply)'}")
        elif single:
            stem = (f"关于“{title}”，下面哪一种说法符合师傅讲的？" if zh
                    else f"About {title}: which one of these agrees with what the master said?")
        else:
            stem = (f"关于“{title}”，以下哪些说法符合师傅讲的？（多选）" if zh
                    else f"About {title}: which of these agree with what the master said? (choose all that apply)")
        if self.panel:  # statements of several speakers
            stem = credited(stem, "各位嘉宾" if zh else "the speakers")
        item = self._item(trues[0][0], "single_choice" if single else "multiple_choice", stem, options,
                          [s for _, s in trues], "medium", "understand")
        # every option comes from a point it cites: the true ones as said, the false ones changed in meaning
        item.citations = [c.model_copy() for u, _ in trues + falses for c in u.citations]
        sep = "；" if zh else " "
        item.explanation = sep.join(explanation(u, self.language) for u, _ in trues + falses)
        return item if supported(item) else None

    def short_answer(self, unit: KnowledgeUnit) -> QuizItem | None:
        """An open question on a rule, step, warning, number or tip, answered by the master's words."""
        if unit.kind not in _ASKABLE or not _checkable(unit.text, self.language):
            return None
        topic = next((t for t in unit.terms if _blankable(t, unit.text) and _concept_term(t)), None)
        if topic is None:
            return None
        zh = self.language == "zh"
        ask = {
            "step": ("做到“{t}”这一步时，师傅是怎么做的？", "How does the master go about {t}?"),
            "warning": ("关于“{t}”，师傅提醒要注意什么？", "What does the master warn about {t}?"),
            "rule": ("关于“{t}”，师傅定下了什么规矩？", "What rule does the master give about {t}?"),
            "tip": ("关于“{t}”，师傅分享了什么窍门？", "What tip does the master share about {t}?"),
            "measurement": ("关于“{t}”，师傅给出的关键数值是什么？", "What number does the master give for {t}?"),
            "definition": ("师傅是怎么解释“{t}”的？", "How does the master explain {t}?"),
        }[unit.kind]
        stem = (ask[0] if zh else ask[1]).format(t=topic)
        bloom = "apply" if unit.kind == "step" else "understand"
        return self._item(unit, "short_answer", stem, [], [unit.text], "hard", bloom)

    def _checked(self, unit: KnowledgeUnit, kind: str, stem: str, options: list[str], answer: list[str],
                 difficulty: str, bloom: str) -> QuizItem | None:
        """The item when its cited quote backs its key (the validator's test), else none."""
        item = self._item(unit, kind, stem, options, answer, difficulty, bloom)
        return item if supported(item) else None


_QUOTED = re.compile(r"(“[^”]*”|\"[^\"]*\")")


def credited(stem: str, who: str) -> str:
    """A stem naming who said it ("嘉宾3说过…") where the template says "师傅" / "the master"; the quoted
    words stay as said."""
    parts = _QUOTED.split(stem)
    return "".join(p if _QUOTED.fullmatch(p) else p.replace("师傅", who).replace("the master", who) for p in parts)


def _number_in(option: str, quote: str) -> bool:
    """True when an option's number already stands in the sentence (it would give the blank away)."""
    m = _NUM.search(option)
    return option in quote or (m is not None and re.search(rf"(?<![0-9.,]){re.escape(m.group())}(?![0-9]|[.,][0-9])",
                                                           quote) is not None)


def _same_form(other: str, key: str) -> str:
    """Another amount written in the key's form: its number with the key's unit ("17,000 volts" -> "17,000 volt")."""
    a, b = _NUM.search(other), _NUM.search(key)
    if a is None or b is None:
        return other
    return key[:b.start()] + a.group() + key[b.end():]


def _same_stem(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a.isascii() and b.isascii() and len(a) >= 4 and len(b) >= 4 and a[:4] == b[:4] and \
        (a[:5] == b[:5] or min(len(a), len(b)) <= 5)


def _blankable(term: str, sentence: str) -> bool:
    """A key term can be blanked when it names a thing (not an action) where it stands."""
    if not term.isascii():
        at = sentence.find(term)
        # a whole word only: blanking "刹车" out of "刹车片" leaves "____片"
        return is_thing(term) and at >= 0 and {at, at + len(term)} <= word_bounds(sentence)
    at = sentence.lower().find(term.lower())
    if term.islower() and term.endswith(("ed", "ly")):
        return False  # "interested", "really": how something is, not a thing
    return at >= 0 and not _VERB_BEFORE.search(sentence[:at])


def _same_kind_of_thing(key: str, other: str) -> bool:
    """A distractor is a thing like the key, and not its category or a kind of it (焊条: not 焊材, 工件: not 铝件)."""
    if key.isascii() or other.isascii():
        if other.islower() and other.endswith(("ed", "ly")):
            return False  # "closed", "really": not things
        people = re.compile(r"(?:man|men|person|people|worker|customer|partner)$", re.I)
        return key.isascii() == other.isascii() and bool(people.search(key)) == bool(people.search(other))
    if not is_thing(other):
        return False
    if other in _PEOPLE_WORDS:
        return False
    if other[-1] in _ACTION_END and key[-1] not in _ACTION_END:
        return False  # a way of working (冷焊, 气保焊) is no answer where a thing (焊缝) is asked
    if key[-1] == other[-1] and (key[0] in _GENERIC_HEAD or other[0] in _GENERIC_HEAD):
        return False  # same head word under a general one: 铝件 is a 工件
    if other[-1] in _PEOPLE_END and key[-1] not in _PEOPLE_END:
        return False  # a person is no answer where a thing is asked
    return not (other[-1] in _CATEGORY_END and set(key) & set(other))


def _sibling(a: str, b: str) -> bool:
    """Two things of one sort: the same head word under different names (碳钢 and 不锈钢, 刹车片 and 刹车盘)."""
    return not a.isascii() and a[-1] == b[-1] and len(a) >= 2 and len(b) >= 2


def _kinship(a: str, b: str) -> int:
    """How alike two terms look: shared characters for Chinese, shared prefix/suffix letters for English."""
    if not (a.isascii() and b.isascii()):
        return len(set(a) & set(b))
    a, b = a.lower(), b.lower()
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return min(prefix, 3) + int(a[-2:] == b[-2:])


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.lower())


def _shuffle(options: list[str], seed: str) -> list[str]:
    return sorted(options, key=lambda o: _stable(seed, o))


# --- what a sentence teaches -------------------------------------------------------------

_PRESCRIPTIVE = PRESCRIPTIVE
_CONDITION = re.compile(r"如果|要是|一旦|万一|遇到|碰到|发现|的时候|\bif\b|\bwhen(?:ever)?\b", re.I)
_ASKABLE = {"step", "warning", "rule", "tip", "measurement", "definition"}
_PUNCT = re.compile(r"[\s\W_]+")
_END = r"[。！？；!?;.]*\s*$"
# (kind, pattern, which group is asked about, which group answers) — a cause, or what to do when
_RELATIONS_ZH = [
    ("cause", re.compile(r"^(?:因为|由于)(?P<a>[^，。！？；]{4,40})[，,]\s*(?:所以|因此)?(?P<p>[^。！？；]{4,50})" + _END)),
    ("cause", re.compile(r"^(?P<p>[^。！？；]{6,50}?)[，,]\s*(?:是)?因为(?P<a>[^。！？；]{4,40})" + _END)),
    ("cause", re.compile(r"^(?P<p>[^。！？；]{6,50}?)[，,]\s*(?P<a>(?:不然|否则|要不然|免得|以免)[^。！？；]{4,40})" + _END)),
    ("action", re.compile(r"^(?:如果|要是|一旦|万一|遇到|碰到)(?P<p>[^，。！？；]{3,30})[，,]\s*(?P<a>[^。！？；]{4,45})" + _END)),
]
_RELATIONS_EN = [
    ("cause", re.compile(r"^(?P<p>[^.!?;]{20,180}?),? because (?P<a>[^.!?;]{12,160})" + _END, re.I)),
    ("cause", re.compile(r"^(?P<p>[^.!?;]{20,180}?),? so that (?P<a>[^.!?;]{12,160})" + _END, re.I)),
    ("action", re.compile(r"^(?:if|when|whenever) (?P<p>you [^,.!?;]{8,120}), (?:then )?(?P<a>[^.!?;]{12,160})" + _END,
                          re.I)),
]


def relation_of(text: str, language: str) -> tuple[str, str, str] | None:
    """(kind, what is asked about, the master's answer) of the first sentence that gives a cause
    ("…，因为…", "… because …") or says what to do when something happens ("如果…，就…")."""
    for a, b in _sentences(text):
        sentence = trim_lead_words(text[a:b].strip())
        if not checkable(sentence, language):
            continue
        for kind, pattern in _RELATIONS_ZH if language == "zh" else _RELATIONS_EN:
            m = pattern.match(sentence)
            if m and not _has_filler(m.group("a")) and not _LEANS_BACK.match(m.group("p")):
                return kind, m.group("p").strip(" ，,"), m.group("a").strip(" ，,")
    return None


_ZH_STEP = re.compile(r"第[一二三四五六七八九十]步[，,：:]?|首先|(?<![事预原优])先(?=[把用将看拿给打设开关])|然后|接着|再(?=[把用将拿放看打给开关])|最后")
_EN_STEP = re.compile(r"\b(?:first|then|next|after that|finally)\b,?\s*", re.I)


def swapped_steps(sentence: str, language: str) -> str | None:
    """The sentence with its first two steps in the wrong order ("先A，然后B" -> "先B，然后A")."""
    marks = list((_ZH_STEP if language == "zh" else _EN_STEP).finditer(sentence))
    if len(marks) < 2 or not re.match(r"第一步|首先|先|first", marks[0].group(), re.I):
        return None
    end2 = marks[2].start() if len(marks) > 2 else len(sentence.rstrip("。！？.!?"))
    one = sentence[marks[0].end():marks[1].start()]
    two = sentence[marks[1].end():end2]
    tail1 = re.search(r"[，,、；;\s]*$", one).group()  # type: ignore[union-attr]
    tail2 = re.search(r"[，,、；;\s]*$", two).group()  # type: ignore[union-attr]
    one_core, two_core = one[:len(one) - len(tail1)], two[:len(two) - len(tail2)]
    if min(len(one_core), len(two_core)) < 3 or _norm(one_core) == _norm(two_core):
        return None
    return (sentence[:marks[0].end()] + two_core + tail1 + sentence[marks[1].start():marks[1].end()]
            + one_core + tail2 + sentence[end2:])


# The opposite of what the master said: first cue that matches, said the other way round.
_OPPOSITES_ZH = [
    (re.compile(r"千万不要|千万别|千万不能|绝对不能|绝对不要|严禁|禁止|不许"), "可以"),
    (re.compile(r"一定要|必须要?|务必"), "不必"),
    (re.compile(r"(?<!要)不要"), "要"),
    (re.compile(r"不能"), "可以"),
    (re.compile(r"别(?=[去把让用碰动加开拿站])"), "要"),
    (re.compile(r"就会"), "就不会"),
    (re.compile(r"容易"), "不容易"),
]
_OPPOSITES_EN = [
    (re.compile(r"\bnever\b", re.I), "always"),
    (re.compile(r"\balways\b", re.I), "never"),
    (re.compile(r"\b(must|should|can|could|will|would|do|does|did) not\b", re.I), r"\1"),
    # "It doesn't mean that…" -> "It does mean that…": the verb stays, only the "not" goes
    (re.compile(r"\b(do|does|did)n['’]t(?=\s+(?!know|think|remember|recall|believe))", re.I), r"\1"),
    (re.compile(r"\b(?:can't|cannot)\b", re.I), "can"),
    (re.compile(r"\bmust\b", re.I), "need not"),
    (re.compile(r"\bshould\b", re.I), "should not"),
    # a statement of how things are (not a recollection: "Peter was a fast implementer" tests gossip), on its
    # first verb: "It's very like this is the center" has no "is" to deny
    (re.compile(r"^((?:(?!\b(?:is|are|was|were)\b|['’](?:s|re)\b).)*?)\b(is|are)\b(?! not\b)(?=\s+(?:a|an|the|very|more|less|much|too|not|easy|hard|"
                r"important|possible|better|worse|\w+er|\w+ly|\w+ed|\w+ble)\b)", re.I), r"\1\2 not"),
]


# English in the past tense tells what happened ("computers never belonged to…"): its opposite tests gossip
_PAST_EN = re.compile(r"\b\w{3,}ed\b|\b(?:thought|went|came|got|had|was|were|did|said|told|began|wrote|built|knew|made"
                      r"|took|gave|saw|felt|found|left|brought|bought|ran|sat|spent)\b", re.I)


def opposite(sentence: str, language: str) -> str | None:
    """The sentence saying the opposite (必须 -> 不必, never -> always, is -> is not), or None: never of
    a recollection, whose opposite tests gossip ("Peter was not a fast implementer")."""
    if recollection(sentence) or (language != "zh" and _PAST_EN.search(sentence)):
        return None
    for pattern, repl in _OPPOSITES_ZH if language == "zh" else _OPPOSITES_EN:
        m = pattern.search(sentence)
        if m:
            out = sentence[:m.start()] + m.expand(repl) + sentence[m.end():]
            return out if _norm(out) != _norm(sentence) else None
    return None


def _shown(sentence: str) -> str:
    """A statement as a learner reads it: no opening filler ("还有就是", "Well,"), no fillers inside."""
    out = trim_fillers(trim_lead_words(sentence[trim_lead(sentence, 0, len(sentence)):].strip()))
    return out[:1].upper() + out[1:] if sentence.lstrip()[:1].isupper() else out


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b in sentence_spans(text, 0, len(text)) if text[a:b].strip()]


def _checkable(text: str, language: str) -> list[tuple[int, int]]:
    """The sentences of a point a quiz item may be made from: those that state something checkable."""
    return [(a, b) for a, b in _sentences(text) if checkable(text[a:b], language)]


def _points_back(sentence: str, language: str) -> bool:
    """True when a sentence opens by pointing back ("It…", "They…", "So this…", "他们…"): it needs the one before.
    English looks past an opening "So" / "And"; Chinese as it was said (past 然后/就是: the panels' quiz fell)."""
    s = sentence.strip()
    return _LEANS_BACK.match(s if language == "zh" else trim_lead_words(s)) is not None


def _has_filler(text: str) -> bool:
    return _PUNCT.sub("", trim_fillers(text)).lower() != _PUNCT.sub("", text).lower()


def trim_lead_words(text: str) -> str:
    """A sentence without the fillers it opens with ("那个……", "um, ")."""
    return re.sub(r"^(?:\s*(?:嗯|啊|呃|那个|这个|就是说?|然后|所以说?|还有就是|还有|另外|um+|uh+|well|so|and)(?![A-Za-z])[，,…\s.]*)+",
                  "", text, flags=re.I) or text


def _clean_window(sentence: str, x: int, y: int, language: str) -> tuple[int, int] | None:
    """The clauses around text[x:y] that hold no filler ("那个", "um"): a stem as a reader should see it."""
    clauses = clause_spans(sentence, 0, len(sentence)) or [(0, len(sentence))]
    at = next((k for k, (a, b) in enumerate(clauses) if a <= x < b), None)
    if at is None or _has_filler(sentence[clauses[at][0]:clauses[at][1]]):
        return None
    limit = 70 if language == "zh" else 220
    lo = hi = at
    while lo > 0 and not _has_filler(sentence[slice(*clauses[lo - 1])]) and clauses[hi][1] - clauses[lo - 1][0] <= limit:
        lo -= 1
    while hi + 1 < len(clauses) and not _has_filler(sentence[slice(*clauses[hi + 1])]) \
            and clauses[hi + 1][1] - clauses[lo][0] <= limit:
        hi += 1
    p, q = clauses[lo][0], clauses[hi][1]
    lead = len(sentence[p:x]) - len(trim_lead_words(sentence[p:x]))
    p += lead if lead < x - p else 0
    shown = sentence[p:q]
    if not _long_enough(shown.replace(sentence[x:y], ""), language):
        return None  # a blank in a stub: too little said around it
    return p, q


def _long_enough(text: str, language: str) -> bool:
    if language == "zh":
        return sum(1 for ch in text if is_cjk(ch)) >= 8
    return len(re.findall(r"[A-Za-z0-9']+", text)) >= 6


def _concept_term(term: str) -> bool:
    """A term worth a blank: a thing of the trade or jargon (PDP-7, BCPL), not a name or a common word."""
    if term.isascii():
        return any(c.isdigit() for c in term) or (term.isupper() and len(term) >= 2)
    if term in _PEOPLE_WORDS or term[-1] in _PEOPLE_END:
        return False
    return not is_name(term)


def write_quiz(
    units_by_lesson: Sequence[tuple[str, Sequence[KnowledgeUnit]]],
    all_units: Sequence[KnowledgeUnit],
    language: str,
    target: int,
    id_prefix: str = "q",
    panel: bool = False,
) -> list[QuizItem]:
    """Up to `target` items spread over lessons, rotating item types; stems never repeat.

    Every lesson gets a question (up to 10 lessons) even where `target` is smaller; when there are
    more lessons than items, the items are spread over the whole course, not its first lessons."""
    writer = QuizWriter(all_units, language, id_prefix, panel)
    # quiz on the surest know-how: the points the selection ranks highest, one item each, never a story or the
    # speaker's life; a short course that cannot fill the quiz so asks about every point, then twice about one
    taught = [u for _, units in units_by_lesson for u in units]
    items: list[QuizItem] = []
    for size, per_point in ((math.ceil(QUIZ_POOL * target), 1), (len(taught), 1), (len(taught), 2)):
        pool = best_points(taught, size)
        chosen = [(title, [u for u in units if u.id in pool]) for title, units in units_by_lesson]
        attempt = _write(writer, chosen, target, id_prefix, per_point)
        if len(attempt) > len(items):
            items = attempt
        if len(items) >= target:
            break
    return items


def _write(writer: QuizWriter, units_by_lesson: Sequence[tuple[str, Sequence[KnowledgeUnit]]], target: int,
           id_prefix: str, per_point: int) -> list[QuizItem]:
    lessons = [(n, title, units) for n, (title, units) in enumerate(units_by_lesson) if units]
    target = max(target, min(len(lessons), 10))
    visit = _spread(len(lessons), target)
    written: list[tuple[int, int, QuizItem]] = []
    stems: set[str] = set()
    option_sets: set[frozenset[str]] = set()
    said: list[frozenset[str]] = []  # the statements of the true/false items so far
    used_units: Counter[str] = Counter()  # how many items each point is in
    plan = list(PLAN)
    rounds = 0
    # round-robin over lessons so every lesson gets questions before any gets many
    while len(written) < target and rounds < 4 * target:
        progressed = False
        for step, li in enumerate(visit):
            if len(written) >= target:
                break
            n, title, lesson_units = lessons[li]
            ranked = sorted(lesson_units, key=lambda u: (-u.score, u.turn_index))
            kind = plan[(rounds + step) % len(plan)]
            near = [u for _, _, other in lessons if other is not lesson_units for u in other
                    if u.module == ranked[0].module]

            def new(item: QuizItem) -> bool:  # not the same question, nor the same statements again
                options = frozenset(_norm(o) for o in item.options) if item.type != "true_false" else frozenset()
                # nor one sentence asked both as said and made false: the pair gives its own answer away
                # (a blank counts too: "a plug for ____" then "a plug for 220 volts: true or false?")
                twin = _quotes_a_sentence(item) and _twin(_said_words(item), said)
                return _norm(item.stem) not in stems and not (options and options in option_sets) and not twin

            item = None
            # this lesson cannot do that type: try the others; "the master said X: true" for at most half
            # the quiz (a quiz of true statements teaches the learner to answer true)
            trues = sum(1 for _, _, w in written if _said_true(w))
            for other in [kind, *plan]:
                if other == "tf_true" and trues >= target / 2:
                    continue
                item = _one_item(writer, other, ranked, used_units, title, near, new, per_point)
                if item is not None:
                    break
            if item is None:
                continue
            stems.add(_norm(item.stem))
            if item.type != "true_false":
                option_sets.add(frozenset(_norm(o) for o in item.options))
            if _quotes_a_sentence(item):
                said.append(_said_words(item))
            written.append((n, rounds, item))
            progressed = True
        rounds += 1
        if not progressed:
            break
    items = [item for _, _, item in sorted(written, key=lambda w: (w[0], w[1]))]  # in course order
    # the cap above counts against the quiz asked for; one that came out shorter keeps it too
    while sum(_said_true(i) for i in items) * 2 > len(items):
        items.remove(next(i for i in reversed(items) if _said_true(i)))
    for k, item in enumerate(items, 1):
        item.id = f"{id_prefix}{k}"
    return items


def _quotes_a_sentence(item: QuizItem) -> bool:
    """A true/false statement or a blank in a sentence of the master's: items one sentence can make twice."""
    return item.type == "true_false" or BLANK in item.stem


def _said_words(item: QuizItem) -> frozenset[str]:
    """The words (Chinese: characters) of the statement a true/false item quotes."""
    quoted = _QUOTED.findall(item.stem)
    text = (quoted[-1] if quoted else item.stem).lower()
    return frozenset(re.findall(r"[a-z0-9']+|[^\W\d_a-z]", text))


def _twin(words: frozenset[str], said: Sequence[frozenset[str]]) -> bool:
    """True when a statement is one already asked, as said or made false (seven in ten of the words of the
    two together are in both: an amount, a "not", "never" for "always" is all that differs)."""
    return any(len(words & w) >= 0.7 * len(words | w) for w in said)


def _said_true(item: QuizItem) -> bool:
    """A "the master said X: true" item."""
    return item.type == "true_false" and item.answer == ["true"]


# The order item types are tried in, each lesson starting one further: concepts (a number, a cause or
# what to do when, statements true or false in meaning), then open questions. A blank on a term
# ("term") tests wording more than understanding: only offered when a trainer regenerates an item.
PLAN = ("number", "multi", "relation", "tf_false", "one_true", "tf_true", "multi", "short")


QUIZ_POOL = 2  # points offered per quiz item: not every point makes an item of every type


def best_points(units: Sequence[KnowledgeUnit], size: int) -> set[str]:
    """Ids of the `size` points a quiz asks about: the most teachable by the selection's score (the chance
    the point holds know-how), never a story, nor a point told about the speaker's own past."""
    askable = [u for u in units if u.kind != "story" and not tells_a_story(u.text)]
    ranked = sorted(askable, key=lambda u: (-u.score, u.turn_index))
    return {u.id for u in ranked[:max(size, 3)]}


def _spread(n: int, k: int) -> list[int]:
    """Lesson indexes to visit: k of n spread evenly over the course first, then the rest."""
    first = list(dict.fromkeys(min(n - 1, (j * n) // k) for j in range(min(k, n)))) if n else []
    return first + [i for i in range(n) if i not in first]


def _one_item(writer: QuizWriter, kind: str, units: Sequence[KnowledgeUnit], used: Counter[str],
              title: str, near: Sequence[KnowledgeUnit] = (),
              new: Callable[[QuizItem], bool] = lambda item: True, per_point: int = 1) -> QuizItem | None:
    if kind in ("multi", "one_true"):
        # only points not asked about yet; a short lesson borrows from the other lessons of its module,
        # and says so
        fresh = [u for u in units if not used[u.id]]  # an option seen once is not offered again
        spare = [u for u in near if not used[u.id]]
        item = writer.multiple_choice(fresh, title, kind == "one_true") if len(fresh) >= 3 else None
        if (item is None or not new(item)) and spare:
            item = writer.multiple_choice([*fresh, *spare], title, kind == "one_true", borrowed=True)
        if item is not None and not new(item):
            return None
        if item is not None:
            starts = {d.start for d in item.citations}
            used.update(u.id for u in [*fresh, *spare] if any(c.start in starts for c in u.citations))
        return item
    # points not asked about yet first, and no point in more items than allowed
    for unit in sorted(units, key=lambda u: used[u.id] > 0):
        if used[unit.id] >= per_point:
            continue
        if kind == "number":
            item = writer.cloze_number(unit)
        elif kind == "relation":
            item = writer.relation(unit, writer.units)
        elif kind == "term":
            item = writer.cloze_term(unit)
        elif kind in ("tf_true", "tf_false"):
            item = writer.true_false(unit, kind == "tf_true")
        else:
            item = writer.short_answer(unit)
        if item is not None and new(item):
            used[unit.id] += 1
            return item
    return None


def citation_of(unit: KnowledgeUnit) -> Citation:
    return unit.citations[0]
