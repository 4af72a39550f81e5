"""Search the library: ranked chunks with their transcript's title and expert.

The index returns chunk ids and scores; SQL holds the chunks. Only chunks of
transcripts whose ingest finished ('ready') are returned, so a half-written
ingest is never seen. A worker's Q&A is held to chunks shown to workers
(``published_only``: a flag on each chunk, set by publishing — rag/visibility.py);
a trainer's own scope is a short list of transcript ids.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import select

from rag.catalog import chunks_by_id
from rag.ingest import forget_open_stores, index_stamp, repair_or_rebuild
from rag.published import published_sources
from shifu.context import Context
from shifu.errors import ConfigError, IndexDamaged
from shifu.models import SearchHit
from shifu.tables import TranscriptRow


def search(ctx: Context, query: str, k: int = 5,
           transcript_ids: set[str] | list[str] | None = None, published_only: bool = False) -> list[SearchHit]:
    """The `k` best chunks for `query`, best first; `transcript_ids` limits the search to those,
    `published_only` to what workers may see."""
    if not query.strip() or k <= 0:
        return []
    scope = None if transcript_ids is None else sorted(set(transcript_ids))
    if scope is not None and not scope:
        return []
    fetch = k
    with ctx.unit_of_work():  # one read of the chunks and their titles
        for _ in range(3):  # over-fetch when ids the SQL side does not (yet) know were dropped
            found = _search_index(ctx, query, fetch, scope, published_only)
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


log = logging.getLogger(__name__)
BEING_REPAIRED = "the search index is being repaired; ask again in a minute or two."
BEING_REPAIRED_ZH = "索引正在修复，请过一两分钟再问。"
_repairing: set[str] = set()
_repairing_guard = threading.Lock()


def _search_index(ctx: Context, query: str, k: int, scope: list[str] | None,
                  published_only: bool = False) -> list[tuple[str, float]]:
    """Search the reader's index; on a stale or unreadable one, reopen and retry once, then start a repair."""
    try:
        return reader_index(ctx).search(query, k=k, transcript_ids=scope, published_only=published_only)
    except ConfigError:
        raise
    except Exception as exc:  # another process changed the index under us, or it is damaged
        log.warning("search failed on the open index (%s: %s); reopening it once", type(exc).__name__, exc)
        forget_open_stores(ctx)
    try:
        return reader_index(ctx).search(query, k=k, transcript_ids=scope, published_only=published_only)
    except ConfigError:
        raise
    except Exception as exc:
        log.warning("search failed again (%s: %s); repairing the index", type(exc).__name__, exc)
        _start_repair(ctx)
        raise IndexDamaged(BEING_REPAIRED, zh=BEING_REPAIRED_ZH) from exc


def _start_repair(ctx: Context) -> None:
    """Repair (or rebuild from SQL) in the background, once per index at a time."""
    key = str(ctx.settings.home)
    with _repairing_guard:
        if key in _repairing:
            return
        _repairing.add(key)

    def run() -> None:
        try:
            repair_or_rebuild(ctx)
            forget_open_stores(ctx)
        except Exception:
            log.exception("repairing the index failed; run `shifu transcripts check --fix`")
        finally:
            with _repairing_guard:
                _repairing.discard(key)

    threading.Thread(target=run, name="shifu-index-repair", daemon=True).start()


def reader_index(ctx: Context) -> Any:
    """The context's long-lived index handle for searching, reopened after any writer changed the index."""
    stamp = index_stamp(ctx)
    slot = ctx.index_slot
    with slot.lock:
        if slot.index is None or slot.stamp != stamp:
            from rag.index import HybridIndex

            if slot.index is not None:
                slot.index.close()  # Chroma frees its in-memory copy once its last client closes

            slot.stamp, slot.index = stamp, HybridIndex(ctx.settings, embedder=ctx.embedder)
            # the change that moved the stamp (a publish in this very process, say) is read now: the
            # process's shared lexical copy would otherwise wait out its one-second check
            slot.index.lexical.refresh(force=True)
        return slot.index


def published_transcript_ids(ctx: Context) -> set[str]:
    """Transcripts that are sources of the published version of a published course."""
    with ctx.unit_of_work() as s:
        return published_sources(s)


def _titles(ctx: Context, transcript_ids: set[str]) -> dict[str, tuple[str, str | None]]:
    if not transcript_ids:
        return {}
    with ctx.unit_of_work() as s:
        rows = s.execute(select(TranscriptRow.id, TranscriptRow.title, TranscriptRow.expert)
                         .where(TranscriptRow.id.in_(sorted(transcript_ids))))
        return {tid: (title, expert) for tid, title, expert in rows}
