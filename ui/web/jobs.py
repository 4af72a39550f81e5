"""Long work (drafting a course) runs in a separate process, so the chat stays fast.

Python threads share one interpreter lock: a CPU-bound draft in the server process would
slow every chat answer. One warm worker process drafts, one course at a time, and sends
its progress back through a queue that the Gradio handler turns into gr.Progress.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from shifu.context import Context
from shifu.errors import ShifuError
from shifu.settings import Settings

_progress: Any = None  # the worker process's end of the progress queue
_pool: ProcessPoolExecutor | None = None
_queue: Any = None
_guard = threading.Lock()


def _init(q: Any) -> None:
    global _progress
    _progress = q


def _report(*args: Any) -> None:
    """Progress callback inside the worker: forwards whatever the drafter reports."""
    if _progress is not None:
        _progress.put(args)


def _draft(settings: Settings, transcript_ids: list[str], engine: str, created_by: str | None) -> tuple:
    """In the drafting process: a context of its own (settings travel between processes, contexts do not)."""
    from extraction.drafting import draft_course

    course_id, version, draft = draft_course(Context(settings), transcript_ids, engine=engine, progress=_report,
                                             created_by=created_by)
    return course_id, version, draft.title


def _executor() -> tuple[ProcessPoolExecutor, Any]:
    global _pool, _queue
    with _guard:
        if _pool is None:
            ctx = mp.get_context("spawn")  # a clean interpreter: no Gradio threads forked
            _queue = ctx.Queue()
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init, initargs=(_queue,))
        return _pool, _queue


def run_draft(ctx: Context, transcript_ids: list[str], *, engine: str = "offline",
              created_by: str | None = None, on_progress: Callable[..., None] | None = None,
              in_process: bool = False) -> tuple[str, int, str]:
    """Draft a course in the worker process; returns (course_id, version, title)."""
    if in_process:
        from extraction.drafting import draft_course

        course_id, version, draft = draft_course(ctx, transcript_ids, engine=engine,
                                                 progress=on_progress, created_by=created_by)
        return course_id, version, draft.title
    pool, q = _executor()
    while True:  # drop progress left over from an earlier, failed job
        try:
            q.get_nowait()
        except queue.Empty:
            break
    future: Future = pool.submit(_draft, ctx.settings, list(transcript_ids), engine, created_by)
    while not future.done():
        try:
            args = q.get(timeout=0.2)
        except queue.Empty:
            continue
        if on_progress is not None:
            on_progress(*args)
    try:
        return future.result()
    except BrokenProcessPool:
        shutdown()  # the next draft starts a fresh drafting process
        raise ShifuError("the drafting process stopped unexpectedly (out of memory?); "
                         "try again, or draft fewer transcripts at once") from None


def shutdown() -> None:
    """Stop the worker process (tests and the end of `shifu serve`)."""
    global _pool
    with _guard:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
