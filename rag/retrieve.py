"""Search the library: ranked chunks with their transcript's title and expert.

The index returns chunk ids and scores; SQL holds the chunks. Only chunks of
transcripts whose ingest finished ('ready') are returned, so a half-written
ingest is never seen. :func:`published_transcript_ids` is the scope a worker's
Q&A is held to.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from rag.catalog import chunks_by_id
from rag.ingest import index_stamp
from rag.published import published_versions
from shifu.models import SearchHit
from shifu.settings import Settings
from shifu.store import session_scope
from shifu.tables import CourseVersionRow, TranscriptRow

_indexes: dict[Settings, tuple[int, Any]] = {}
_indexes_guard = threading.Lock()


def search(settings: Settings, query: str, k: int = 5,
           transcript_ids: set[str] | list[str] | None = None) -> list[SearchHit]:
    """The `k` best chunks for `query`, best first; `transcript_ids` limits the search to those."""
    if not query.strip() or k <= 0:
        return []
    scope = None if transcript_ids is None else sorted(set(transcript_ids))
    if scope is not None and not scope:
        return []
    index = reader_index(settings)
    fetch = k
    for _ in range(3):  # over-fetch when ids the SQL side does not (yet) know were dropped
        found = index.search(query, k=fetch, transcript_ids=scope)
        chunks = chunks_by_id(settings, (cid for cid, _ in found))
        kept = [(chunks[cid], score) for cid, score in found if cid in chunks]
        if len(kept) >= k or len(found) < fetch:
            break
        fetch = fetch * 2 + 10
    kept = kept[:k]
    titles = _titles(settings, {c.transcript_id for c, _ in kept})
    return [
        SearchHit(chunk=c, score=float(score), rank=rank, transcript_title=titles.get(c.transcript_id, ("", None))[0],
                  expert=titles.get(c.transcript_id, ("", None))[1])
        for rank, (c, score) in enumerate(kept, 1)
    ]


def reader_index(settings: Settings) -> Any:
    """A long-lived index handle for searching, reopened after any writer changed the index."""
    stamp = index_stamp(settings)
    with _indexes_guard:
        held = _indexes.get(settings)
        if held is None or held[0] != stamp:
            from rag.index import HybridIndex

            held = _indexes[settings] = (stamp, HybridIndex(settings))
            while len(_indexes) > 8:  # a process rarely has more than one library; tests have many
                _indexes.pop(next(iter(_indexes)))
        return held[1]


def published_transcript_ids(settings: Settings) -> set[str]:
    """Transcripts that are sources of the published version of a published course."""
    with session_scope(settings) as s:
        rows = s.execute(published_versions(CourseVersionRow.transcript_ids))
        return {str(tid) for (ids,) in rows for tid in (ids or [])}


def _titles(settings: Settings, transcript_ids: set[str]) -> dict[str, tuple[str, str | None]]:
    if not transcript_ids:
        return {}
    with session_scope(settings) as s:
        rows = s.execute(select(TranscriptRow.id, TranscriptRow.title, TranscriptRow.expert)
                         .where(TranscriptRow.id.in_(sorted(transcript_ids))))
        return {tid: (title, expert) for tid, title, expert in rows}
