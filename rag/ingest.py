"""Ingest transcripts: parse, chunk, store in SQL, index in Chroma + BM25 — consistently.

The three stores cannot share one transaction, so every write follows a protocol
that survives ``kill -9`` at any point:

1. take the writer lock (one writer at a time; a second one waits with a message);
2. repair: finish or undo whatever an interrupted writer left (see :func:`repair`);
3. write the transcript row with status ``indexing`` plus its turns and chunks in
   one SQL transaction — SQL is the record of what the index must contain;
4. remove the transcript's old chunks from the index and add the new ones;
5. mark the row ``ready``. Only ready transcripts are listed or searched.

Removal marks the row ``removing`` first, so an interrupted removal is finished
by the next writer.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from rag.catalog import courses_using, delete_rows, get_chunks
from rag.chunk import chunk_transcript
from rag.index_lock import WriterLock, raise_stamp, read_stamp, writer_lock
from rag.lexical_store import mark_published, visibility
from rag.published import published_sources
from rag.replace import check_replace, text_diff
from shifu.context import Context
from shifu.errors import IndexDamaged, NotFoundError, ShifuError, TranscriptError
from shifu.models import Chunk, Transcript
from shifu.settings import Settings
from shifu.tables import ChunkRow, TranscriptRow, TurnRow

log = logging.getLogger(__name__)

Status = Literal["added", "unchanged", "replaced", "failed"]
# Limits on the work one upload may cause (not only on its bytes); a long interview is ~2,000 turns.
MAX_TURNS = 20_000
MAX_CHUNKS = 5_000
MAX_PREPARE_S = 120.0  # parsing and chunking one file, before the index is touched
WAIT_MESSAGE = "another shifu process is writing the index; waiting..."


@dataclass
class IngestResult:
    """What happened to one file: shown as one row of the ingest summary."""

    file: str
    transcript_id: str = ""
    title: str = ""
    turns: int = 0
    chunks: int = 0
    status: Status = "failed"
    error: str = ""  # one line naming the file and what to do
    error_zh: str = ""  # the same line in Chinese, where one was written
    seconds: float = 0.0
    diff: str = ""  # on a replace: what changed in the text, as a unified diff
    warnings: list[str] = field(default_factory=list)  # e.g. passages that read as instructions to a model

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def error_in(self, lang: str) -> str:
        """The error line in `lang` ('zh' or 'en'), English where no Chinese was written."""
        return (self.error_zh if lang == "zh" else "") or self.error


@dataclass
class RepairReport:
    """What a writer found and fixed when it started."""

    finished: list[str] = field(default_factory=list)  # interrupted ingests completed from SQL
    removed: list[str] = field(default_factory=list)  # interrupted removals completed
    orphans: int = 0  # index entries with no SQL chunk, deleted
    reindexed: list[str] = field(default_factory=list)  # ready transcripts missing from the index

    @property
    def changed(self) -> bool:
        return bool(self.finished or self.removed or self.orphans or self.reindexed)


# --- ids ---------------------------------------------------------------------------


def transcript_id_for(name: str) -> str:
    """Stable id per source file name, so a changed file replaces its earlier version."""
    return "t-" + hashlib.sha256(Path(name).name.encode("utf-8")).hexdigest()[:12]


# --- the writer lock and repair ------------------------------------------------------


class IndexWriter:
    """The one writer of the index and the SQL transcript tables (hold via :func:`writing`)."""

    def __init__(self, ctx: Context, index: Any) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.index = index
        self.repaired = RepairReport()
        self.changed = False  # readers reopen the index when a writer changed it


_local = threading.local()
_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextmanager
def writing(ctx: Context, *, on_wait: Callable[[str], None] | None = None,
            repair_first: bool = True, fresh: bool = False) -> Iterator[IndexWriter]:
    """Hold the writer lock (reentrant in one thread); repair the stores on first entry.

    The lock is the library's (rag/index_lock.py): a file in SHIFU_HOME with SQLite, an advisory
    lock in the database every machine shares with PostgreSQL. With ``fresh``, the index on disk is
    set aside first (kept, renamed) and an empty one opened: how a damaged index is rebuilt from SQL."""
    lock = writer_lock(ctx.settings)
    key = lock.key
    active: dict[str, IndexWriter] = _local.__dict__.setdefault("writers", {})
    if key in active:
        yield active[key]
        return
    notify = on_wait or log.warning
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(key, threading.Lock())
    _acquire(thread_lock, lock, ctx, notify)
    writer: IndexWriter | None = None
    try:
        if fresh:
            _set_aside(ctx)
        writer = IndexWriter(ctx, open_index(ctx))
        if fresh:
            writer.index.lexical.clear()
        writer.changed = fresh  # readers must reopen onto the rebuilt index
        active[key] = writer
        if repair_first:
            writer.repaired = _repair(writer)
            writer.changed = writer.repaired.changed
        yield writer
    finally:
        active.pop(key, None)
        try:
            if writer is not None and writer.changed:
                raise_stamp(ctx.settings)
        finally:
            lock.release()
            thread_lock.release()


def _acquire(thread_lock: threading.Lock, lock: WriterLock, ctx: Context,
             notify: Callable[[str], None]) -> None:
    deadline = time.monotonic() + ctx.settings.lock_timeout_s
    told = False
    # A thread of this process (the app ingesting two uploads) or another process.
    if not thread_lock.acquire(blocking=False):
        notify(WAIT_MESSAGE)
        told = True
        if not thread_lock.acquire(timeout=max(0.0, ctx.settings.lock_timeout_s)):
            raise ShifuError(*_timeout_message(ctx, lock))

    def busy() -> None:
        if not told:
            notify(WAIT_MESSAGE)

    try:
        got = lock.acquire(deadline - time.monotonic(), busy)
    except BaseException:
        thread_lock.release()
        raise
    if not got:
        thread_lock.release()
        raise ShifuError(*_timeout_message(ctx, lock))


def _timeout_message(ctx: Context, lock: WriterLock) -> tuple[str, str]:
    seconds = f"{ctx.settings.lock_timeout_s:g}"
    return (f"another shifu process held the index lock {lock.where} for more than {seconds} s; "
            "wait for it to finish and try again (or raise SHIFU_LOCK_TIMEOUT_S)",
            f"另一个 shifu 进程占用索引写入锁 {lock.where} 已超过 {seconds} 秒；请等它完成后再试。")


def index_stamp(ctx: Context) -> int:
    """Changes whenever a writer (on any machine sharing the library) changed the index; readers reopen theirs."""
    return read_stamp(ctx.settings)


def _set_aside(ctx: Context) -> list[Path]:
    """Move the index files out of the way (renamed, not deleted) so an empty index can be built."""
    forget_open_stores(ctx)
    _drop_chroma_system(ctx.settings.chroma_dir)
    kept = []
    suffix = time.strftime("%Y%m%d-%H%M%S")
    folder = None if ctx.settings.chroma_url else ctx.settings.chroma_dir
    if folder is not None and folder.exists():
        target = folder.with_name(f"{folder.name}.damaged-{suffix}")
        os.replace(folder, target)
        kept.append(target)
    if ctx.settings.chroma_url:
        from rag.index import chroma_client

        try:
            chroma_client(ctx.settings).delete_collection("chunks")
        except Exception:  # already gone, or unreadable: get_or_create makes a new one
            log.warning("could not delete the damaged Chroma collection", exc_info=True)
    return kept


def forget_open_stores(ctx: Context) -> None:
    """Close this context's search handle, so the next search opens the index afresh."""
    slot = ctx.index_slot
    with slot.lock:
        if slot.index is not None:
            try:
                slot.index.lexical.forget()  # a damaged copy is read again, not trusted
                slot.index.close()
            except Exception:
                log.warning("closing the search index failed", exc_info=True)
        slot.index, slot.stamp = None, None


def _drop_chroma_system(path: Path) -> None:
    """Stop Chroma's cached in-process store for `path`: it must not outlive the files it was reading."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient as Shared

        for key in [k for k in Shared._identifier_to_system if k == str(path)]:
            system = Shared._identifier_to_system.pop(key)
            Shared._identifier_to_refcount.pop(key, None)
            system.stop()
    except Exception:  # another Chroma version: a new client is all we can do
        log.warning("could not drop Chroma's cached store for %s", path, exc_info=True)


def rebuild_index(ctx: Context, *, on_wait: Callable[[str], None] | None = None) -> int:
    """Set the search index aside (Chroma's files renamed, the lexical table emptied) and build it again from
    the SQL store; returns the chunks indexed."""
    with writing(ctx, on_wait=on_wait, repair_first=False, fresh=True) as writer:
        with ctx.unit_of_work() as s:
            ready = [(r.id, r.title) for r in s.scalars(select(TranscriptRow).where(TranscriptRow.status == "ready"))]
        total = 0
        for tid, title in ready:
            chunks = get_chunks(ctx, tid)
            writer.index.add(chunks, transcript_titles={tid: title})
            total += len(chunks)
        writer.repaired = _repair(writer)  # interrupted ingests and removals, as any writer does
        return total


def repair_or_rebuild(ctx: Context, *, on_wait: Callable[[str], None] | None = None) -> str:
    """What `transcripts check --fix` does: repair differences, or rebuild a damaged index; one line back."""
    try:
        report = repair(ctx)
    except IndexDamaged as exc:
        log.warning("%s", exc)
        chunks = rebuild_index(ctx, on_wait=on_wait)
        return f"索引已从资料库重建（{chunks} 个片段）。 / the index was rebuilt from the library ({chunks} chunks)."
    shown = _fix_visibility(ctx, on_wait=on_wait)
    done = [f"repaired: {report}"] if report.changed else []
    if shown:
        done.append(f"已按发布的课程改正 {shown} 份访谈的可见性。 / the visibility of {shown} transcript(s) "
                    "was set again from the published courses.")
    return " ".join(done)


def _visibility_differs(ctx: Context, index: Any) -> set[str]:
    """Transcripts whose chunks are shown to workers on one side of the index but not published, or the reverse.

    (A publish commits the lexical flag with the course; Chroma's flag follows after: a crash between
    leaves a difference that only narrows what the chat finds, and this check repairs it.)"""
    with ctx.unit_of_work() as s:
        published = published_sources(s)
        lexical = visibility(s)
    chroma = index.shown_in_chroma()
    return {t for side in (lexical, chroma) for t, shown in side.items() if shown != (t in published)}


def _fix_visibility(ctx: Context, *, on_wait: Callable[[str], None] | None = None) -> int:
    with writing(ctx, on_wait=on_wait, repair_first=False) as writer:
        differ = _visibility_differs(ctx, writer.index)
        if differ:
            with ctx.unit_of_work() as s:
                published = published_sources(s, differ)
                mark_published(s, differ, published)
            writer.index.show_to_workers(differ, published)
            writer.changed = True
        return len(differ)


def open_index(ctx: Context) -> Any:
    """A fresh handle on the hybrid index (Chroma + BM25) of this context."""
    from rag.index import HybridIndex

    return HybridIndex(ctx.settings, embedder=ctx.embedder)


def repair(ctx: Context) -> RepairReport:
    """Make Chroma, BM25 and SQL agree again after an interrupted writer; returns what changed."""
    with writing(ctx) as writer:
        return writer.repaired


def _repair(writer: IndexWriter) -> RepairReport:
    report = RepairReport()
    ctx, index = writer.ctx, writer.index
    with ctx.unit_of_work() as s:
        unready = [(r.id, r.status, r.title) for r in s.scalars(select(TranscriptRow).where(TranscriptRow.status != "ready"))]
    for tid, status, title in unready:
        index.remove_transcript(tid)
        chunks = get_chunks(ctx, tid)
        if status == "indexing" and chunks:
            # The SQL transaction committed, so the ingest is complete on record: finish it.
            index.add(chunks, transcript_titles={tid: title})
            _set_status(ctx, tid, "ready")
            report.finished.append(tid)
        else:
            with ctx.unit_of_work() as s:
                delete_rows(s, tid)
            report.removed.append(tid)
    state = _compare(ctx, index)
    stray = state["orphans_in_chroma"] | state["orphans_in_bm25"]
    if stray:
        _remove_ids(index, stray)
        report.orphans = len(stray)
    missing = state["missing_in_chroma"] | state["missing_in_bm25"]
    if missing:
        for tid, title in _transcripts_of(ctx, missing):
            index.remove_transcript(tid)
            index.add(get_chunks(ctx, tid), transcript_titles={tid: title})
            report.reindexed.append(tid)
    if report.changed:
        log.warning("repaired the index after an interrupted writer: %s", report)
    return report


def _remove_ids(index: Any, ids: set[str]) -> None:
    index.remove_chunks(sorted(ids))


def check_consistency(ctx: Context, *, on_wait: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Differences between SQL, Chroma and BM25 (all empty and ``consistent`` True when they agree)."""
    # Under the lock (without repairing): a writer half-way through is not a difference.
    with writing(ctx, on_wait=on_wait, repair_first=False) as writer:
        writer.index.lexical.load()  # reads every stored term list: a garbled one is reported here
        state = _compare(ctx, writer.index)
        state["visibility_differs"] = _visibility_differs(ctx, writer.index)
    report: dict[str, Any] = {k: sorted(v) for k, v in state.items() if isinstance(v, set)}
    report.update({k: v for k, v in state.items() if not isinstance(v, set)})
    report["consistent"] = not any(report[k] for k in (
        "missing_in_chroma", "missing_in_bm25", "orphans_in_chroma", "orphans_in_bm25", "unready",
        "visibility_differs"))
    return report


def _compare(ctx: Context, index: Any) -> dict[str, Any]:
    with ctx.unit_of_work() as s:
        sql_ids = set(s.scalars(select(ChunkRow.id).join(TranscriptRow).where(TranscriptRow.status == "ready")))
        unready = set(s.scalars(select(TranscriptRow.id).where(TranscriptRow.status != "ready")))
        n_transcripts = len(list(s.scalars(select(TranscriptRow.id))))
    chroma_ids, bm25_ids = set(index.chroma_ids()), set(index.bm25_ids())
    return {
        "transcripts": n_transcripts,
        "sql_chunks": len(sql_ids),
        "chroma_chunks": len(chroma_ids),
        "bm25_chunks": len(bm25_ids),
        "missing_in_chroma": sql_ids - chroma_ids,
        "missing_in_bm25": sql_ids - bm25_ids,
        "orphans_in_chroma": chroma_ids - sql_ids,
        "orphans_in_bm25": bm25_ids - sql_ids,
        "unready": unready,
    }


def _transcripts_of(ctx: Context, chunk_ids: set[str]) -> list[tuple[str, str]]:
    ids = sorted(chunk_ids)
    found: dict[str, str] = {}
    with ctx.unit_of_work() as s:
        for i in range(0, len(ids), 500):
            rows = s.execute(select(TranscriptRow.id, TranscriptRow.title).join(ChunkRow)
                             .where(ChunkRow.id.in_(ids[i:i + 500])))
            found.update((tid, title) for tid, title in rows)
    return sorted(found.items())


def _set_status(ctx: Context, transcript_id: str, status: str) -> None:
    with ctx.unit_of_work() as s:
        row = s.get(TranscriptRow, transcript_id)
        if row is not None:
            row.status = status


# --- ingesting ---------------------------------------------------------------------


def ingest_file(ctx: Context, path: str | Path, **meta: Any) -> IngestResult:
    """Ingest one transcript file; failures come back as a result, never half-stored."""
    path = Path(path)
    limit = _max_bytes(ctx)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _failed(str(path), f"{path}: cannot read it ({exc.strerror or exc}); check the path")
    if path.is_dir():
        return _failed(str(path), f"{path} is a folder; give a transcript file or use `shifu ingest` on the folder")
    if size > limit:
        return _failed(str(path), _too_big(path.name, size, ctx.settings))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _failed(str(path), f"{path}: cannot read it ({exc.strerror or exc}); check its permissions")
    result = ingest_bytes(ctx, data, path.name, **meta)
    result.file = str(path)
    return result


def ingest_bytes(
    ctx: Context,
    data: bytes,
    name: str,
    *,
    expert: str | None = None,
    trade: str | None = None,
    enterprise: str | None = None,
    interview_date: date | str | None = None,
    consent: bool | None = None,
    uploaded_by: str | None = None,
    on_wait: Callable[[str], None] | None = None,
    replace: bool = False,
) -> IngestResult:
    """Ingest the bytes of one transcript file named `name` (flags beat the file's own headers).

    A file whose name is already the source of a course replaces it only with ``replace=True``,
    by the one who uploaded it, and never while that course is published.
    """
    started = time.perf_counter()
    try:
        transcript = _parse(ctx, data, name, expert=expert, trade=trade, enterprise=enterprise,
                            interview_date=interview_date, consent=consent)
        _check_work(name, "turns", len(transcript.turns), MAX_TURNS, started)
        chunks = chunk_transcript(transcript, chunk_tokens=ctx.settings.chunk_tokens, overlap=ctx.settings.chunk_overlap)
        if not chunks:
            raise TranscriptError(f"{name} has no text to index; check that it is a transcript",
                                  zh=f"{name} 没有可以入库的文字；请确认它是访谈转写稿")
        _check_work(name, "chunks", len(chunks), MAX_CHUNKS, started)
        # The slow part (vectors, cached by content) before the writer lock: a long interview
        # no longer holds up another trainer's short one for the minutes its vectors take.
        ctx.embedder.embed([c.text for c in chunks])
        with writing(ctx, on_wait=on_wait) as writer:
            status, diff = _store(writer, transcript, chunks, uploaded_by=uploaded_by, replace=replace,
                                  explicit=_explicit(expert=expert, trade=trade, enterprise=enterprise,
                                                     interview_date=interview_date, consent=consent))
    except ShifuError as exc:
        return _failed(name, _one_line(str(exc)), started, _one_line(exc.zh or ""))
    except Exception as exc:  # a bug or an environment problem: report it, keep the batch going
        log.exception("ingesting %s failed", name)
        cause = f"{type(exc).__name__}: {_one_line(str(exc))}"
        return _failed(name, f"{name}: ingest failed ({cause}); nothing was stored — fix the cause and ingest it again",
                       started, f"{name} 入库失败（{cause}）；什么也没有保存，请排除原因后重新上传")
    return IngestResult(file=name, transcript_id=transcript.id, title=transcript.title,
                        turns=len(transcript.turns), chunks=len(chunks), status=status,
                        seconds=time.perf_counter() - started, diff=diff, warnings=screen_warnings(transcript))


def screen_warnings(transcript: Transcript) -> list[str]:
    """One line when the transcript has passages that read as instructions to a model."""
    from rag.screen import instruction_spans

    spans = instruction_spans(transcript.text)
    if not spans:
        return []
    first = transcript.text[spans[0].start:spans[0].end][:40]
    return [f"{len(spans)} 处文字像是写给 AI 的指令（如“{first}”），审核时会标出，确认前不能发布。 / "
            f"{len(spans)} passage(s) read as instructions to a model (e.g. “{first}”); review flags them "
            "and the course cannot be published until a trainer accepts them."]


def _check_work(name: str, what: str, count: int, limit: int, started: float) -> None:
    """Refuse an upload that would hold the index lock for minutes (too many turns/chunks, too slow)."""
    if count > limit:
        raise TranscriptError(f"{name} has {count:,} {what}, over the limit of {limit:,}; "
                              "split the interview into several files.",
                              zh=f"{name} 有 {count:,} 个{'发言' if what == 'turns' else '片段'}，超过 {limit:,} 的上限；"
                                 "请把访谈拆成几个文件。")
    spent = time.perf_counter() - started
    if spent > MAX_PREPARE_S:
        raise TranscriptError(f"{name} took {spent:.0f} s to read, over the {MAX_PREPARE_S:.0f} s limit; "
                              "split it into several files.",
                              zh=f"{name} 解析用了 {spent:.0f} 秒，超过 {MAX_PREPARE_S:.0f} 秒上限；请拆成几个文件。")


def ingest_paths(
    ctx: Context,
    paths: Iterable[str | Path],
    *,
    progress: Callable[[IngestResult, int, int], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    **meta: Any,
) -> list[IngestResult]:
    """Ingest files and folders (recursively, supported extensions, sorted); one result per file, in order."""
    entries = expand_paths(paths)
    results: list[IngestResult] = []

    def report(result: IngestResult) -> None:
        results.append(result)
        if progress:
            progress(result, len(results), len(entries))

    if not any(isinstance(e, Path) for e in entries):
        for entry in entries:
            report(entry)  # type: ignore[arg-type]
        return results
    seen: dict[str, Path] = {}
    with writing(ctx, on_wait=on_wait):
        for entry in entries:
            if not isinstance(entry, Path):
                report(entry)
            elif entry.name in seen:
                report(_failed(str(entry), f"{entry}: a file named {entry.name} is already in this batch "
                                           f"({seen[entry.name]}); rename one of them — the name is the transcript's id"))
            else:
                seen[entry.name] = entry
                report(ingest_file(ctx, entry, **meta))
    return results


def expand_paths(paths: Iterable[str | Path]) -> list[Path | IngestResult]:
    """Files to ingest in order (folders walked for supported extensions); a failure for each missing path."""
    from rag.parse import SUPPORTED_EXTENSIONS

    entries: list[Path | IngestResult] = []
    listed: set[Path] = set()

    def add(f: Path) -> None:
        if f.resolve() not in listed:
            listed.add(f.resolve())
            entries.append(f)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and _looks_like_transcript(f, p, SUPPORTED_EXTENSIONS):
                    add(f)
        elif p.exists():
            add(p)
        else:
            entries.append(_failed(str(p), f"{p}: no such file or folder; check the path"))
    return entries


# Documentation that sits beside transcripts in a folder (corpus/FORMAT.md) is not an interview.
_FOLDER_DOCS = {"readme", "format", "license", "licence", "changelog", "contributing", "notes"}


def _looks_like_transcript(f: Path, root: Path, extensions: Collection[str]) -> bool:
    """In a folder walk: a supported extension, not hidden, not the folder's own documentation."""
    if f.suffix.lower() not in extensions or any(part.startswith(".") for part in f.relative_to(root).parts):
        return False
    return not (f.suffix.lower() == ".md" and f.stem.lower() in _FOLDER_DOCS)


def remove_transcript(ctx: Context, transcript_id: str,
                      *, on_wait: Callable[[str], None] | None = None) -> None:
    """Remove a transcript from SQL (turns and chunks too), Chroma and BM25."""
    with writing(ctx, on_wait=on_wait) as writer:
        with ctx.unit_of_work() as s:
            row = s.get(TranscriptRow, transcript_id)
            if row is None:
                raise NotFoundError(f"no transcript {transcript_id!r}; run `shifu transcripts ls` to see the ids")
            row.status = "removing"  # a crash from here on is finished by the next writer
        writer.changed = True
        writer.index.remove_transcript(transcript_id)
        with ctx.unit_of_work() as s:
            delete_rows(s, transcript_id)


# --- the steps of one ingest -----------------------------------------------------------


def _parse(ctx: Context, data: bytes, name: str, *, expert: str | None, trade: str | None,
           enterprise: str | None, interview_date: date | str | None, consent: bool | None) -> Transcript:
    from rag.parse import parse_transcript

    if len(data) > _max_bytes(ctx):
        raise TranscriptError(_too_big(name, len(data), ctx.settings))
    t = parse_transcript(data, name, expert=expert, max_bytes=_max_bytes(ctx))
    updates: dict[str, Any] = {"id": transcript_id_for(name)}
    if not t.source_name:
        updates["source_name"] = Path(name).name
    if not t.sha256:
        updates["sha256"] = hashlib.sha256(data).hexdigest()
    for key, value in _explicit(expert=expert, trade=trade, enterprise=enterprise,
                                interview_date=interview_date, consent=consent).items():
        updates[key] = value
    return t.model_copy(update=updates)


def _explicit(**fields: Any) -> dict[str, Any]:
    """The metadata a caller actually gave (None means: keep what the file says)."""
    out = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items() if v is not None}
    out = {k: v for k, v in out.items() if v != ""}
    if isinstance(out.get("interview_date"), str):
        try:
            out["interview_date"] = date.fromisoformat(out["interview_date"])
        except ValueError:
            raise TranscriptError(
                f"interview date {out['interview_date']!r} is not a date; write it as YYYY-MM-DD") from None
    return out


def _store(writer: IndexWriter, t: Transcript, chunks: list[Chunk], *, uploaded_by: str | None,
           explicit: dict[str, Any], replace: bool = False) -> tuple[Status, str]:
    ctx = writer.ctx
    diff = ""
    with ctx.unit_of_work() as s:
        old = s.get(TranscriptRow, t.id)
        if old is not None and old.status == "ready" and _same(s, old, t, chunks):
            taught = bool(courses_using(s, t.id))
            for key, value in explicit.items():  # new flags on an unchanged file still count
                if key == "consent" and not value and taught:
                    continue  # withdrawing consent is `transcripts consent --no`, never a side effect of an upload
                setattr(old, key, value.isoformat() if isinstance(value, date) else value)
            return "unchanged", ""
        if old is not None and old.status == "ready":
            diff = text_diff(old.text or "", t.text)
            check_replace(s, old, t.text, replace=replace, uploaded_by=uploaded_by)
        status: Status = "replaced" if old is not None else "added"
        s.expunge_all()
        delete_rows(s, t.id)
        s.add(_transcript_row(t, uploaded_by))
        s.add_all(TurnRow(transcript_id=t.id, idx=turn.index, speaker=turn.speaker, role=turn.role,
                          text=turn.text, start=turn.start, end=turn.end,
                          char_start=turn.char_start, char_end=turn.char_end) for turn in t.turns)
        s.add_all(ChunkRow(id=c.id, transcript_id=t.id, ord=c.ord, text=c.text, speakers=c.speakers,
                           char_start=c.char_start, char_end=c.char_end, t_start=c.t_start,
                           t_end=c.t_end, n_tokens=c.n_tokens) for c in chunks)
    _test_pause("SHIFU_TEST_PAUSE_AFTER_SQL")
    try:
        writer.index.remove_transcript(t.id)
        writer.index.add(chunks, transcript_titles={t.id: t.title})
    except Exception:
        _undo(writer, t.id)
        raise
    _set_status(ctx, t.id, "ready")
    writer.changed = True
    return status, diff


def _undo(writer: IndexWriter, transcript_id: str) -> None:
    """Take a failed ingest out of every store (if this fails too, the next writer's repair does it)."""
    try:
        writer.index.remove_transcript(transcript_id)
        with writer.ctx.unit_of_work() as s:
            delete_rows(s, transcript_id)
    except Exception:
        log.exception("could not undo the failed ingest of %s", transcript_id)


def _same(s: Any, old: TranscriptRow, t: Transcript, chunks: Sequence[Chunk]) -> bool:
    """Same bytes, same roles, same chunks: nothing to do."""
    if old.sha256 != t.sha256:
        return False
    old_chunks = list(s.scalars(select(ChunkRow.id).where(ChunkRow.transcript_id == old.id).order_by(ChunkRow.ord)))
    old_roles = list(s.scalars(select(TurnRow.role).where(TurnRow.transcript_id == old.id).order_by(TurnRow.idx)))
    return old_chunks == [c.id for c in chunks] and old_roles == [turn.role for turn in t.turns]


def _transcript_row(t: Transcript, uploaded_by: str | None) -> TranscriptRow:
    return TranscriptRow(
        id=t.id, title=t.title, language=t.language, expert=t.expert, trade=t.trade,
        enterprise=t.enterprise, interview_date=t.interview_date.isoformat() if t.interview_date else None,
        consent=bool(t.consent), source_name=t.source_name, sha256=t.sha256, text=t.text,
        status="indexing", uploaded_by=uploaded_by,
    )


def _test_pause(variable: str) -> None:
    # Lets the kill -9 test stop a writer at a known point; unset in real use.
    seconds = os.environ.get(variable)
    if seconds:
        log.warning("%s: pausing %s s", variable, seconds)
        time.sleep(float(seconds))


def _max_bytes(ctx: Context) -> int:
    return int(ctx.settings.max_file_mb * 1024 * 1024)


def _too_big(name: str, size: int, settings: Settings) -> str:
    return (f"{name} is {size / 1024 / 1024:.1f} MB, over the {settings.max_file_mb:g} MB limit; "
            "split it or raise SHIFU_MAX_FILE_MB")


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _failed(file: str, error: str, started: float | None = None, error_zh: str = "") -> IngestResult:
    seconds = time.perf_counter() - started if started is not None else 0.0
    return IngestResult(file=file, status="failed", error=error, error_zh=error_zh, seconds=seconds)


# --- the ingest speed benchmark ---------------------------------------------------------

_WARM_UP = "问：焊接前先做什么？\n张师傅：先检查气瓶有没有漏气，再预热工件。\n"


def benchmark_ingest(ctx: Context, data: bytes, name: str) -> dict[str, Any]:
    """Seconds to ingest one file into a fresh index once the model and stores are loaded."""
    import tempfile

    from rag.parse import parse_transcript

    with tempfile.TemporaryDirectory(prefix="shifu-bench-") as tmp:
        # A private home: the timing must not hit the embedding cache or touch the user's library.
        fresh = ctx.settings.model_copy(update={"home": Path(tmp), "database_url": None, "chroma_url": None})
        started = time.perf_counter()
        fresh_ctx = Context(fresh)
        warm = ingest_bytes(fresh_ctx, _WARM_UP.encode("utf-8"), "warm-up.txt")
        load_s = time.perf_counter() - started
        if not warm.ok:
            raise ShifuError(f"the warm-up ingest failed: {warm.error}")
        started = time.perf_counter()
        transcript = parse_transcript(data, name, max_bytes=_max_bytes(fresh_ctx))
        chunk_transcript(transcript.model_copy(update={"id": transcript_id_for(name)}),
                         chunk_tokens=fresh.chunk_tokens, overlap=fresh.chunk_overlap)
        parse_chunk_s = time.perf_counter() - started
        result = ingest_bytes(fresh_ctx, data, name)
        if not result.ok:
            raise ShifuError(result.error)
    return {
        "file": name,
        "seconds": round(result.seconds, 3),
        "chunks": result.chunks,
        "chars": len(transcript.text),
        "turns": result.turns,
        "parse_chunk_s": round(parse_chunk_s, 3),
        "index_s": round(result.seconds - parse_chunk_s, 3),
        "chars_per_s": round(len(transcript.text) / max(result.seconds, 1e-9)),
        "load_s": round(load_s, 3),
        "embeddings": ctx.settings.embeddings,
        "chunk_tokens": fresh.chunk_tokens,
    }
