"""Questions for the next interview: what the draft found missing, and what workers asked
that the published material did not cover (the knowledge-gap backlog)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from extraction.course import FollowUpQuestion, KnowledgeUnit, Module, kind_label
from extraction.units import (
    KIND_CUES,
    PRESCRIPTIVE,
    has_reason,
    is_thing,
    key_numbers,
    recollection,
)

# A rule that tells the worker what to do; "我给自己定了规矩" only announces one.
_DIRECTIVE = PRESCRIPTIVE
_TOOL_CUE = dict(KIND_CUES)["tool"]
_AFTER_REASON = re.compile(r"\W*(?:从那以后|从那时起|打那以后|所以|因此|因为这个|that'?s why|since then|so\b|after that)", re.I)
# Words for tools in general: "what is 工具?" is no question for a master
_GENERIC = {"工具", "设备", "仪器", "仪表", "材料", "器材", "用具", "量具", "工具包", "tool", "tools", "equipment", "gear"}

MAX_PER_KIND = 4


def missing_reasons(units: Sequence[KnowledgeUnit], language: str) -> list[FollowUpQuestion]:
    """A step or rule given without its reason: ask the master why."""
    out = []
    for i, u in enumerate(units):
        if u.kind not in ("step", "rule") or has_reason(u.text):
            continue
        if u.text.rstrip().endswith(("：", ":")) or (u.kind == "rule" and not _DIRECTIVE.search(u.text)):
            continue  # a lead-in ("第一件必须这么做：") or an announcement: the rule itself follows
        if recollection(u.text):
            continue  # "It was never voiced…": a memory, not a rule to ask the reason of
        if _AFTER_REASON.match(u.text):
            continue  # "从那以后我们厂规定…": the reason was the story just told
        after = [v for v in units[i + 1:i + 3] if v.turn_index == u.turn_index]
        if any(has_reason(v.text) for v in after):
            continue  # the reason follows in the next sentences
        topic = next((t for t in u.terms if is_thing(t)), None)
        if language == "zh":
            q = f"您说“{_short(u.text)}”——为什么要这样做？不这样做会怎样？"
            why = f"师傅讲了{kind_label(u.kind, 'zh')}{'（' + topic + '）' if topic else ''}，但没有说原因。"
        else:
            q = f"You said \"{_short(u.text)}\" — why is it done this way, and what happens if it isn't?"
            why = f"A {u.kind}{' about ' + topic if topic else ''} was given without its reason."
        out.append(FollowUpQuestion(question=q, reason=why, citations=list(u.citations)))
        if len(out) >= MAX_PER_KIND:
            break
    return out


def unexplained_tools(units: Sequence[KnowledgeUnit], language: str) -> list[FollowUpQuestion]:
    """A tool named but never explained (no definition mentions it): ask what it is and how it is used."""
    explained = {t for u in units if u.kind == "definition" for t in u.terms}
    # a tool the master keeps coming back to (焊条 for a welder) is everyday to the trade, not a gap
    mentions = Counter(t for u in units for t in u.terms)
    explained |= {t for t, n in mentions.items() if n >= 3}
    out, asked = [], set()
    for u in units:
        if u.kind != "tool":
            continue
        topic = next((t for t in _tools_named(u) if t not in explained and t not in asked), None)
        if topic is None:
            continue
        asked.add(topic)
        if language == "zh":
            q = f"您提到了“{topic}”，它是什么？怎么用，用的时候要注意什么？"
            why = f"师傅提到了工具或材料“{topic}”，但没有解释。"
        else:
            q = f"You mentioned {topic}: what is that, how is it used, and what should a beginner watch for?"
            why = f"The tool or material {topic} was named but not explained."
        out.append(FollowUpQuestion(question=q, reason=why, citations=list(u.citations)))
        if len(out) >= MAX_PER_KIND:
            break
    return out


def _tools_named(u: KnowledgeUnit) -> list[str]:
    """The key terms of a sentence that name the tool its tool cue points at (not 尺寸 or 页面 beside it)."""
    spans = [m.span() for m in _TOOL_CUE.finditer(u.text)]
    named = []
    for term in u.terms:
        at = u.text.lower().find(term.lower())
        if at >= 0 and is_thing(term) and term.lower() not in _GENERIC and any(a <= at < b or at <= a < at + len(term) for a, b in spans):
            named.append(term)
    return named


def hands_on(modules: Sequence[Module]) -> bool:
    """True when the material is work with hazards and quantities (a trade), not a history or a panel's
    talk: a tenth of its points (and at least two) are warnings or hold a number of the trade."""
    points = [p for m in modules for lesson in m.lessons for p in lesson.points]
    return sum(1 for p in points if p.kind == "warning" or key_numbers(p.text)) >= max(2, len(points) / 10)


def missing_warnings(modules: Sequence[Module], language: str) -> list[FollowUpQuestion]:
    """A module with steps but no safety warning, in hands-on material: ask what can go wrong."""
    if not hands_on(modules):
        return []  # no "safety" question for a history of Unix
    out = []
    for m in modules:
        points = [p for lesson in m.lessons for p in lesson.points]
        if not any(p.kind == "step" for p in points) or any(p.kind == "warning" for p in points):
            continue
        first_step = next(p for p in points if p.kind == "step")
        if language == "zh":
            q = f"做“{m.title}”的时候，有哪些危险或容易出错的地方？新手最该注意什么？"
            why = f"“{m.title}”讲了操作步骤，但没有任何安全警示。"
        else:
            q = f"When doing {m.title}, what can go wrong or hurt someone? What must a beginner watch out for?"
            why = f"The module {m.title} gives steps but no safety warning."
        out.append(FollowUpQuestion(question=q, reason=why, citations=list(first_step.citations)))
        if len(out) >= MAX_PER_KIND:
            break
    return out


def from_gaps(gap_questions: Sequence[str], language: str) -> list[FollowUpQuestion]:
    """Open knowledge-gap questions (workers asked, material did not cover) as interview questions."""
    why = "职工提问，但已发布的材料里没有答案。" if language == "zh" else \
        "A worker asked this and the published material did not cover it."
    return [FollowUpQuestion(question=q.strip(), reason=why, citations=[]) for q in gap_questions if q.strip()]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def follow_up_questions(units: Sequence[KnowledgeUnit], modules: Sequence[Module], language: str,
                        gap_questions: Sequence[str] = (), panel: bool = False) -> list[FollowUpQuestion]:
    """All follow-up questions of a draft, most urgent (safety) first. A panel discussion is asked only
    for the reasons behind its rules and what workers asked: its talk has no steps to make safe."""
    safety = [] if panel else missing_warnings(modules, language)
    # a panel's "steps" are turns of its talk ("接着李总说的…"): only its rules are asked the reason of
    asked = [u for u in units if u.kind == "rule"] if panel else units
    return [*safety, *missing_reasons(asked, language), *unexplained_tools(units, language),
            *from_gaps(gap_questions, language)]
