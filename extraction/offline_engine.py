"""The offline engine: transcripts in, a validated course draft out, deterministically (same
transcripts, same draft).

It segments topics, extracts knowledge units, builds the outline and lessons, writes the quiz,
finds follow-up questions and validates. The LLM engine (extraction/llm_engine.py) starts from
the units found here and its output passes the same validators; the drafting service
(extraction/drafting.py) chooses between the two and stores the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from extraction.course import CourseDraft, KnowledgeUnit, Module, Source
from extraction.followup import follow_up_questions
from extraction.growth.skills import with_skills
from extraction.outline import (
    TranscriptPlan,
    build_modules,
    course_header,
    disagreement_module,
    disagreements,
)
from extraction.quiz import interview_minutes, quiz_target, write_quiz
from extraction.segment import segment_transcript
from extraction.selection import more_points, one_quote_each, select_units
from extraction.speakers import credit_line, speakers
from extraction.takeaways import rank_key_points
from extraction.units import as_taught, extract_units
from extraction.validate import SourceText, ValidationReport, validate_draft
from rag.language import is_cjk
from shifu.errors import ShifuError
from shifu.models import Chunk, Transcript

Progress = Callable[[str], None]
Embed = Callable[[list[str]], np.ndarray]

MIN_MASTER_SECONDS = 36  # of the master talking (about 150 Chinese characters or 90 English words)
MIN_UNITS = 3
_EMBED_CHARS = 300  # turns are cut to this for segment vectors: enough for a topic, bounded cost


class DraftError(ShifuError):
    """A transcript cannot be drafted into a course; the message says why and what to do."""


@dataclass
class DraftResult:
    """A draft with everything a reviewer or a benchmark needs beside it."""

    draft: CourseDraft
    units: list[KnowledgeUnit]
    plans: list[TranscriptPlan]
    sources: dict[str, SourceText]
    report: ValidationReport


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def check_draftable(t: Transcript) -> None:
    """Raise DraftError when a transcript has no master's turns or too little of them to teach."""
    name = t.source_name or t.title or t.id
    expert = [turn for turn in t.turns if turn.role == "expert"]
    if not expert:
        raise DraftError(
            f"{name} has no turns by the master (every turn is the interviewer's or unlabelled); "
            "mark the expert's turns (speaker name or role \"expert\") or give --expert NAME when ingesting, then draft again."
        )
    said = "\n".join(turn.text for turn in expert)
    cjk = sum(1 for ch in said if is_cjk(ch))
    words = len(re.findall(r"[A-Za-z0-9']+", said))
    # speaking time: ~250 Chinese characters or ~150 English words a minute (mixed speech adds up)
    seconds = round((cjk / 250 + words / 150) * 60)
    if seconds < MIN_MASTER_SECONDS:
        raise DraftError(
            f"{name} is too short to make a course: the master speaks for only about {seconds} seconds "
            f"({cjk} Chinese characters, {words} English words); upload a longer interview (at least a minute "
            "of the master explaining the work)."
        )


def majority_language(transcripts: Sequence[Transcript]) -> str:
    """The course language: the one most of the transcripts' text is in (zh on a tie)."""
    zh = sum(len(t.text) for t in transcripts if t.language == "zh")
    en = sum(len(t.text) for t in transcripts if t.language == "en")
    return "zh" if zh >= en else "en"


def plan_transcript(t: Transcript, chunks: Sequence[Chunk], embed: Embed | None = None,
                    selection: dict | None = None) -> TranscriptPlan:
    """Segments and knowledge units of one transcript (selection: the scorer and budget, else the fitted ones)."""
    vectors = None
    if embed is not None and t.turns:
        vectors = embed([turn.text[:_EMBED_CHARS] for turn in t.turns])
    segments = segment_transcript(t, vectors)
    units = extract_units(t, chunks, segments)
    chosen = select_units(t, chunks, units, cfg=selection)
    # labelled for people (a rule needs a prescriptive cue), stage directions out: after the scorer chose
    return TranscriptPlan(transcript=t, segments=segments, units=as_taught(chosen.kept), left_out=as_taught(chosen.left_out))


def build_offline_draft(
    transcripts: Sequence[Transcript],
    chunks: dict[str, list[Chunk]],
    *,
    embed: Embed | None = None,
    gap_questions: Sequence[str] = (),
    progress: Progress | None = None,
    selection: dict | None = None,
    known_skills: Sequence[str] = (),
) -> DraftResult:
    """The deterministic extractive draft of one or more transcripts, validated; every point and quiz item
    carries skills (`known_skills`: the trade's curated list, reused where a point matches one).
    `selection`: the scorer's weights and budget; the fitted ones when None, another set when a
    benchmark leaves an interview out of the fit."""
    if not transcripts:
        raise DraftError("no transcript given; pass at least one transcript id or file")
    for t in transcripts:
        check_draftable(t)
    language = majority_language(transcripts)
    plans = []
    for t in transcripts:
        _say(progress, f"segmenting and extracting know-how: {t.title}")
        plan = plan_transcript(t, chunks.get(t.id, []), embed, selection)
        if len(plan.units) < MIN_UNITS:
            raise DraftError(
                f"{t.source_name or t.title} is too short to make a course: only {len(plan.units)} teachable "
                "sentences from the master; upload a longer interview."
            )
        plans.append(plan)
    _say(progress, "building the outline and lessons")
    used: set[str] = set()
    modules = [m for plan in plans for m in build_modules(plan, language, used)]
    conflicts = disagreements(plans, language) if len(plans) > 1 else []
    if conflicts:
        modules.append(disagreement_module(conflicts, language))
    header = course_header(plans, modules, language)
    _say(progress, "writing the quiz")
    quiz = []
    for n, plan in enumerate(plans):
        lessons = []
        for m, seg in enumerate(plan.segments):
            for li, _ in enumerate(seg.lessons or ((seg.first, seg.last),)):
                group = [u for u in plan.units if u.module == m and u.lesson == li]
                if group:
                    lessons.append((_lesson_title(modules, group, language), one_quote_each(group)))
        target = quiz_target(interview_minutes(plan.transcript))
        quiz += write_quiz(lessons, one_quote_each(plan.units), language, target,
                           id_prefix=f"q{n + 1}-" if len(plans) > 1 else "q",
                           panel=len(speakers(plan.transcript)) > 1)
    all_units = [u for plan in plans for u in plan.units]
    panel = any(len(speakers(t)) > 1 for t in transcripts)
    follow_ups = follow_up_questions(all_units, modules, language, gap_questions, panel=panel)
    draft = CourseDraft(
        title=str(header["title"]), language=language,  # type: ignore[arg-type]
        audience=str(header["audience"]), level=str(header["level"]),
        objectives=list(header["objectives"]),  # type: ignore[call-overload]
        sources=[Source(transcript_id=t.id, title=t.title, expert=credit_line(t, language), sha256=t.sha256)
                 for t in transcripts],
        modules=modules, quiz=quiz, follow_up_questions=follow_ups,
        more_from_interview=more_points(plans), key_points=rank_key_points(modules, all_units),
    )
    _say(progress, "proposing the skills of each point and quiz item")
    draft = with_skills(draft, known_skills)
    sources = {t.id: SourceText(t, list(chunks.get(t.id, []))) for t in transcripts}
    _say(progress, "validating every citation and quiz item")
    report = validate_draft(draft, sources)
    return DraftResult(draft=draft, units=all_units, plans=plans, sources=sources, report=report)


def _lesson_title(modules: Sequence[Module], group: Sequence[KnowledgeUnit], language: str) -> str:
    """The title of the lesson that shows these units (matched by their first citation)."""
    first = group[0].citations[0] if group[0].citations else None
    for m in modules:
        for lesson in m.lessons:
            for p in lesson.points:
                if first is not None and any(c.start == first.start and c.transcript_id == first.transcript_id
                                             for c in p.citations):
                    return lesson.title
    for m in modules:
        for lesson in m.lessons:
            quotes = {c.quote for p in lesson.points for c in p.citations}
            if any(u.text in quotes for u in group):
                return lesson.title
    return group[0].terms[0] if group[0].terms else ("这一部分" if language == "zh" else "this part")
