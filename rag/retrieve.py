"""Search the library: ranked chunks with their transcript's title and expert.

The index returns chunk ids and scores; SQL holds the chunks. Only chunks of
transcripts whose ingest finished ('ready') are returned, so a half-written
ingest is never seen. :func:`published_transcript_ids` is the scope a worker's
Q&A is held to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from rag.catalog import chunks_by_id
from rag.ingest import index_stamp
from rag.published import published_versions
from shifu.context import Context
from shifu.models import SearchHit
from shifu.tables import CourseVersionRow, TranscriptRow


def search(ctx: Context, query: str, k: int = 5,
           transcript_ids: set[str] | list[str] | None = None) -> list[SearchHit]:
    """The `k` best chunks for `query`, best first; `transcript_ids` limits the search to those."""
    if not query.strip() or k <= 0:
        return []
    scope = None if transcript_ids is None else sorted(set(transcript_ids))
    if scope is not None and not scope:
        return []
    index = reader_index(ctx)
    fetch = k
    with ctx.unit_of_work():  # one read of the chunks and their titles
        for _ in range(3):  # over-fetch when ids the SQL side does not (yet) know were dropped
            found = index.search(query, k=fetch, transcript_ids=scope)
            chunks = chunks_by_id(ctx, (cid for cid, _ in found))
            kept = [(chunks[cid], score) for cid, score in found if cid in chunks]
            if len(kept) >= k or len(found) < fetch:
                break
            fetch = fetch * 2 + 10
        kept = kept[:k]
        titles = _titles(ctx, {c.transcript_id for c, _ in kept})
    return [
        SearchHit(chunk=c, score=float(score), rank=rank, transcript_title=titles.get(c.transcript_id, ("", None))[0],
                  expert=titles.get(c.transcript_id, ("", None))[1])
        for rank, (c, score) in enumerate(kept, 1)
    ]


def reader_index(ctx: Context) -> Any:
    """The context's long-lived index handle for searching, reopened after any writer changed the index."""
    stamp = index_stamp(ctx)
    slot = ctx.index_slot
    with slot.lock:
        if slot.index is None or slot.stamp != stamp:
            from rag.index import HybridIndex

            slot.stamp, slot.index = stamp, HybridIndex(ctx.settings, embedder=ctx.embedder)
        return slot.index


def published_transcript_ids(ctx: Context) -> set[str]:
    """Transcripts that are sources of the published version of a published course."""
    with ctx.unit_of_work() as s:
        rows = s.execute(published_versions(CourseVersionRow.transcript_ids))
        return {str(tid) for (ids,) in rows for tid in (ids or [])}


def _titles(ctx: Context, transcript_ids: set[str]) -> dict[str, tuple[str, str | None]]:
    if not transcript_ids:
        return {}
    with ctx.unit_of_work() as s:
        rows = s.execute(select(TranscriptRow.id, TranscriptRow.title, TranscriptRow.expert)
                         .where(TranscriptRow.id.in_(sorted(transcript_ids))))
        return {tid: (title, expert) for tid, title, expert in rows}
