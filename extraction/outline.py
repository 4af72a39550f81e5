"""Outline and lessons: modules from topic segments, key-phrase titles, points from knowledge
units, lesson Markdown quoting the master, and where two masters disagree."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from extraction.course import TEACHING_ORDER, KnowledgeUnit, Lesson, Module, Point, kind_label
from extraction.headline import (
    NAMED_ASPECTS,
    asked_aspect,
    asked_phrases,
    english_asked_phrase,
    headline,
    opening_question,
    ranked_phrases,
    short_question,
)
from extraction.headline import person as _person  # noqa: F401  (titles.py reads it here)
from extraction.headline import same_word as _same_word
from extraction.segment import TopicSegment
from extraction.speakers import credit_line
from extraction.units import key_terms, quantities
from shifu.models import Citation, Transcript
from shifu.timecode import clock

MAX_POINTS = 0  # per lesson; 0: no cap (extraction/selection.py sets the course's budget)


@dataclass
class TranscriptPlan:
    """What the outline needs of one transcript: the transcript, its topic segments and units."""

    transcript: Transcript
    segments: list[TopicSegment]
    units: list[KnowledgeUnit]
    left_out: list[KnowledgeUnit] = field(default_factory=list)  # candidates selection did not keep


def phrase_title(text: str, language: str, used: set[str], n: int = 2) -> str:
    """A title from the top key phrases of a text, skipping phrases other titles already use."""
    # people (店员, 顾客们) are who the lesson is for or about, not its topic
    terms = [t for t in key_terms(text, language, top=12) if t.lower() not in used and not _person(t)]
    picked: list[str] = []
    for t in terms:  # "Ground and Grounding", "焊缝与角焊缝": one word said twice is not two topics
        if len(picked) < n and not any(_same_word(t, p) for p in picked):
            picked.append(t)
    for t in picked:
        used.add(t.lower())
    if not picked:
        return ""
    if language == "zh":
        return "与".join(picked)
    return " and ".join(p if p[0].isupper() else p.capitalize() for p in picked)


def _turn_texts(t: Transcript, first: int, last: int) -> str:
    return "\n".join(turn.text for turn in t.turns[first:last])


def build_modules(plan: TranscriptPlan, language: str, used: set[str]) -> list[Module]:
    """One module per topic segment of a transcript; lessons inside; points from its units."""
    t = plan.transcript
    by_lesson: dict[tuple[int, int], list[KnowledgeUnit]] = defaultdict(list)
    for unit in plan.units:
        by_lesson[(unit.module, unit.lesson)].append(unit)
    modules = []
    for m, seg in enumerate(plan.segments):
        ranges = seg.lessons or ((seg.first, seg.last),)
        groups = [by_lesson.get((m, li), []) for li in range(len(ranges))]
        if not any(groups):
            continue  # a stretch with nothing the master taught (greetings, chat): no module
        subs = [""] * len(ranges)
        if len(ranges) > 1:  # lessons first: what was asked names a lesson best ("咬边呢？" -> 咬边)
            subs = [(question_title(t, a, b, language, used)
                     or segment_title(t, a, b, "\n".join(u.text for u in units), language, used, lesson=True))
                    if units else "" for (a, b), units in zip(ranges, groups, strict=True)]
        if len(ranges) > 1:  # a lesson with no title of its own is the rest of the lesson before it
            groups = _merged_untitled(groups, subs)
        # the module: what its kept points keep coming back to, else a short question; titles are unique
        taught = "\n".join(u.text for units in groups for u in units)
        title = (segment_title(t, seg.first, seg.last, taught, language, used)
                 or (segment_title(t, seg.first, seg.last, "", language, used, lesson=True) if len(ranges) == 1 else "")
                 or next((sub for sub, units in zip(subs, groups, strict=True) if sub and units), "")
                 or _fallback(language, m))  # "Part 5" only where no lesson of it has a title either
        used.add(title.lower())
        alone = sum(bool(units) for units in groups) == 1  # one lesson left: it is the module
        lessons = [build_lesson(sub or (title if len(ranges) == 1 or alone else
                                        f"{title}（{li + 1}）" if language == "zh" else f"{title} ({li + 1})"),
                                units, language)
                   for li, (sub, units) in enumerate(zip(subs, groups, strict=True)) if units]
        modules.append(Module(title=title, summary=_summary(lessons, language), lessons=lessons))
    return modules


def _merged_untitled(groups: list[list[KnowledgeUnit]], subs: list[str]) -> list[list[KnowledgeUnit]]:
    """The lessons of a module with each untitled one ("Graduate student (2)" would say nothing) joined to
    the titled lesson before it (the first ones to the first titled lesson after them; never to the lesson
    about the master himself). The quiz still asks lesson by lesson as they were found (unit.lesson), under
    the title of the lesson that now shows the units. All untitled: left as they are."""
    titled = [li for li, (units, sub) in enumerate(zip(groups, subs, strict=True)) if units and sub]
    hosts = [li for li in titled if subs[li] not in INTRO_TITLES]  # what he teaches is not "about the master"
    if not hosts:
        return groups
    out: list[list[KnowledgeUnit]] = [[] for _ in groups]
    for li, units in enumerate(groups):
        into = li if li in titled else max((k for k in hosts if k < li), default=hosts[0])
        out[into].extend(units)
    for units in out:
        units.sort(key=lambda u: (u.turn_index, u.citations[0].start if u.citations else 0))
    return out


# The opening question about the master himself ("您干焊工多少年了？", "tell me about yourself")
_INTRO = re.compile(r"介绍一下|多少年|您好|你好|yourself|how long have you|how did you (?:get|start)", re.I)


def question_title(t: Transcript, first: int, last: int, language: str, taken: set[str]) -> str:
    """The title of a lesson from the question that opens it: about the master himself ("师傅简介"), or in
    English the noun phrase it asks about; "" for any other lesson (`segment_title` names it, from the
    question that opens it where it can)."""
    question = t.turns[first]
    if question.role != "interviewer":
        return ""
    asks = [i for i in range(first, last) if t.turns[i].role == "interviewer" and t.turns[i - 1].role != "interviewer"]
    if (first == 0 or _INTRO.search(question.text)) and len(asks) > 1:
        return ""  # a short introduction joined to the first real question: the lesson is about that question
    if first == 0 or _INTRO.search(question.text):
        intro = INTRO_TITLES[0] if language == "zh" else INTRO_TITLES[1]
        if intro.lower() not in taken:
            taken.add(intro.lower())
            return intro
    if language == "en":
        return english_asked_phrase(question.text, _turn_texts(t, first + 1, last), taken)
    return ""


def segment_title(t: Transcript, first: int, last: int, taught: str, language: str, taken: set[str],
                  lesson: bool = False) -> str:
    """A module's or a lesson's title shaped like a headline (extraction/headline.py): the noun phrase its
    kept points keep coming back to, else the one of everything said in it; the question that opens it
    names the topic and the aspect where it can ("焊缝咬边是什么原因？" -> 焊缝咬边的原因). A lesson
    opened by a short question is titled by the question itself ("发过头了怎么办？")."""
    said = _turn_texts(t, first, last)
    question, by_interviewer = _opening_question(t, first, last)
    # "焊缝发蓝是什么原因？" -> 焊缝发蓝的原因; "什么时候需要预热？" names no thing: the question itself
    named = by_interviewer and asked_aspect(question) in NAMED_ASPECTS and bool(asked_phrases(question, said, language))
    asked = short_question(question, _turn_texts(t, first + 1, last)) if lesson and language == "zh" else ""
    if asked and by_interviewer and not named and asked.lower() not in taken:
        taken.add(asked.lower())
        return asked
    return ((headline(taught, language, taken, question, context=said, asked_topic=by_interviewer)
             if taught else "") or headline(said, language, taken, question, asked_topic=by_interviewer))


def _opening_question(t: Transcript, first: int, last: int) -> tuple[str, bool]:
    """The question that opens a stretch and whether an interviewer asked it: the interviewer's (after a
    short introduction, the real one); where nobody is marked as interviewer (a panel), the first
    question among its first turns."""
    turns = t.turns[first:last]
    asked = [turn.text for turn in turns[:4] if turn.role == "interviewer" and not _INTRO.search(turn.text)]
    if asked or any(turn.role == "interviewer" for turn in turns):
        return (asked[0] if asked else ""), True
    return opening_question([turn.text for turn in turns]), False


def _fallback(language: str, m: int) -> str:
    return f"第{m + 1}部分" if language == "zh" else f"Part {m + 1}"


def pick_points(units: Sequence[KnowledgeUnit], limit: int = MAX_POINTS) -> list[KnowledgeUnit]:
    """The most teachable units of a lesson (know-how before plain facts), in transcript order."""
    ranked = sorted(units, key=lambda u: (-u.score, u.turn_index, u.citations[0].start if u.citations else 0))
    keep = ranked[:limit] if limit else ranked
    return sorted(keep, key=lambda u: (u.citations[0].start if u.citations else 0))


def build_lesson(title: str, units: Sequence[KnowledgeUnit], language: str) -> Lesson:
    """A lesson: its points (the chosen units), objectives by kind, and Markdown quoting the master."""
    chosen = pick_points(units)
    points = [Point(kind=u.kind, text=u.text, speaker=u.speaker, citations=list(u.citations)) for u in chosen]
    speakers = {u.citations[0].quote: u.speaker for u in chosen if u.citations}
    return Lesson(title=title, objectives=lesson_objectives(title, chosen, language),
                  content_md=lesson_markdown(points, speakers, language), points=points)


# The lesson about the master himself (the opening question "您干这行多少年了？"), in Chinese and English
INTRO_TITLES = ("师傅简介", "About the master")


def lesson_objectives(title: str, units: Sequence[KnowledgeUnit], language: str) -> list[str]:
    kinds = {u.kind for u in units}
    zh = language == "zh"
    out = []
    if "step" in kinds:
        out.append(f"按师傅讲的步骤完成“{title}”相关的操作" if zh else f"Follow the master's steps for {title}")
    if "warning" in kinds and "rule" in kinds:
        out.append(f"说出“{title}”中必须遵守的规矩和安全注意事项" if zh
                   else f"State the rules and warnings the master gives about {title}")
    elif "rule" in kinds:  # no safety promised where the master gave none
        out.append(f"说出“{title}”中必须遵守的规矩" if zh else f"State the rules the master gives about {title}")
    elif "warning" in kinds:
        out.append(f"说出“{title}”的安全注意事项" if zh else f"State the warnings the master gives about {title}")
    if "measurement" in kinds:
        out.append(f"记住“{title}”的关键数值" if zh else f"Recall the key numbers for {title}")
    if "tool" in kinds or "definition" in kinds:
        out.append(f"认识“{title}”涉及的工具和概念" if zh else f"Recognise the tools and terms of {title}")
    if not out and title in INTRO_TITLES:
        out.append("了解师傅的从业经历和所做的工作" if zh else "Know who the master is and the work they do")
    elif not out:
        out.append(f"理解师傅关于“{title}”的经验" if zh else f"Explain what the master says about {title}")
    return out


def lesson_markdown(points: Sequence[Point], speakers: dict[str, str], language: str) -> str:
    """Markdown: points grouped by kind, each with the master's words as a blockquote."""
    lines: list[str] = []
    for kind in [*TEACHING_ORDER, "disagreement"]:
        group = [p for p in points if p.kind == kind]
        if not group:
            continue
        lines.append(f"### {kind_label(kind, language)}")
        lines.append("")
        for p in group:
            for c in p.citations:
                lines.append("> " + _one_line(c.quote))
                who = speakers.get(c.quote, "")
                when = clock(c.t_start)
                credit = "，".join(x for x in (who, when) if x) if language == "zh" else ", ".join(x for x in (who, when) if x)
                if credit:
                    lines.append(">")
                    lines.append(f"> —— {credit}" if language == "zh" else f"> — {credit}")
                lines.append("")
            if p.kind == "disagreement":
                lines.append(p.text)
                lines.append("")
    return "\n".join(lines).strip() + "\n"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _summary(lessons: Sequence[Lesson], language: str) -> str:
    counts: dict[str, int] = defaultdict(int)
    for lesson in lessons:
        for p in lesson.points:
            counts[p.kind] += 1
    parts = [f"{kind_label(k, language)} {counts[k]}" for k in TEACHING_ORDER if counts.get(k)]
    if language == "zh":
        return f"{len(lessons)} 课，" + "、".join(parts)
    return f"{len(lessons)} lesson(s): " + ", ".join(parts)


# --- several masters ------------------------------------------------------------------

_NEVER = re.compile(r"千万(?:别|不要|不能)|不要|不能|绝对不|\bnever\b|don'?t|do not", re.I)
_ALWAYS = re.compile(r"一定要|必须|务必|总是|永远|每次都|\balways\b|\bmust\b|make sure", re.I)


def _value(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def disagreements(plans: Sequence[TranscriptPlan], language: str, limit: int = 6) -> list[Point]:
    """Points where masters of different interviews give different numbers for the same thing,
    or one says never where another says always."""
    found: list[Point] = []
    seen: set[tuple[str, str]] = set()
    for i, a in enumerate(plans):
        for b in plans[i + 1:]:
            for u in a.units:
                for v in b.units:
                    shared = set(u.terms) & set(v.terms)
                    if not shared or (u.id, v.id) in seen:
                        continue
                    why = _conflict(u, v)
                    if why is None:
                        continue
                    seen.add((u.id, v.id))
                    topic = sorted(shared)[0]
                    found.append(Point(kind="disagreement", text=_disagreement_text(topic, why, u, v, language),
                                       citations=[*u.citations, *v.citations]))
                    if len(found) >= limit:
                        return found
    return found


def _measured(u: KnowledgeUnit) -> list[tuple[str, str, str]]:
    """(unit, value, what it measures) for each number of a sentence; `what` is the clause before the
    number ("层间温度不能超过150度" -> 度, 150度, 层间温度不能超过)."""
    out = []
    for x, y, unit in quantities(u.text):
        if unit == "year":
            continue
        clause = re.split(r"[，。；：,;:!?！？]", u.text[max(0, x - 30):x])[-1]
        out.append((unit, _value(u.text[x:y]), clause.lower()))
    return out


def _same_thing(a: str, b: str, terms: set[str]) -> bool:
    """Two clauses speak of the same thing: much of their wording shared, a little less with a shared key term."""
    term = any(t.lower() in a and t.lower() in b for t in terms)
    if a.isascii() and b.isascii():
        wa, wb = set(re.findall(r"[a-z]{3,}", a)), set(re.findall(r"[a-z]{3,}", b))
        return len(wa & wb) >= (2 if term else 3)
    ga, gb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return len(ga & gb) >= (3 if term else 4)


def _conflict(u: KnowledgeUnit, v: KnowledgeUnit) -> str | None:
    # two numbers disagree only when they measure the same thing: a shared term stands just before both
    shared = set(u.terms) & set(v.terms)
    for unit_u, value_u, what_u in _measured(u):
        for unit_v, value_v, what_v in _measured(v):
            if unit_u == unit_v and value_u != value_v and _same_thing(what_u, what_v, shared):
                return "number"
    if (_NEVER.search(u.text) and _ALWAYS.search(v.text)) or (_ALWAYS.search(u.text) and _NEVER.search(v.text)):
        if len(set(u.terms) & set(v.terms)) >= 2:
            return "never-always"
    return None


def _disagreement_text(topic: str, why: str, u: KnowledgeUnit, v: KnowledgeUnit, language: str) -> str:
    if language == "zh":
        kind = "给出的数值不同" if why == "number" else "一位说一定要、另一位说不要"
        return f"关于“{topic}”，两位师傅{kind}：{u.speaker}说“{u.text}”，{v.speaker}说“{v.text}”。请培训师向师傅核实。"
    kind = "give different numbers" if why == "number" else "one says always where the other says never"
    return (f"On {topic}, the masters {kind}: {u.speaker} said \"{u.text}\" while {v.speaker} said \"{v.text}\". "
            "Check with them before teaching it.")


def disagreement_module(points: Sequence[Point], language: str) -> Module:
    """A module that lays the masters' disagreements side by side."""
    title = "师傅们说法不同的地方" if language == "zh" else "Where the masters disagree"
    lesson = Lesson(title=title, objectives=[("比较两位师傅的做法，知道哪里需要向师傅确认" if language == "zh"
                                             else "Compare the masters' practices and know what to confirm")],
                    content_md=lesson_markdown(points, {}, language), points=list(points))
    return Module(title=title, summary=_summary([lesson], language), lessons=[lesson])


_SAID_OFTEN = 3  # a title word the masters say this often names what they talk about
_INTERVIEW_WORDS = re.compile(r"老师傅|老师父|访谈录|访谈|整理稿|实录|记录稿")


def named_by_trainer(t: Transcript) -> bool:
    """A title a person wrote (in the file or as its name), not a file slug standing in for one
    ("forklift", "interview_03")."""
    title = t.title.strip()
    stem = t.source_name.rsplit(".", 1)[0] if t.source_name else ""
    return bool(title) and not (title == stem and re.fullmatch(r"[A-Za-z0-9_.\-]+", title))


def _names_what_is_said(t: Transcript, said: str) -> bool:
    """Does the title name what the masters talk about ("鞋店店长谈脚型测量与试穿"; an English title's word
    they say again and again), not only who spoke or which recording it is ("KEN THOMPSON 9-6-89",
    "VCSum meeting 13")?"""
    title = _INTERVIEW_WORDS.sub("", t.title)
    for name in (t.expert or "").split():
        title = re.sub(re.escape(name), "", title, flags=re.IGNORECASE)
    low = said.lower()
    if sum("\u4e00" <= ch <= "\u9fff" for ch in title) >= 4:  # a Chinese title a person wrote
        return True
    words = {w for w in re.findall(r"[a-z]{4,}", title.lower()) if w not in _TITLE_STOP}
    return any(len(re.findall(rf"\b{w}", low)) >= _SAID_OFTEN for w in words)


_TITLE_STOP = frozenset("interview interviews meeting session recording transcript oral history with from about "
                        "their them what when where this that".split())


def course_subject(transcripts: Sequence[Transcript], modules: Sequence[Module], language: str) -> str:
    """What a course is about when no trade is on file: the interview's own title without the words
    that only say it is an interview ("注塑车间老师傅访谈（调机经验）" -> "注塑车间（调机经验）"), else the
    noun phrase the masters keep coming back to, else the first module's title."""
    said = "\n".join(turn.text for t in transcripts for turn in t.expert_turns())
    phrases = [p for p in ranked_phrases(said, language) if not _person(p)] if said else []
    titled = [t for t in transcripts if named_by_trainer(t) and _names_what_is_said(t, said)]
    if titled:
        title = titled[0].title.strip()
        if language == "zh":
            title = _INTERVIEW_WORDS.sub("", title).strip(" ：:-—") or title
        return title
    if phrases:
        return phrases[0] if language == "zh" else phrases[0][:1].upper() + phrases[0][1:]
    if modules:
        return modules[0].title
    return "师傅经验" if language == "zh" else "Know-how"


def course_header(plans: Sequence[TranscriptPlan], modules: Sequence[Module], language: str) -> dict[str, object]:
    """Title, audience, level and objectives of the whole course."""
    experts = list(dict.fromkeys(credit_line(p.transcript, language) for p in plans if credit_line(p.transcript, language)))
    trade = next((p.transcript.trade for p in plans if p.transcript.trade), None)
    subject = trade or course_subject([p.transcript for p in plans], modules, language)
    zh = language == "zh"
    who = "、".join(experts) if zh else " and ".join(experts)
    if zh:
        title = f"{subject}：{who or '师傅'}的经验课"
        audience = f"{trade}岗位的一线职工和新员工" if trade else "一线职工和新员工"
    else:
        title = f"{subject}: lessons from {who or 'the master'}"
        audience = f"Workers new to {trade}" if trade else "New and junior workers"
    know_how = sum(1 for m in modules for lesson in m.lessons for p in lesson.points
                   if p.kind in ("step", "rule", "measurement", "warning", "tool"))
    level = ("中级" if know_how >= 10 else "入门") if zh else ("intermediate" if know_how >= 10 else "beginner")
    objectives = [(f"掌握“{m.title}”的要点" if zh else f"Know the essentials of {m.title}") for m in modules]
    return {"title": title, "audience": audience, "level": level, "objectives": objectives}


def cited(citations: Sequence[Citation]) -> list[Citation]:
    return [c.model_copy() for c in citations]
