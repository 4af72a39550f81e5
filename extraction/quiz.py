"""Quiz items from knowledge units: cloze choices on numbers and key terms (distractors of the
same kind from the same transcript), true/false by swapping a number or term, multiple choice
over a lesson's statements, and short answers whose reference is the master's quote."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from extraction.course import KnowledgeUnit, QuizItem
from extraction.units import is_thing, quantities, word_bounds
from rag.language import is_cjk
from shifu.models import Citation, Transcript
from shifu.timecode import clock

BLANK = "____"
_NUM = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
# Numbers a trainer would not quiz: years, ages, durations of a life or a career, head counts.
_TRIVIA_UNITS = {"year", "年", "岁", "个月", "天", "周", "day", "week", "month", "people", "user", "machine", "copie",
                 "word", "line", "time", "遍", "道", "层"}
# The number before "到 / - / to" of a range ("30到40安培"): blanking only its end would read badly.
_RANGE_HEAD = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十百]+)\s*(?:到|至|~|～|-|–|to)\s*$", re.I)
# Last characters of category words (焊材, 材料, 用品): a category is also right for its member.
_CATEGORY_END = set("材料品物类具件器西")
# A sentence that opens by pointing back ("They…", "It…", "他们…") needs the one before to be understood
_LEANS_BACK = re.compile(r"\W*(?:they|it|that|this|these|those|he|she|him|them)\b|\W*(?:他们|她们|它们|他|她|它|这样|那样)", re.I)
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

    def __init__(self, units: Sequence[KnowledgeUnit], language: str, id_prefix: str = "q") -> None:
        self.units = list(units)
        self.language = language
        self.prefix = id_prefix
        self.amounts: dict[str, list[str]] = {}
        for u in self.units:
            for x, y, unit in quantities(u.text):
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
        return QuizItem(id="", type=kind, stem=stem, options=options, answer=answer,  # type: ignore[arg-type]
                        explanation=explanation(unit, self.language), difficulty=difficulty, bloom=bloom,
                        citations=[c.model_copy() for c in unit.citations])  # skills: proposed after the draft

    def cloze_number(self, unit: KnowledgeUnit) -> QuizItem | None:
        found = [(x, y, un) for x, y, un in quantities(unit.text)
                 if un not in _TRIVIA_UNITS and not _RANGE_HEAD.search(unit.text[:x])]
        if not found:
            return None
        x, y, un = found[0]
        value = unit.text[x:y]
        wrong = self.number_distractors(value, un, unit.text)
        if len(wrong) < 2:
            return None
        sentence = unit.text[:x] + BLANK + unit.text[y:]
        options = _shuffle([value, *wrong], unit.id)
        stem = (f"根据师傅的说法，填空：“{sentence}”" if self.language == "zh"
                else f"Fill in the blank, as the master said it: \"{sentence}\"")
        return self._item(unit, "single_choice", stem, options, [value], "medium", "remember")

    def cloze_term(self, unit: KnowledgeUnit) -> QuizItem | None:
        for term in unit.terms:
            if unit.text.count(term) != 1 or not _blankable(term, unit.text):
                continue
            wrong = self.term_distractors(term, unit.text)
            if len(wrong) < 3:
                continue
            sentence = unit.text.replace(term, BLANK, 1)
            options = _shuffle([term, *wrong], unit.id)
            stem = (f"根据师傅的说法，填空：“{sentence}”" if self.language == "zh"
                    else f"Fill in the blank, as the master said it: \"{sentence}\"")
            return self._item(unit, "single_choice", stem, options, [term], "easy", "remember")
        return None

    def swapped(self, unit: KnowledgeUnit) -> str | None:
        """The unit's sentence with one number or key term swapped for another of its kind (now false)."""
        for x, y, un in quantities(unit.text):
            if un in _TRIVIA_UNITS or _RANGE_HEAD.search(unit.text[:x]):
                continue
            wrong = self.number_distractors(unit.text[x:y], un, unit.text, n=1)
            if wrong:
                return unit.text[:x] + wrong[0] + unit.text[y:]
        for term in unit.terms:
            if unit.text.count(term) == 1 and _blankable(term, unit.text):
                # a swapped-in word of another length reads wrong at a glance ("电弧焊大用13号")
                wrong = [w for w in self.term_distractors(term, unit.text)
                         if term.isascii() or (len(w) == len(term) and _kinship(term, w) > 0)][:1]
                if wrong:
                    return unit.text.replace(term, wrong[0], 1)
        return None

    def true_false(self, unit: KnowledgeUnit, want_true: bool) -> QuizItem | None:
        statement = unit.text if want_true else self.swapped(unit)
        if statement is None:
            return None
        stem = (f"判断正误：师傅说过“{statement}”" if self.language == "zh"
                else f"True or false: the master said \"{statement}\"")
        item = self._item(unit, "true_false", stem, ["true", "false"], ["true" if want_true else "false"],
                          "easy", "remember" if want_true else "understand")
        return item

    def multiple_choice(self, group: Sequence[KnowledgeUnit], title: str) -> QuizItem | None:
        """'Which of these did the master say about <lesson>?': true statements and swapped ones."""
        limit = 70 if self.language == "zh" else 220
        short = [u for u in group if len(u.text) <= limit]
        trues = short[:2]
        falses: list[tuple[KnowledgeUnit, str]] = []
        for u in short[2:] + short[:2]:
            s = self.swapped(u)
            if s is not None and u not in [f[0] for f in falses]:
                falses.append((u, s))
            if len(falses) == 2:
                break
        if len(trues) < 2 or len(falses) < 1:
            return None
        options = _shuffle([u.text for u in trues] + [s for _, s in falses], trues[0].id + "m")
        if len({_norm(o) for o in options}) < len(options):
            return None
        stem = (f"关于“{title}”，以下哪些是师傅的原话？（多选）" if self.language == "zh"
                else f"About {title}: which of these did the master actually say? (choose all that apply)")
        first = trues[0]
        item = self._item(first, "multiple_choice", stem, options, [u.text for u in trues], "medium", "understand")
        item.citations = [c.model_copy() for u in trues for c in u.citations] + \
                         [c.model_copy() for u, _ in falses for c in u.citations]
        item.explanation = "；".join(explanation(u, self.language) for u in trues) if self.language == "zh" \
            else " ".join(explanation(u, self.language) for u in trues)
        return item

    def short_answer(self, unit: KnowledgeUnit) -> QuizItem | None:
        # the topic is a thing named in the sentence, not a person ("What number does the master give for Doug?")
        topic = next((t for t in unit.terms if _blankable(t, unit.text) and not (t.isascii() and t.istitle())), None)
        if topic is None:
            return None
        if unit.kind == "measurement" and all(un in _TRIVIA_UNITS for _, _, un in quantities(unit.text)):
            return None
        zh = self.language == "zh"
        ask = {
            "step": ("做到“{t}”这一步时，师傅是怎么做的？", "How does the master go about {t}?"),
            "warning": ("关于“{t}”，师傅提醒要注意什么？", "What does the master warn about {t}?"),
            "rule": ("关于“{t}”，师傅定下了什么规矩？", "What rule does the master give about {t}?"),
            "tip": ("关于“{t}”，师傅分享了什么窍门？", "What tip does the master share about {t}?"),
            "measurement": ("关于“{t}”，师傅给出的关键数值是什么？", "What number does the master give for {t}?"),
            "definition": ("师傅是怎么解释“{t}”的？", "How does the master explain {t}?"),
            "tool": ("关于“{t}”，师傅用的是什么工具或材料？", "Which tool or material does the master use for {t}?"),
        }.get(unit.kind, ("关于“{t}”，师傅是怎么说的？", "What does the master say about {t}?"))
        stem = (ask[0] if zh else ask[1]).format(t=topic)
        bloom = "apply" if unit.kind == "step" else "understand"
        return self._item(unit, "short_answer", stem, [], [unit.text], "hard", bloom)


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


def write_quiz(
    units_by_lesson: Sequence[tuple[str, Sequence[KnowledgeUnit]]],
    all_units: Sequence[KnowledgeUnit],
    language: str,
    target: int,
    id_prefix: str = "q",
) -> list[QuizItem]:
    """Up to `target` items spread over lessons, rotating item types; stems never repeat.

    Every lesson gets a question (up to 10 lessons) even where `target` is smaller; when there are
    more lessons than items, the items are spread over the whole course, not its first lessons."""
    writer = QuizWriter(all_units, language, id_prefix)
    # quiz on the surest know-how: the better half of the taught units by teachability, and of a long
    # course only the best (twice as many units as items leaves room for every item type)
    scores = sorted((u.score for _, units in units_by_lesson for u in units), reverse=True)
    floor = max(_median(scores), scores[min(2 * target, len(scores)) - 1] if scores else 0.0)
    units_by_lesson = [(title, [u for u in units if u.score >= floor]) for title, units in units_by_lesson]
    lessons = [(n, title, units) for n, (title, units) in enumerate(units_by_lesson) if units]
    target = max(target, min(len(lessons), 10))
    visit = _spread(len(lessons), target)
    written: list[tuple[int, int, QuizItem]] = []
    stems: set[str] = set()
    used_units: set[str] = set()
    plan = ["number", "term", "tf_true", "tf_false", "short", "multi"]
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
            item = _one_item(writer, kind, ranked, used_units, title)
            if item is None:
                for other in plan:  # this lesson cannot do that type: try the others
                    item = _one_item(writer, other, ranked, used_units, title)
                    if item is not None:
                        break
            if item is None or _norm(item.stem) in stems:
                continue
            stems.add(_norm(item.stem))
            written.append((n, rounds, item))
            progressed = True
        rounds += 1
        if not progressed:
            break
    items = [item for _, _, item in sorted(written, key=lambda w: (w[0], w[1]))]  # in course order
    for k, item in enumerate(items, 1):
        item.id = f"{id_prefix}{k}"
    return items


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2] if ordered else 0.0


def _spread(n: int, k: int) -> list[int]:
    """Lesson indexes to visit: k of n spread evenly over the course first, then the rest."""
    first = list(dict.fromkeys(min(n - 1, (j * n) // k) for j in range(min(k, n)))) if n else []
    return first + [i for i in range(n) if i not in first]


def _one_item(writer: QuizWriter, kind: str, units: Sequence[KnowledgeUnit], used: set[str],
              title: str) -> QuizItem | None:
    if kind == "multi":
        fresh = [u for u in units if u.id not in used and u.kind != "story"]
        item = writer.multiple_choice(fresh, title) if len(fresh) >= 3 else None
        if item is not None:
            used.update(u.id for u in fresh[:4])
        return item
    for unit in units:
        if unit.id in used or unit.kind == "story":  # the master's life story is not what a worker is tested on
            continue
        if kind in ("tf_true", "short") and _LEANS_BACK.match(unit.text):
            continue  # "They don't care…", "他们脚的感觉不灵敏…": true or false only with the sentence before
        if kind == "number":
            item = writer.cloze_number(unit)
        elif kind == "term":
            item = writer.cloze_term(unit)
        elif kind in ("tf_true", "tf_false"):
            item = writer.true_false(unit, kind == "tf_true")
        else:
            item = writer.short_answer(unit) if unit.kind not in ("fact", "story") else None
        if item is not None:
            used.add(unit.id)
            return item
    return None


def citation_of(unit: KnowledgeUnit) -> Citation:
    return unit.citations[0]
