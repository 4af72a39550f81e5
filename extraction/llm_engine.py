"""The LLM engine: map over topic segments (units, `draft_units`), reduce into an outline
(`draft_outline`) and a quiz (`draft_quiz`), each asked through a StructuredAsk
(extraction/structured_ask.py: the configured chat server unless a test hands in its own).

The model only ever sees the grounded sentences the offline pipeline found, under ids; every
unit, lesson and quiz item it writes must cite those ids, which map back to verbatim
transcript spans. What cites nothing known, or says what its quotes do not, is flagged by the
same validators as the offline draft — never passed as valid. A call whose output stays
invalid after the runner's re-asks leaves that part to the offline engine, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from extraction.course import CourseDraft, KnowledgeUnit, Lesson, Module, Point, QuizItem, Source
from extraction.llm_schemas import LLMOutline, LLMQuiz, LLMUnits
from extraction.offline_engine import (
    DraftResult,
    Embed,
    Progress,
    build_offline_draft,
    majority_language,
)
from extraction.outline import lesson_markdown
from extraction.quiz import interview_minutes, quiz_target
from extraction.structured_ask import ConfiguredModel, StructuredAsk
from extraction.validate import SourceText, validate_draft
from shifu.errors import LLMError
from shifu.models import Chunk, Transcript
from shifu.settings import Settings

M = TypeVar("M", bound=BaseModel)

MAX_TOKENS = 700
MAX_REASKS = 2  # per call, after the first reply


@dataclass(frozen=True)
class Limits:
    """How much of the transcripts the model is shown: each map call costs a model call, and each
    call must fit a small context window."""

    segments: int = 8  # map calls per transcript
    sentences: int = 12  # per map call, and units per quiz call
    units_reduce: int = 30  # units listed to the outline call


LIMITS = Limits()


class _Calls:
    """Renders templates, asks the model, and remembers template versions and rejections."""

    def __init__(self, settings: Settings, ask: StructuredAsk, progress: Progress | None) -> None:
        self.settings = settings
        self.ask = ask
        self.progress = progress
        self.versions: dict[str, str] = {}
        self.rejected: list[str] = []

    def run(self, name: str, variables: dict[str, Any], schema: type[M]) -> M | None:
        """The model's reply to template NAME, or None (and the rejection noted) when it stayed invalid."""
        from prompts.registry import render

        prompt = render(self.settings, name, variables)
        self.versions[name] = prompt.version
        if self.progress:
            self.progress(f"asking the model: {name}")
        try:
            return self.ask(prompt, schema)
        except LLMError as exc:
            self.rejected.append(f"{name}: {exc}")
            return None


def _segment_units(plan_units: Sequence[KnowledgeUnit], m: int, limit: int) -> list[KnowledgeUnit]:
    ranked = sorted([u for u in plan_units if u.module == m], key=lambda u: (-u.score, u.turn_index))
    return sorted(ranked[:limit], key=lambda u: u.turn_index)


def map_units(calls: _Calls, t: Transcript, grounded: list[KnowledgeUnit], n_segments: int,
              id_prefix: str, limits: Limits = LIMITS) -> list[KnowledgeUnit]:
    """Units the model wrote per segment, each citing the grounded sentences it names."""
    out: list[KnowledgeUnit] = []
    for m in range(min(n_segments, limits.segments)):
        sentences = _segment_units(grounded, m, limits.sentences)
        if not sentences:
            continue
        by_id = {f"s{i + 1}": u for i, u in enumerate(sentences)}
        reply = calls.run("draft_units", {"title": t.title, "expert": t.expert or "",
                                          "sentences": [{"id": k, "text": u.text} for k, u in by_id.items()]},
                          LLMUnits)
        if reply is None:
            out += sentences  # the model's output was rejected: keep the grounded units here
            continue
        for u in reply.units:
            cited = [by_id[s] for s in u.sentence_ids if s in by_id]
            out.append(KnowledgeUnit(
                id=f"{id_prefix}u{len(out) + 1}", kind=u.kind, text=u.text.strip(),
                speaker=cited[0].speaker if cited else "", turn_index=cited[0].turn_index if cited else 0,
                module=m, terms=sorted({x for c in cited for x in c.terms}),
                citations=[c.model_copy() for s in cited for c in s.citations],
            ))
    return out


def _points(unit_ids: Sequence[str], units: dict[str, KnowledgeUnit]) -> tuple[list[Point], list[str]]:
    points, unknown = [], []
    for uid in unit_ids:
        u = units.get(uid)
        if u is None:
            unknown.append(uid)
            continue
        points.append(Point(kind=u.kind, text=u.text, citations=[c.model_copy() for c in u.citations]))
    return points, unknown


def reduce_outline(calls: _Calls, title: str, language: str, units: dict[str, KnowledgeUnit],
                   limits: Limits = LIMITS) -> LLMOutline | None:
    """The model's outline of the course over the units (or None when its output was rejected)."""
    listed = list(units.values())[:limits.units_reduce]
    return calls.run("draft_outline", {"title": title, "language": language,
                                       "units": [{"id": u.id, "kind": u.kind, "text": u.text} for u in listed]},
                     LLMOutline)


def modules_from_outline(outline: LLMOutline, units: dict[str, KnowledgeUnit], language: str) -> list[Module]:
    """Modules from the model's outline; a lesson citing unknown unit ids says so in its flags."""
    modules = []
    speakers = {c.quote: u.speaker for u in units.values() for c in u.citations}
    for m in outline.modules:
        lessons = []
        for lesson in m.lessons:
            points, unknown = _points(lesson.unit_ids, units)
            flags = [f"cites unknown knowledge unit {uid}" for uid in unknown]
            lessons.append(Lesson(title=lesson.title or m.title, objectives=lesson.objectives,
                                  content_md=lesson_markdown(points, speakers, language), points=points, flags=flags))
        modules.append(Module(title=m.title, summary=m.summary, lessons=lessons))
    return modules


def _spans(points: Sequence[Point]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for p in points:
        for c in p.citations:
            out.setdefault(c.transcript_id, []).append((c.start, c.end))
    return out


def _covered(point: Point, spans: dict[str, list[tuple[int, int]]]) -> bool:
    return any(a < c.end and c.start < b for c in point.citations for a, b in spans.get(c.transcript_id, ()))


def keep_offline_points(modules: list[Module], offline: Sequence[Module], language: str) -> list[Module]:
    """The offline selection decides what is taught; the model arranges and rewrites it.

    A point of the offline draft whose words no point of the model's outline cites is kept, under its
    offline lesson's title, in a closing module; an outline with no point at all gives way to the
    offline modules (a weak model once left a whole course empty)."""
    spans = _spans([p for m in modules for lesson in m.lessons for p in lesson.points])
    if not spans:
        return [m.model_copy(deep=True) for m in offline]
    left = []
    for m in offline:
        for lesson in m.lessons:
            missing = [p.model_copy(deep=True) for p in lesson.points if not _covered(p, spans)]
            if missing:
                left.append(Lesson(title=lesson.title, objectives=list(lesson.objectives),
                                   content_md=lesson_markdown(missing, {}, language), points=missing))
    if not left:
        return modules
    zh = language == "zh"
    return [*modules, Module(title="师傅还讲到" if zh else "More from the master",
                             summary=("模型的大纲没有收入、但离线选出的要点。" if zh
                                      else "Points the offline selection kept that the model's outline left out."),
                             lessons=left)]


def keep_offline_quiz(items: list[QuizItem], offline: Sequence[QuizItem], wanted: int) -> list[QuizItem]:
    """The model's quiz items that cite the master's words; offline items make up the count wanted."""
    kept = [q for q in items if q.citations]
    return kept + [q.model_copy(deep=True) for q in offline[:max(0, wanted - len(kept))]]


def reduce_quiz(calls: _Calls, language: str, units: dict[str, KnowledgeUnit], n_items: int,
                limits: Limits = LIMITS) -> list[QuizItem] | None:
    """Quiz items the model wrote over the best units; each cites the quotes of the units it names."""
    listed = sorted(units.values(), key=lambda u: -u.score)[:limits.sentences]
    reply = calls.run("draft_quiz", {"language": language, "n_items": n_items,
                                     "units": [{"id": u.id, "kind": u.kind, "text": u.text} for u in listed]},
                      LLMQuiz)
    if reply is None:
        return None
    items = []
    for i, q in enumerate(reply.items):
        cited = [units[uid] for uid in q.unit_ids if uid in units]
        flags = [f"cites unknown knowledge unit {uid}" for uid in q.unit_ids if uid not in units]
        items.append(QuizItem(
            id=f"llm-q{i + 1}", type=q.type, stem=q.stem, options=q.options, answer=q.answer,
            explanation=q.explanation, difficulty=q.difficulty, bloom=q.bloom, skills=q.skills,
            citations=[c.model_copy() for u in cited for c in u.citations], flags=flags,
        ))
    return items


def build_llm_draft(
    settings: Settings,
    transcripts: Sequence[Transcript],
    chunks: dict[str, list[Chunk]],
    *,
    ask: StructuredAsk | None = None,
    limits: Limits = LIMITS,
    embed: Embed | None = None,
    gap_questions: Sequence[str] = (),
    progress: Progress | None = None,
) -> tuple[DraftResult, str | None, dict[str, str]]:
    """An LLM draft on the offline engine's grounded units, validated like any draft. ASK asks the
    model (default: the configured chat server).

    Returns (result, model name, template versions used)."""
    offline = build_offline_draft(transcripts, chunks, embed=embed, gap_questions=gap_questions, progress=progress)
    language = majority_language(transcripts)
    ask = ask or ConfiguredModel(settings, max_tokens=MAX_TOKENS, max_reasks=MAX_REASKS)
    calls = _Calls(settings, ask, progress)
    units: dict[str, KnowledgeUnit] = {}
    for n, plan in enumerate(offline.plans):
        for u in map_units(calls, plan.transcript, plan.units, len(plan.segments), f"t{n + 1}", limits):
            units[u.id] = u
    title = " / ".join(t.title for t in transcripts)
    outline = reduce_outline(calls, title, language, units, limits) if units else None
    draft = offline.draft.model_copy(deep=True)
    if outline is not None and outline.modules:
        draft.title = outline.title or draft.title
        draft.audience = outline.audience or draft.audience
        draft.level = outline.level or draft.level
        draft.objectives = outline.objectives or draft.objectives
        draft.modules = keep_offline_points(modules_from_outline(outline, units, language), offline.draft.modules,
                                            language)
    minutes = sum(interview_minutes(t) for t in transcripts)
    wanted = min(quiz_target(minutes), 8)
    quiz = reduce_quiz(calls, language, units, wanted, limits) if units else None
    dropped: list[str] = []
    if quiz is not None:
        draft.quiz = keep_offline_quiz(quiz, offline.draft.quiz, wanted)
        dropped = [f"model quiz item dropped, it cites none of the master's words: {q.stem[:60]}"
                   for q in quiz if not q.citations]
    draft.sources = [Source(transcript_id=t.id, title=t.title, expert=t.expert or "", sha256=t.sha256)
                     for t in transcripts]
    sources = {t.id: SourceText(t, list(chunks.get(t.id, []))) for t in transcripts}
    report = validate_draft(draft, sources)
    report.problems += [f"model output rejected, offline draft kept for it: {r}" for r in calls.rejected] + dropped
    result = DraftResult(draft=CourseDraft.model_validate(draft.model_dump()), units=list(units.values()),
                         plans=offline.plans, sources=sources, report=report)
    return result, settings.llm_model, calls.versions
