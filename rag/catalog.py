"""The SQL side of the transcript library: list, show, read chunks, delete rows.

Writing to the search index is rag/ingest.py's job (under the writer lock);
this module only reads and writes SQL rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shifu.context import Context
from shifu.errors import NotFoundError
from shifu.models import Chunk, Transcript, Turn
from shifu.tables import ChunkRow, TranscriptRow, TurnRow


class TranscriptInfo(BaseModel):
    """One line of the transcript library: what `shifu transcripts ls` shows."""

    id: str
    title: str
    expert: str | None = None
    trade: str | None = None
    enterprise: str | None = None
    language: str = "zh"
    interview_date: str | None = None
    consent: bool = False
    source_name: str = ""
    status: str = "ready"
    turns: int = 0
    chunks: int = 0
    chars: int = 0
    uploaded_by: str | None = None
    created_at: datetime | None = None


def list_transcripts(ctx: Context, *, include_unready: bool = False) -> list[TranscriptInfo]:
    """Every transcript in the library, newest first, with turn and chunk counts."""
    with ctx.unit_of_work() as s:
        turns = dict(s.execute(select(TurnRow.transcript_id, func.count()).group_by(TurnRow.transcript_id)).all())
        chunks = dict(s.execute(select(ChunkRow.transcript_id, func.count()).group_by(ChunkRow.transcript_id)).all())
        query = select(TranscriptRow).order_by(TranscriptRow.created_at.desc(), TranscriptRow.id)
        if not include_unready:
            query = query.where(TranscriptRow.status == "ready")
        return [_info(row, turns.get(row.id, 0), chunks.get(row.id, 0)) for row in s.scalars(query)]


def resolve_id(ctx: Context, ref: str) -> str:
    """The transcript id for a full id, a unique id prefix, or a source file name."""
    ref = ref.strip()
    with ctx.unit_of_work() as s:
        if s.get(TranscriptRow, ref) is not None:
            return ref
        by_prefix = list(s.scalars(select(TranscriptRow.id).where(TranscriptRow.id.startswith(ref))))
        by_name = list(s.scalars(select(TranscriptRow.id).where(TranscriptRow.source_name == ref)))
    matches = sorted(set(by_prefix if ref else []) | set(by_name))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"no transcript {ref!r}; run `shifu transcripts ls` to see the ids")
    raise NotFoundError(f"{ref!r} matches {len(matches)} transcripts ({', '.join(matches[:5])}); give more of the id")


def get_info(ctx: Context, transcript_id: str) -> TranscriptInfo:
    """Metadata and counts of one transcript (NotFoundError when unknown)."""
    with ctx.unit_of_work() as s:
        row = _row(s, transcript_id)
        n_turns = s.scalar(select(func.count()).where(TurnRow.transcript_id == row.id)) or 0
        n_chunks = s.scalar(select(func.count()).where(ChunkRow.transcript_id == row.id)) or 0
        return _info(row, n_turns, n_chunks)


def get_transcript(ctx: Context, transcript_id: str) -> Transcript:
    """The stored transcript with its turns, as the domain model."""
    with ctx.unit_of_work() as s:
        row = _row(s, transcript_id)
        turns = [
            Turn(index=t.idx, speaker=t.speaker, role=t.role, text=t.text,  # type: ignore[arg-type]
                 start=t.start, end=t.end, char_start=t.char_start, char_end=t.char_end)
            for t in row.turns
        ]
        return Transcript(
            id=row.id, title=row.title, language=row.language,  # type: ignore[arg-type]
            expert=row.expert, trade=row.trade, enterprise=row.enterprise,
            interview_date=date.fromisoformat(row.interview_date) if row.interview_date else None,
            consent=row.consent, source_name=row.source_name, sha256=row.sha256, turns=turns,
        )


def get_chunks(ctx: Context, transcript_id: str) -> list[Chunk]:
    """The chunks of one transcript, in order."""
    with ctx.unit_of_work() as s:
        rows = s.scalars(select(ChunkRow).where(ChunkRow.transcript_id == transcript_id).order_by(ChunkRow.ord))
        return [chunk_from_row(r) for r in rows]


def chunks_by_id(ctx: Context, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
    """Chunks of ready transcripts for these ids; unknown ids are left out."""
    ids = list(dict.fromkeys(chunk_ids))
    out: dict[str, Chunk] = {}
    with ctx.unit_of_work() as s:
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            rows = s.scalars(
                select(ChunkRow).join(TranscriptRow)
                .where(ChunkRow.id.in_(ids[start:start + 500]), TranscriptRow.status == "ready")
            )
            out.update((r.id, chunk_from_row(r)) for r in rows)
    return out


def chunk_from_row(r: ChunkRow) -> Chunk:
    return Chunk(
        id=r.id, transcript_id=r.transcript_id, ord=r.ord, text=r.text, speakers=list(r.speakers or []),
        char_start=r.char_start, char_end=r.char_end, t_start=r.t_start, t_end=r.t_end, n_tokens=r.n_tokens,
    )


def update_metadata(ctx: Context, transcript_id: str, **fields: object) -> None:
    """Change title, expert, trade, enterprise, interview_date or consent of a stored transcript."""
    allowed = {"title", "expert", "trade", "enterprise", "interview_date", "consent"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
    with ctx.unit_of_work() as s:
        row = _row(s, transcript_id)
        for key, value in fields.items():
            if key == "interview_date" and isinstance(value, date):
                value = value.isoformat()
            setattr(row, key, value)


def delete_rows(session: Session, transcript_id: str) -> None:
    """Delete a transcript and its turns and chunks inside the caller's transaction."""
    # Explicit deletes: SQLite enforces ON DELETE CASCADE only with the pragma,
    # and PostgreSQL users may have created the tables by hand.
    session.execute(delete(ChunkRow).where(ChunkRow.transcript_id == transcript_id))
    session.execute(delete(TurnRow).where(TurnRow.transcript_id == transcript_id))
    session.execute(delete(TranscriptRow).where(TranscriptRow.id == transcript_id))


def _row(s: Session, transcript_id: str) -> TranscriptRow:
    row = s.get(TranscriptRow, transcript_id)
    if row is None:
        raise NotFoundError(f"no transcript {transcript_id!r}; run `shifu transcripts ls` to see the ids")
    return row


def _info(row: TranscriptRow, n_turns: int, n_chunks: int) -> TranscriptInfo:
    return TranscriptInfo(
        id=row.id, title=row.title, expert=row.expert, trade=row.trade, enterprise=row.enterprise,
        language=row.language, interview_date=row.interview_date, consent=bool(row.consent),
        source_name=row.source_name, status=row.status, turns=n_turns, chunks=n_chunks,
        chars=len(row.text or ""), uploaded_by=row.uploaded_by, created_at=row.created_at,
    )
