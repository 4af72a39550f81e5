"""The LLM engine: map over topic segments (units, `draft_units`), reduce into an outline
(`draft_outline`) and a quiz (`draft_quiz`), each through the structured-output runner.

The model only ever sees the grounded sentences the offline pipeline found, under ids; every
unit, lesson and quiz item it writes must cite those ids, which map back to verbatim
transcript spans. What cites nothing known, or says what its quotes do not, is flagged by the
same validators as the offline draft — never passed as valid. A call whose output stays
invalid after the runner's re-asks leaves that part to the offline engine, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from extraction.course import (
    UNIT_KINDS,
    CourseDraft,
    KnowledgeUnit,
    Lesson,
    Module,
    Point,
    QuizItem,
    Source,
)
from extraction.draft import DraftResult, Embed, build_offline_draft, majority_language
from extraction.outline import lesson_markdown
from extraction.quiz import interview_minutes, quiz_target
from extraction.validate import SourceText, validate_draft
from shifu.errors import LLMError
from shifu.models import Chunk, Transcript

Progress = Callable[[str], None]
MAX_SEGMENTS = 8  # map calls per draft: each costs a model call
MAX_SENTENCES = 12  # per map call, to fit small context windows
MAX_UNITS_REDUCE = 30
MAX_TOKENS = 700
MAX_REASKS = 2  # per call, after the first reply


# The schemas bound every list and string: servers with grammar-constrained JSON (llama.cpp)
# then cannot ramble past the token limit, and a real model loses nothing by them.
Kind = Literal["step", "tip", "warning", "rule", "definition", "tool", "measurement", "story", "fact"]
Ids = Annotated[list[Annotated[str, Field(max_length=12)]], Field(max_length=8)]
Short = Annotated[str, Field(max_length=300)]


class LLMUnit(BaseModel):
    kind: Kind
    text: Short
    sentence_ids: Ids = Field(default_factory=list)


class LLMUnits(BaseModel):
    units: list[LLMUnit] = Field(default_factory=list, max_length=12)


class LLMLesson(BaseModel):
    title: Short
    objectives: list[Short] = Field(default_factory=list, max_length=4)
    unit_ids: Ids = Field(default_factory=list)


class LLMModule(BaseModel):
    title: Short
    summary: Short = ""
    lessons: list[LLMLesson] = Field(default_factory=list, max_length=6)


class LLMOutline(BaseModel):
    title: Short
    audience: Short = ""
    level: Short = ""
    objectives: list[Short] = Field(default_factory=list, max_length=6)
    modules: list[LLMModule] = Field(default_factory=list, max_length=12)


class LLMQuizItem(BaseModel):
    type: Literal["single_choice", "multiple_choice", "true_false", "short_answer"]
    stem: Short
    options: list[Short] = Field(default_factory=list, max_length=6)
    answer: list[Short] = Field(default_factory=list, max_length=6)
    explanation: Short = ""
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    bloom: Literal["remember", "understand", "apply", "analyze", "evaluate", "create"] = "remember"
    skills: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=4)
    unit_ids: Ids = Field(default_factory=list)


class LLMQuiz(BaseModel):
    items: list[LLMQuizItem] = Field(default_factory=list, max_length=10)


def _known_kind(units: LLMUnits) -> list[str]:
    return [f"units[{i}].kind {u.kind!r} is not one of {', '.join(UNIT_KINDS)}"
            for i, u in enumerate(units.units) if u.kind not in UNIT_KINDS]


_QUIZ_TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer")


def _known_type(quiz: LLMQuiz) -> list[str]:
    return [f"items[{i}].type {q.type!r} is not one of {', '.join(_QUIZ_TYPES)}"
            for i, q in enumerate(quiz.items) if q.type not in _QUIZ_TYPES]


class _Calls:
    """Runs templates through the structured runner and remembers versions and rejections."""

    def __init__(self, settings, progress: Progress | None) -> None:  # type: ignore[no-untyped-def]
        self.settings = settings
        self.progress = progress
        self.versions: dict[str, str] = {}
        self.rejected: list[str] = []

    def run(self, name: str, variables: dict, schema: type[BaseModel], check=None):  # type: ignore[no-untyped-def]
        from prompts.registry import render
        from prompts.structured import run_structured

        prompt = render(self.settings, name, variables)
        self.versions[name] = prompt.version
        if self.progress:
            self.progress(f"asking the model: {name}")
        try:
            return run_structured(self.settings, prompt, schema, check=check, max_tokens=MAX_TOKENS,
                                  max_reasks=MAX_REASKS).value
        except LLMError as exc:
            self.rejected.append(f"{name}: {exc}")
            return None


def _segment_units(plan_units: Sequence[KnowledgeUnit], m: int) -> list[KnowledgeUnit]:
    ranked = sorted([u for u in plan_units if u.module == m], key=lambda u: (-u.score, u.turn_index))
    return sorted(ranked[:MAX_SENTENCES], key=lambda u: u.turn_index)


def map_units(calls: _Calls, t: Transcript, grounded: list[KnowledgeUnit], n_segments: int,
              id_prefix: str) -> list[KnowledgeUnit]:
    """Units the model wrote per segment, each citing the grounded sentences it names."""
    out: list[KnowledgeUnit] = []
    for m in range(min(n_segments, MAX_SEGMENTS)):
        sentences = _segment_units(grounded, m)
        if not sentences:
            continue
        by_id = {f"s{i + 1}": u for i, u in enumerate(sentences)}
        reply = calls.run("draft_units", {"title": t.title, "expert": t.expert or "",
                                          "sentences": [{"id": k, "text": u.text} for k, u in by_id.items()]},
                          LLMUnits, _known_kind)
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


def reduce_outline(calls: _Calls, title: str, language: str, units: dict[str, KnowledgeUnit]) -> LLMOutline | None:
    listed = list(units.values())[:MAX_UNITS_REDUCE]
    return calls.run("draft_outline", {"title": title, "language": language,
                                       "units": [{"id": u.id, "kind": u.kind, "text": u.text} for u in listed]},
                     LLMOutline)


def build_modules(outline: LLMOutline, units: dict[str, KnowledgeUnit], language: str) -> list[Module]:
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


def write_quiz(calls: _Calls, language: str, units: dict[str, KnowledgeUnit], n_items: int) -> list[QuizItem] | None:
    """Quiz items the model wrote; each cites the quotes of the units it names."""
    listed = sorted(units.values(), key=lambda u: -u.score)[:MAX_SENTENCES]
    reply = calls.run("draft_quiz", {"language": language, "n_items": n_items,
                                     "units": [{"id": u.id, "kind": u.kind, "text": u.text} for u in listed]},
                      LLMQuiz, _known_type)
    if reply is None:
        return None
    items = []
    for i, q in enumerate(reply.items):
        cited = [units[uid] for uid in q.unit_ids if uid in units]
        flags = [f"cites unknown knowledge unit {uid}" for uid in q.unit_ids if uid not in units]
        kind = q.type if q.type in _QUIZ_TYPES else "short_answer"
        items.append(QuizItem(
            id=f"llm-q{i + 1}", type=kind, stem=q.stem, options=q.options, answer=q.answer,  # type: ignore[arg-type]
            explanation=q.explanation, difficulty=q.difficulty, bloom=q.bloom, skills=q.skills,
            citations=[c.model_copy() for u in cited for c in u.citations], flags=flags,
        ))
    return items


def build_llm_draft(
    settings,  # type: ignore[no-untyped-def]
    transcripts: Sequence[Transcript],
    chunks: dict[str, list[Chunk]],
    *,
    embed: Embed | None = None,
    gap_questions: Sequence[str] = (),
    progress: Progress | None = None,
) -> tuple[DraftResult, str | None, dict[str, str]]:
    """An LLM draft on the offline engine's grounded units, validated like any draft.

    Returns (result, model name, template versions used)."""
    offline = build_offline_draft(transcripts, chunks, embed=embed, gap_questions=gap_questions, progress=progress)
    language = majority_language(transcripts)
    calls = _Calls(settings, progress)
    units: dict[str, KnowledgeUnit] = {}
    for n, plan in enumerate(offline.plans):
        for u in map_units(calls, plan.transcript, plan.units, len(plan.segments), f"t{n + 1}"):
            units[u.id] = u
    title = " / ".join(t.title for t in transcripts)
    outline = reduce_outline(calls, title, language, units) if units else None
    draft = offline.draft.model_copy(deep=True)
    if outline is not None and outline.modules:
        draft.title = outline.title or draft.title
        draft.audience = outline.audience or draft.audience
        draft.level = outline.level or draft.level
        draft.objectives = outline.objectives or draft.objectives
        draft.modules = build_modules(outline, units, language)
    minutes = sum(interview_minutes(t) for t in transcripts)
    quiz = write_quiz(calls, language, units, min(quiz_target(minutes), 8)) if units else None
    if quiz is not None:
        draft.quiz = quiz
    draft.sources = [Source(transcript_id=t.id, title=t.title, expert=t.expert or "", sha256=t.sha256)
                     for t in transcripts]
    sources = {t.id: SourceText(t, list(chunks.get(t.id, []))) for t in transcripts}
    report = validate_draft(draft, sources)
    report.problems += [f"model output rejected, offline draft kept for it: {r}" for r in calls.rejected]
    result = DraftResult(draft=CourseDraft.model_validate(draft.model_dump()), units=list(units.values()),
                         plans=offline.plans, sources=sources, report=report)
    return result, settings.llm_model, calls.versions
