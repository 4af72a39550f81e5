"""What a worker's chat may search, as a flag on every chunk: set when a course is published or taken down.

The publishing service calls :func:`mark_visibility` inside its own transaction (the lexical
side, which decides what a search may return, changes with the publish itself), then
:func:`show_in_chroma` once it has committed (the dense side's filter, which only picks
candidates). A transcript is shown while it is a source of any published version.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from rag.lexical_store import mark_published
from rag.published import published_sources
from shifu.context import Context
from shifu.tables import LexicalChunkRow, TranscriptRow


def mark_visibility(s: Session, transcript_ids: Collection[str]) -> None:
    """Set the lexical flag of these transcripts' chunks from the published courses, in the caller's transaction."""
    s.flush()  # the caller's course rows first: they say what is published now
    mark_published(s, transcript_ids, published_sources(s, transcript_ids))


def show_in_chroma(ctx: Context, transcript_ids: Collection[str]) -> None:
    """Set Chroma's flag of these transcripts' chunks (under the writer lock: Chroma has one writer)."""
    from rag.ingest import writing

    with ctx.unit_of_work() as s:
        indexed = set(s.scalars(select(LexicalChunkRow.transcript_id).distinct()
                                .where(LexicalChunkRow.transcript_id.in_(sorted(transcript_ids)))))
        shown = published_sources(s, indexed)
    if not indexed:  # nothing of theirs in the index: no need to open Chroma
        return
    with writing(ctx, repair_first=False) as writer:
        writer.index.show_to_workers(indexed, shown)
        writer.changed = True


def sync_visibility(ctx: Context, transcript_ids: Collection[str] | None = None) -> None:
    """Both sides' flags from the courses as they are (every transcript when none are named)."""
    with ctx.unit_of_work() as s:
        ids = set(transcript_ids) if transcript_ids is not None else set(s.scalars(select(TranscriptRow.id)))
        mark_visibility(s, ids)
    show_in_chroma(ctx, ids)
