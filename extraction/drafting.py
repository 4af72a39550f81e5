"""The drafting service: stored transcripts in, a validated course draft out, saved as version 1
of a new course. It chooses the engine (extraction/offline_engine.py or extraction/llm_engine.py),
loads the transcripts and the open knowledge-gap questions they touch, and stores the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from extraction.course import CourseDraft
from extraction.growth.skills import trade_skill_names, with_skills
from extraction.llm_engine import build_llm_draft
from extraction.offline_engine import DraftError, DraftResult, Embed, Progress, build_offline_draft
from extraction.structured_ask import StructuredAsk
from shifu.context import Context
from shifu.models import Chunk, Transcript

ENGINES = ("offline", "llm")


def load_transcripts(ctx: Context,
                     transcript_ids: Sequence[str]) -> tuple[list[Transcript], dict[str, list[Chunk]]]:
    """Stored transcripts (ids, prefixes or file names) and their chunks, read in one transaction."""
    from rag.catalog import get_chunks, get_transcript, resolve_id

    transcripts, chunks = [], {}
    with ctx.unit_of_work():
        for ref in transcript_ids:
            tid = resolve_id(ctx, ref)
            if tid in chunks:
                continue
            transcripts.append(get_transcript(ctx, tid))
            chunks[tid] = get_chunks(ctx, tid)
    return transcripts, chunks


def open_gap_questions(ctx: Context, transcripts: Sequence[Transcript], limit: int = 5) -> list[str]:
    """Open knowledge-gap questions that touch these transcripts' subject (shared character bigrams)."""
    from sqlalchemy import select

    from rag.lexical import bigram_tokens
    from shifu.tables import KnowledgeGapRow

    with ctx.unit_of_work() as s:
        rows = list(s.scalars(select(KnowledgeGapRow).where(KnowledgeGapRow.status == "open")
                              .order_by(KnowledgeGapRow.id)))
        questions = [r.question for r in rows]
    vocabulary = set(bigram_tokens("\n".join(t.text for t in transcripts)))
    out = []
    for q in questions:
        grams = set(bigram_tokens(q))
        if grams and len(grams & vocabulary) / len(grams) >= 0.5:
            out.append(q)
        if len(out) >= limit:
            break
    return out


def known_skills(ctx: Context, transcripts: Sequence[Transcript]) -> list[str]:
    """The curated skill list of the transcripts' trade (the first one named), which drafting reuses."""
    trade = next((t.trade for t in transcripts if t.trade), None)
    if not trade:
        return []
    with ctx.unit_of_work() as s:
        return trade_skill_names(s, trade)


def draft_course(
    ctx: Context,
    transcript_ids: Sequence[str],
    *,
    engine: str = "offline",
    ask: StructuredAsk | None = None,
    progress: Progress | None = None,
    created_by: str | None = None,
) -> tuple[str, int, CourseDraft]:
    """Draft a course from stored transcripts and save it as version 1 of a new course (status draft).

    Returns (course_id, version_number, draft). `engine` is "offline" (default) or "llm"; ASK
    asks the model for the llm engine (default: the configured chat server)."""
    from extraction.publishing import create_course

    if engine not in ENGINES:
        raise DraftError(f"engine {engine!r} is not known; use 'offline' or 'llm'")
    if engine == "llm" and ask is None:
        from shifu.llm import endpoint

        endpoint(ctx.settings)  # a missing server setting is reported before any work is done
    _say(progress, "loading transcripts")
    transcripts, chunks = load_transcripts(ctx, transcript_ids)
    gaps = open_gap_questions(ctx, transcripts)
    known = known_skills(ctx, transcripts)
    embed = _embedder(ctx)
    model = None
    templates: dict[str, str] = {}
    if engine == "llm":
        result, model, templates = build_llm_draft(ctx.settings, transcripts, chunks, ask=ask, embed=embed,
                                                   gap_questions=gaps, progress=progress)
        result.draft = with_skills(result.draft, known)  # the model's item skills kept, points proposed
    else:
        result = build_offline_draft(transcripts, chunks, embed=embed, gap_questions=gaps, progress=progress,
                                     known_skills=known)
    _say(progress, "saving the draft as a course version")
    course_id, version = create_course(
        ctx, result.draft, transcript_ids=[t.id for t in transcripts], engine=engine, model=model,
        template_versions=templates, created_by=created_by,
        note=_note(engine, result),
    )
    return course_id, version, result.draft


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _note(engine: str, result: DraftResult) -> str:
    """The version note: what was drafted and what the validators (or the model) left to review."""
    rejected = sum(1 for p in result.report.problems if p.startswith("model output rejected"))
    flagged = len(result.report.problems) - rejected
    note = f"{engine} draft: {len(result.draft.quiz)} quiz items, {flagged} flagged problem(s)"
    return note + (f", {rejected} model output(s) rejected (offline content kept there)" if rejected else "")


def _embedder(ctx: Context) -> Embed | None:
    """The configured embedder as a function, or None when it cannot be loaded (segmentation then
    runs on words, turns and cues alone)."""
    try:
        embedder = ctx.embedder
    except Exception:  # an unusable embeddings setting must not stop an offline draft
        return None
    return embedder.embed
