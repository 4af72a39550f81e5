"""`shifu eval scale`: how the index grows, on synthetic libraries of N chunks built from the bench texts.

Each size runs in its own process (so peak RSS is that size's), in a fresh SHIFU_HOME on SQLite and
embedded Chroma. Chunks are bench passages (cmrc2018, webqa, vcsum meetings), repeated with a
number appended so no two are equal, 14 to an interview; half the interviews are published.
Vectors are random (seeded, 512-d): the dense side's cost is real, its ranking is not.

Per size: build seconds, peak RSS, disk, seconds to add one 14-chunk interview and to remove
it (the index side of an ingest; after one untimed add and remove, as Chroma folds the bulk
load into its index on the first write after it and that is reported apart), the chat's search path (published scope) p50/p95 over the
bench queries, a new process's start (open + first answer), and how long a second process
takes to see an interview the first one added.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

PER_INTERVIEW = 14
N_QUERIES = 200
_REPO = Path(__file__).resolve().parent.parent


class RandomEmbedder:
    """Seeded random unit vectors per text (the same text, the same vector): the dense side's cost, not its sense."""

    name = "random-512"
    dim = 512

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def bench_passages(bench: Path) -> list[str]:
    """The bench's passages: cmrc2018 and webqa corpus records, vcsum meetings cut into ~300-character pieces."""
    texts: list[str] = []
    for name in ("cmrc2018", "webqa"):
        with open(bench / name / "corpus.jsonl", encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh]
    meetings = bench / "vcsum" / "meetings.jsonl"
    if meetings.exists():
        with open(meetings, encoding="utf-8") as fh:
            for line in fh:
                for segment in json.loads(line).get("segments", []):
                    text = "".join(_utterance_text(u) for u in segment.get("utterances", []))
                    texts += [text[i:i + 300] for i in range(0, len(text), 300)]
    return [t for t in texts if t.strip()]


def _utterance_text(utterance: Any) -> str:
    return str(utterance.get("text", "")) if isinstance(utterance, dict) else str(utterance)


def bench_queries(bench: Path, n: int = N_QUERIES) -> list[str]:
    out: list[str] = []
    for name in ("cmrc2018", "webqa"):
        with open(bench / name / "queries.jsonl", encoding="utf-8") as fh:
            out += [json.loads(line)["text"] for _, line in zip(range(n // 2), fh, strict=False)]
    return out


def synthetic_chunks(passages: list[str], n: int, start: int = 0) -> Iterator[tuple[str, str, int, str]]:
    """(chunk id, transcript id, ord, text) for n chunks: passages in turn, each copy numbered."""
    for i in range(start, start + n):
        text = passages[i % len(passages)]
        yield f"s{i}", f"t-s{i // PER_INTERVIEW}", i % PER_INTERVIEW, f"{text}（第{i // len(passages) + 1}份）"


def measure_size(n: int, bench: Path, home: Path) -> dict[str, Any]:
    """Build an index of n chunks in `home` and measure it (run in a process of its own)."""
    from rag.index import HybridIndex
    from rag.retrieve import search
    from shifu.context import Context
    from shifu.models import Chunk
    from shifu.settings import load_settings
    from shifu.tables import ChunkRow, CourseRow, CourseVersionRow, TranscriptRow

    settings = load_settings().model_copy(update={"home": home, "database_url": None, "chroma_url": None})
    embedder = RandomEmbedder()
    ctx = Context(settings, embedder=embedder)
    passages = bench_passages(bench)
    started = time.perf_counter()
    index = HybridIndex(settings, embedder=embedder)
    batch: list[tuple[str, str, int, str]] = []
    published: set[str] = set()

    def flush() -> None:
        tids = sorted({t for _, t, _, _ in batch})
        with ctx.unit_of_work() as s:
            s.add_all(TranscriptRow(id=t, title=t, status="ready", text="") for t in tids)
            s.flush()
            s.add_all(ChunkRow(id=c, transcript_id=t, ord=o, text=x, speakers=[], char_start=0, char_end=len(x))
                      for c, t, o, x in batch)
        shown = {t for t in tids if int(t[3:]) % 2 == 0}
        published.update(shown)
        index.add([Chunk(id=c, transcript_id=t, ord=o, text=x, char_end=len(x)) for c, t, o, x in batch],
                  published=shown)
        batch.clear()

    for row in synthetic_chunks(passages, n):
        batch.append(row)
        if len(batch) >= 2016:
            flush()
    if batch:
        flush()
    with ctx.unit_of_work() as s:  # one course whose published version draws on the shown interviews
        s.add(CourseRow(id="c-scale", title="scale", status="published", published_version=1))
        s.flush()
        s.add(CourseVersionRow(course_id="c-scale", number=1, status="published", data={},
                               transcript_ids=sorted(published)))
    build_s = time.perf_counter() - started

    # Chroma folds a bulk load into its index on the next write: paid once after a build, not per interview.
    warm = [Chunk(id=c, transcript_id=t, ord=o, text=x, char_end=len(x))
            for c, t, o, x in synthetic_chunks(passages, PER_INTERVIEW, start=n + 2 * PER_INTERVIEW)]
    t0 = time.perf_counter()
    index.add(warm, published=())
    index.remove_transcript(warm[0].transcript_id)
    first_write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    index.lexical.refresh(force=True)  # this process's first full load of the lexical table
    load_s = time.perf_counter() - t0
    extra = [Chunk(id=c, transcript_id=t, ord=o, text=x, char_end=len(x))
             for c, t, o, x in synthetic_chunks(passages, PER_INTERVIEW, start=n + PER_INTERVIEW)]
    t0 = time.perf_counter()
    index.add(extra, published=())
    index.lexical.refresh(force=True)
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    index.remove_transcript(extra[0].transcript_id)
    index.lexical.refresh(force=True)
    remove_s = time.perf_counter() - t0

    queries = bench_queries(bench)
    search(ctx, queries[0], k=5, published_only=True)  # warm: the first search opens Chroma
    times, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        hits = search(ctx, q, k=5, published_only=True)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert all(h.chunk.transcript_id in published for h in hits), "an unpublished chunk came back"
    from rag.lexical import word_tokens

    known_ms = []
    for q in queries[:50]:  # the chat's check that a question's nouns occur in the library
        t0 = time.perf_counter()
        index.known_terms(set(word_tokens(q)))
        known_ms.append((time.perf_counter() - t0) * 1000)
    index.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "chunks": n, "build_s": round(build_s, 1), "peak_rss_mb": round(peak), "disk_mb": round(_disk_mb(home)),
        "first_write_after_build_s": round(first_write_s, 1), "lexical_load_s": round(load_s, 2),
        "add_interview_s": round(add_s, 3), "remove_interview_s": round(remove_s, 3),
        "search_p50_ms": round(float(np.percentile(times, 50)), 1),
        "search_p95_ms": round(float(np.percentile(times, 95)), 1),
        "search_p95_cpu_ms": round(float(np.percentile(cpu, 95)), 1),
        "known_terms_p95_ms": round(float(np.percentile(known_ms, 95)), 1),
    }


def _disk_mb(home: Path) -> float:
    return sum(f.stat().st_size for f in home.rglob("*") if f.is_file()) / 2**20


_START = """
import time, sys
from rag.evaluate_scale import RandomEmbedder
from rag.retrieve import search
from shifu.context import Context
from shifu.settings import load_settings
ctx = Context(load_settings(), embedder=RandomEmbedder())
hits = search(ctx, sys.argv[1], k=5, published_only=True)
print(len(hits))
"""

_WATCH = """
import sys, time
from rag.evaluate_scale import RandomEmbedder
from rag.retrieve import search
from shifu.context import Context
from shifu.settings import load_settings
ctx = Context(load_settings(), embedder=RandomEmbedder())
search(ctx, "预热", k=1)
print("ready", flush=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if any(h.chunk.transcript_id == "t-new" for h in search(ctx, sys.argv[1], k=3)):
        print(time.time(), flush=True)
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
"""


def _child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SHIFU_DATABASE_URL", "SHIFU_CHROMA_URL")}
    return {**env, "SHIFU_HOME": str(home), "PYTHONPATH": str(_REPO)}


def cold_start_s(home: Path, query: str) -> tuple[float, float]:
    """Wall and CPU seconds for a new process to open the index and answer one search (interpreter start included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _START, query], env=_child_env(home), check=True,
                   capture_output=True, timeout=600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def seen_by_another_s(home: Path) -> float:
    """Seconds between process A adding an interview and process B (already running) finding it."""
    from rag.index import HybridIndex
    from shifu.context import Context
    from shifu.models import Chunk
    from shifu.settings import load_settings
    from shifu.tables import ChunkRow, TranscriptRow

    word = "氪星扳手校准"  # in no bench passage
    with subprocess.Popen([sys.executable, "-c", _WATCH, word], env=_child_env(home), stdout=subprocess.PIPE,
                          text=True) as watcher:
        try:
            assert watcher.stdout is not None and watcher.stdout.readline().strip() == "ready"
            settings = load_settings().model_copy(update={"home": home, "database_url": None, "chroma_url": None})
            ctx = Context(settings, embedder=RandomEmbedder())
            chunks = [Chunk(id=f"new-{i}", transcript_id="t-new", ord=i, text=f"{word}的第{i}步", char_end=9)
                      for i in range(PER_INTERVIEW)]
            with ctx.unit_of_work() as s:
                s.add(TranscriptRow(id="t-new", title="new", status="ready", text=""))
                s.flush()
                s.add_all(ChunkRow(id=c.id, transcript_id="t-new", ord=c.ord, text=c.text, speakers=[],
                                   char_start=0, char_end=9) for c in chunks)
            index = HybridIndex(settings, embedder=RandomEmbedder())
            index.add(chunks)
            added = time.time()
            index.close()
            seen = float(watcher.stdout.readline().strip() or "nan")
            watcher.wait(timeout=60)
            return seen - added
        finally:
            watcher.kill()


def run_size(n: int, bench: Path, keep: Path | None = None) -> dict[str, Any]:
    """One size in a process of its own, then the start-up and cross-process checks on its files."""
    with tempfile.TemporaryDirectory(prefix="shifu-scale-", dir=keep, ignore_cleanup_errors=True) as tmp:
        home = Path(tmp)
        out = subprocess.run([sys.executable, "-m", "rag.evaluate_scale", str(n), str(bench), str(home)],
                             env=_child_env(home), capture_output=True, text=True, timeout=7200)
        if out.returncode != 0:
            tail = (out.stderr or "").strip().splitlines()[-1:] or ["no output"]
            return {"chunks": n, "error": f"exit {out.returncode}: {tail[0]}"}
        row = json.loads(out.stdout.strip().splitlines()[-1])
        wall, cpu = cold_start_s(home, bench_queries(bench, 2)[0])
        row["start_and_answer_s"], row["start_and_answer_cpu_s"] = round(wall, 2), round(cpu, 2)
        row["seen_by_another_process_s"] = round(seen_by_another_s(home), 2)
        return row


def evaluate_scale(sizes: list[int], bench: Path) -> dict[str, Any]:
    """Measure every size; the report says what the dense side was."""
    load_before = os.getloadavg()[0]
    rows = [run_size(n, bench) for n in sizes]
    # Wall times on a shared machine also measure the neighbours: CPU times and the load say how much.
    return {"sizes": rows, "vectors": "random 512-d (seeded); dense ranking not meaningful",
            "stores": "SQLite + embedded Chroma",
            "machine": f"{os.cpu_count()} cores, load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}"}


if __name__ == "__main__":  # one size, in its own process: python -m rag.evaluate_scale N BENCH HOME
    print(json.dumps(measure_size(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
