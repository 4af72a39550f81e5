"""Who may write the index, and the stamp that tells readers a writer changed it.

On one machine (SQLite) both live in SHIFU_HOME: a file lock, and the time of a stamp file. With
PostgreSQL every machine has its own SHIFU_HOME, so both live in the database all machines share:
the lock is a session-level advisory lock held on a connection of its own for the whole write
(it ends with that connection, so a writer killed with -9 leaves nothing held), and the stamp a
counter row in ``lexical_state`` that readers read at most every ``CHECK_EVERY_S``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from filelock import FileLock, Timeout
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from rag.lexical_store import CHECK_EVERY_S, bump_generation
from shifu.settings import Settings
from shifu.tables import LexicalStateRow

# The advisory lock's key: "shifu" + 1 (migrations hold "shifu", shifu/store.py).
INDEX_LOCK_KEY = 0x7368_6966_75_01
STAMP_ROW = "index.stamp"  # a row of lexical_state that names no lexical index
POLL_S = 0.2  # how often a waiting writer asks PostgreSQL again


class WriterLock(Protocol):
    key: str  # the same for every handle on the same lock (threads of a process queue on it)
    where: str  # named in the timeout message

    def acquire(self, timeout: float, on_busy: Callable[[], None]) -> bool: ...

    def release(self) -> None: ...


def shared_by_machines(settings: Settings) -> bool:
    """Whether the library's database is a server several machines may share (PostgreSQL)."""
    return settings.db_url.startswith("postgresql")


def writer_lock(settings: Settings) -> WriterLock:
    """The index lock of this library: an advisory lock on PostgreSQL, a file in SHIFU_HOME with SQLite."""
    return AdvisoryLock(settings) if shared_by_machines(settings) else FileWriterLock(settings)


class FileWriterLock:
    """One machine: a file lock at ``settings.lock_path`` (the kernel frees it when its process dies)."""

    def __init__(self, settings: Settings) -> None:
        path = settings.lock_path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.key = str(path.resolve())
        self.where = str(path)
        self._lock = FileLock(str(path))

    def acquire(self, timeout: float, on_busy: Callable[[], None]) -> bool:
        try:
            self._lock.acquire(timeout=0)
            return True
        except Timeout:
            on_busy()
        try:
            self._lock.acquire(timeout=max(0.0, timeout))
            return True
        except Timeout:
            return False

    def release(self) -> None:
        self._lock.release()


class AdvisoryLock:
    """Several machines: ``pg_try_advisory_lock`` on a connection kept open until :meth:`release`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        url = make_url(settings.db_url)
        self.key = "advisory:" + url.render_as_string(hide_password=True)
        self.where = f"(PostgreSQL advisory lock {INDEX_LOCK_KEY} on database {url.database})"
        self._conn: Any = None

    def acquire(self, timeout: float, on_busy: Callable[[], None]) -> bool:
        from shifu.store import engine_for

        # Autocommit: a write may take minutes, and an open transaction would hold back VACUUM.
        conn = engine_for(self.settings).connect().execution_options(isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + max(0.0, timeout)
        told = False
        try:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": INDEX_LOCK_KEY}).scalar():
                if not told:
                    on_busy()
                    told = True
                left = deadline - time.monotonic()
                if left <= 0:
                    conn.close()
                    return False
                time.sleep(min(POLL_S, left))
        except BaseException:
            conn.invalidate()  # closed for real: a lock it may have got goes with it
            conn.close()
            raise
        self._conn = conn
        return True

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INDEX_LOCK_KEY})
        except BaseException:
            conn.invalidate()  # the lock ends with the connection
            raise
        finally:
            conn.close()


# --- the stamp ------------------------------------------------------------------------------

_seen: dict[str, tuple[int, float]] = {}  # database URL -> (stamp, when read): one query a second at most
_seen_guard = threading.Lock()


def read_stamp(settings: Settings) -> int:
    """Changes whenever a writer on any machine sharing this library changed the index."""
    if not shared_by_machines(settings):
        try:
            return (settings.home / "index.stamp").stat().st_mtime_ns
        except FileNotFoundError:
            return 0
    url = settings.db_url
    with _seen_guard:
        known = _seen.get(url)
    if known is not None and time.monotonic() - known[1] < CHECK_EVERY_S:
        return known[0]
    from shifu.store import session_scope

    with session_scope(settings) as s:
        stamp = int(s.scalar(select(LexicalStateRow.generation).where(LexicalStateRow.index_name == STAMP_ROW)) or 0)
    _remember(url, stamp)
    return stamp


def raise_stamp(settings: Settings) -> None:
    """Tell readers on every machine that the index changed (this process's readers at once)."""
    if not shared_by_machines(settings):
        stamp = settings.home / "index.stamp"
        before = read_stamp(settings)
        stamp.write_text(str(time.time_ns()))
        # Two writes in the same clock tick must still look different to a reader.
        now = time.time_ns()
        os.utime(stamp, ns=(now, max(now, before + 1)))
        return
    from shifu.store import session_scope

    with session_scope(settings) as s:
        _remember(settings.db_url, bump_generation(s, STAMP_ROW))


def _remember(url: str, stamp: int) -> None:
    with _seen_guard:
        _seen[url] = (stamp, time.monotonic())
