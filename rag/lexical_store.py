"""The lexical index in SQL, shared by every process; each process keeps a copy and applies what changed.

The table ``lexical_chunks`` holds every chunk's packed terms (rag/lexical.py), its transcript and
whether a worker may see it; ``lexical_state`` a generation counter that every change raises in
the same transaction. A process loads every row once (no tokenising: 100,000 chunks in a few
seconds), then, before a search and at most every :data:`CHECK_EVERY_S`, reads the counter (one
indexed row) and fetches only the rows whose generation is newer. A removal leaves a tombstone
row (no terms) so readers that are behind see it; tombstones are purged when they pile up, and a
reader older than the purge (``floor``) loads everything again.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from rag.lexical import LexicalSnapshot, StoredChunks, analyse, damaged
from rag.published import published_sources
from shifu.errors import IndexDamaged
from shifu.settings import Settings
from shifu.tables import LexicalChunkRow, LexicalStateRow

CHECK_EVERY_S = 1.0  # how stale a reader may be; a change shows in every process within this
_BATCH = 500  # ids per IN (...), under SQLite's bound-parameter limit


def bump_generation(s: Session, name: str) -> int:
    """Raise the index's generation in this transaction (writers queue on the row) and return it."""
    done = s.execute(update(LexicalStateRow).where(LexicalStateRow.index_name == name)
                     .values(generation=LexicalStateRow.generation + 1))
    if not done.rowcount:  # type: ignore[attr-defined]
        s.add(LexicalStateRow(index_name=name, generation=1, floor=0))
        s.flush()
        return 1
    return int(s.scalar(select(LexicalStateRow.generation).where(LexicalStateRow.index_name == name)) or 0)


def mark_published(s: Session, transcript_ids: Collection[str], published: Collection[str],
                   name: str = "chunks") -> None:
    """Set the visibility of these transcripts' chunks (shown: those in `published`) in the caller's transaction."""
    ids = sorted(set(transcript_ids))
    if not ids:
        return
    generation = bump_generation(s, name)
    shown = set(published)
    for flag in (True, False):
        group = [t for t in ids if (t in shown) == flag]
        for i in range(0, len(group), _BATCH):
            s.execute(update(LexicalChunkRow)
                      .where(LexicalChunkRow.index_name == name, LexicalChunkRow.transcript_id.in_(group[i:i + _BATCH]),
                             LexicalChunkRow.published != flag)
                      .values(published=flag, generation=generation))


def visibility(s: Session, name: str = "chunks") -> dict[str, bool]:
    """Transcript id -> whether its chunks are shown to workers (any chunk shown counts)."""
    shown = case((LexicalChunkRow.published.is_(True), 1), else_=0)  # max() of a boolean is not portable
    rows = s.execute(select(LexicalChunkRow.transcript_id, func.max(shown))
                     .where(LexicalChunkRow.index_name == name, LexicalChunkRow.removed.is_(False))
                     .group_by(LexicalChunkRow.transcript_id))
    return {tid: bool(shown) for tid, shown in rows}


class LexicalIndex:
    """One process's handle on one lexical index in SQL (shared: see :meth:`shared`)."""

    _open: weakref.WeakValueDictionary[tuple[str, str], LexicalIndex] = weakref.WeakValueDictionary()
    _open_guard = threading.Lock()

    def __init__(self, settings: Settings, name: str = "chunks") -> None:
        self.settings = settings
        self.name = name
        self._sessions: Any = None
        self._lock = threading.Lock()
        self._state: LexicalSnapshot | None = None
        self._checked = 0.0

    @classmethod
    def shared(cls, settings: Settings, name: str = "chunks") -> LexicalIndex:
        """The process's one handle on this index: writers and readers of a process see the same copy."""
        key = (settings.db_url, name)
        with cls._open_guard:
            index = cls._open.get(key)
            if index is None:
                index = cls._open[key] = cls(settings, name)
            return index

    @property
    def where(self) -> str:
        return f"{self.settings.db_url.split('://')[0]}:lexical_chunks[{self.name}]"

    @contextmanager
    def _session(self) -> Iterator[Session]:
        from shifu.store import session_factory, transaction

        if self._sessions is None:
            self._sessions = session_factory(self.settings)
        with transaction(self._sessions()) as s:
            yield s

    # ---------- reading ----------
    def refresh(self, force: bool = False) -> LexicalSnapshot:
        """The current state: what changed since the last look applied, at most every CHECK_EVERY_S."""
        with self._lock:
            now = time.monotonic()
            if self._state is not None and not force and now - self._checked < CHECK_EVERY_S:
                return self._state
            try:
                self._state = self._catch_up(self._state)
            except IndexDamaged:
                raise
            except Exception as exc:  # a garbled row or a table that is not there
                raise damaged(self.where, type(exc).__name__) from exc
            self._checked = now
            return self._state

    def _catch_up(self, state: LexicalSnapshot | None) -> LexicalSnapshot:
        with self._session() as s:
            row = s.get(LexicalStateRow, self.name)
            generation, floor = (row.generation, row.floor) if row is not None else (0, 0)
            if state is not None and state.generation == generation:
                return state
            if state is None or state.generation < floor or generation < state.generation:
                return self._load(s, generation, floor)
            changes = s.execute(select(LexicalChunkRow.chunk_id, LexicalChunkRow.published, LexicalChunkRow.removed,
                                       LexicalChunkRow.added)
                                .where(LexicalChunkRow.index_name == self.name,
                                       LexicalChunkRow.generation > state.generation)).all()
            pos = state.positions()
            fresh = [cid for cid, _, removed, added in changes
                     if not removed and (cid not in pos or state.added[pos[cid]] != added)]
            if len(state.ids) + len(fresh) - state.n_base > max(2000, state.n_base // 10):
                return self._load(s, generation, floor)
            new = self._chunks(s, [LexicalChunkRow.chunk_id.in_(fresh[i:i + _BATCH])
                                   for i in range(0, len(fresh), _BATCH)])
            updated = state.changed(generation, floor, ((cid, shown, removed) for cid, shown, removed, _ in changes),
                                    new, self.where)
        return self.load() if updated.wants_reload() else updated

    def _load(self, s: Session, generation: int, floor: int) -> LexicalSnapshot:
        chunks = self._chunks(s, [LexicalChunkRow.removed.is_(False)])
        return LexicalSnapshot.load(generation, floor, chunks, self.where)

    def load(self) -> LexicalSnapshot:
        """Every stored chunk, read afresh (a full load; also how `transcripts check` verifies the table)."""
        with self._session() as s:
            row = s.get(LexicalStateRow, self.name)
            return self._load(s, row.generation if row else 0, row.floor if row else 0)

    def _chunks(self, s: Session, conditions: Iterable[Any]) -> StoredChunks:
        t = LexicalChunkRow
        rows: list[Any] = []
        for condition in conditions:
            rows += s.execute(select(t.chunk_id, t.transcript_id, t.published, t.added, t.chars, t.chars_len,
                                     t.words, t.words_len)
                              .where(t.index_name == self.name, condition)).all()
        return StoredChunks.from_rows(rows)

    def ids(self) -> set[str]:
        return self.refresh(force=True).ids_alive()

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        """The terms the library mentions anywhere (see LexicalSnapshot.known_terms)."""
        return self.refresh().known_terms(terms)

    def search(self, query: str, k: int = 10, analyzer: str = "chars",
               transcript_ids: Collection[str] | None = None,
               published_only: bool = False) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score, only from the allowed chunks."""
        return self.refresh().search(query, k, analyzer, transcript_ids, published_only)

    def published_among(self, transcript_ids: Collection[str]) -> set[str]:
        """Which of these transcripts a published course draws on (what workers may see)."""
        with self._session() as s:
            return published_sources(s, transcript_ids)

    # ---------- writing ----------
    def add(self, entries: Iterable[tuple[str, str, str]], published: Collection[str] = ()) -> None:
        """Add or replace (chunk id, transcript id, text) entries; chunks of `published` transcripts are shown."""
        rows = [(cid, tid, analyse(text)) for cid, tid, text in entries]  # tokenise outside the transaction
        if not rows:
            return
        shown = set(published)
        with self._session() as s:
            generation = bump_generation(s, self.name)
            ids = [cid for cid, _, _ in rows]
            for i in range(0, len(ids), _BATCH):
                s.execute(delete(LexicalChunkRow).where(LexicalChunkRow.index_name == self.name,
                                                        LexicalChunkRow.chunk_id.in_(ids[i:i + _BATCH])))
            s.execute(insert(LexicalChunkRow), [
                {"index_name": self.name, "chunk_id": cid, "transcript_id": tid, "published": tid in shown,
                 "removed": False, "added": generation, "generation": generation,
                 "chars": terms["chars"][0], "chars_len": terms["chars"][1],
                 "words": terms["word"][0], "words_len": terms["word"][1]} for cid, tid, terms in rows])
        self._checked = 0.0

    def remove_transcript(self, transcript_id: str) -> None:
        self._tombstone([LexicalChunkRow.transcript_id == transcript_id])

    def remove_chunks(self, chunk_ids: Collection[str]) -> None:
        ids = sorted(chunk_ids)
        self._tombstone([LexicalChunkRow.chunk_id.in_(ids[i:i + _BATCH]) for i in range(0, len(ids), _BATCH)])

    def _tombstone(self, conditions: list[Any]) -> None:
        with self._session() as s:
            generation = bump_generation(s, self.name)
            for condition in conditions:
                s.execute(update(LexicalChunkRow)
                          .where(LexicalChunkRow.index_name == self.name, LexicalChunkRow.removed.is_(False), condition)
                          .values(removed=True, generation=generation, chars=b"", words=b"",
                                  chars_len=0, words_len=0))
            self._purge_tombstones(s, generation)
        self._checked = 0.0

    def _purge_tombstones(self, s: Session, generation: int) -> None:
        """Delete tombstones once they are a quarter of the table; readers older than this reload."""
        t = LexicalChunkRow
        dead = s.scalar(select(func.count()).where(t.index_name == self.name, t.removed.is_(True))) or 0
        if dead <= max(1000, (s.scalar(select(func.count()).where(t.index_name == self.name)) or 0) // 4):
            return
        s.execute(delete(t).where(t.index_name == self.name, t.removed.is_(True)))
        s.execute(update(LexicalStateRow).where(LexicalStateRow.index_name == self.name).values(floor=generation))

    def clear(self) -> None:
        """Empty the index (before a rebuild from the library); every reader then loads afresh."""
        with self._session() as s:
            generation = bump_generation(s, self.name)
            s.execute(delete(LexicalChunkRow).where(LexicalChunkRow.index_name == self.name))
            s.execute(update(LexicalStateRow).where(LexicalStateRow.index_name == self.name).values(floor=generation))
        with self._lock:
            self._state, self._checked = None, 0.0

    def forget(self) -> None:
        """Drop this process's copy; the next search loads the index afresh."""
        with self._lock:
            self._state, self._checked = None, 0.0


