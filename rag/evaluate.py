"""Retrieval benchmark on BEIR files: each corpus record one chunk, in a temporary index."""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.beir import read_jsonl, read_qrels
from rag.index import HybridIndex
from rag.lexical import ANALYZERS
from shifu.embeddings import get_embedder
from shifu.errors import ShifuError
from shifu.models import Chunk
from shifu.settings import Settings

METHODS = ("hybrid", "bigram-bm25", "jieba-bm25", "dense")
RUN_DEPTH = 100
# Called as progress(stage, done, total); stages: "embedding", "indexing", "searching".
Progress = Callable[[str, int, int], None]

# The baselines are bm25s with its own defaults, as measured in ../shared/bench/README.md.
_BASELINES = {"bigram-bm25": "bigram", "jieba-bm25": "word"}


def evaluate_retrieval(corpus_path: Path, queries_path: Path, qrels_path: Path, settings: Settings,
                       run_out: Path | None = None, progress: Progress | None = None,
                       method: str = "hybrid") -> dict:
    """Index the corpus in a temporary index, run every judged query, return recall/MRR/latency numbers."""
    if method not in METHODS:
        raise ShifuError(f"unknown retrieval method {method!r}; use one of {', '.join(METHODS)}")
    report = progress or (lambda stage, done, total: None)
    corpus = read_jsonl(Path(corpus_path))
    qrels = read_qrels(Path(qrels_path))
    queries = [q for q in read_jsonl(Path(queries_path)) if q["_id"] in qrels]
    chunks = [Chunk(id=str(r["_id"]), transcript_id=str(r["_id"]), ord=i, text=r["text"],
                    char_end=len(r["text"])) for i, r in enumerate(corpus)]

    # Chroma may still be flushing files as the folder goes; a leftover temp file is harmless.
    with tempfile.TemporaryDirectory(prefix="shifu-eval-", ignore_cleanup_errors=True) as tmp:
        scratch = settings.model_copy(update={"home": Path(tmp), "chroma_url": None, "database_url": None})
        started = time.perf_counter()
        search, close = _build(method, chunks, settings, scratch, report)
        index_s = time.perf_counter() - started
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        search("warm-up 预热", 1)  # loads the query embedder once, outside the timings

        runs: dict[str, list[tuple[str, float]]] = {}
        times_ms: list[float] = []
        cpu_ms: list[float] = []  # CPU time too: on a shared machine wall time also measures the neighbours
        for i, q in enumerate(queries):
            t0, c0 = time.perf_counter(), time.process_time()
            runs[q["_id"]] = search(q["text"], RUN_DEPTH)
            times_ms.append((time.perf_counter() - t0) * 1000)
            cpu_ms.append((time.process_time() - c0) * 1000)
            report("searching", i + 1, len(queries))
        close()

    if run_out:
        write_run(Path(run_out), runs)
    result = {"method": method, "n": len(queries)}
    result.update(score_runs(runs, qrels))
    result.update({
        "p50_ms": round(float(np.percentile(times_ms, 50)), 2) if times_ms else 0.0,
        "p95_ms": round(float(np.percentile(times_ms, 95)), 2) if times_ms else 0.0,
        "p95_cpu_ms": round(float(np.percentile(cpu_ms, 95)), 2) if cpu_ms else 0.0,
        "index_s": round(index_s, 2),
        "n_chunks": len(chunks),
        "peak_rss_mb": round(peak_rss_mb, 1),
    })
    return result


def _build(method: str, chunks: list[Chunk], settings: Settings, scratch: Settings,
           report: Progress) -> tuple[Callable[[str, int], list[tuple[str, float]]], Callable[[], None]]:
    """Index the chunks for one method; return its search function (query, k) and how to close it."""
    if method in _BASELINES:
        report("indexing", 0, 1)
        baseline = bm25s_search(chunks, ANALYZERS[_BASELINES[method]])
        report("indexing", 1, 1)
        return baseline, lambda: None

    # Vectors come from the real cache (SHIFU_HOME/cache), so a second run embeds nothing.
    embedder = get_embedder(settings)
    step = 256
    for i in range(0, len(chunks), step):
        embedder.embed([c.text for c in chunks[i : i + step]])
        report("embedding", min(i + step, len(chunks)), len(chunks))
    index = HybridIndex(scratch, embedder=embedder, name="eval")
    report("indexing", 0, 1)
    index.add(chunks)
    report("indexing", 1, 1)
    return (index.search_dense if method == "dense" else index.search), index.close


def bm25s_search(chunks: Sequence[Chunk], tokenize: Callable[[str], list[str]]
                 ) -> Callable[[str, int], list[tuple[str, float]]]:
    """bm25s with its own defaults (k1 1.5, b .75) over one tokenizer: the reference of the bench README."""
    import bm25s

    model = bm25s.BM25()
    model.index([tokenize(c.text) for c in chunks], show_progress=False)
    ids = [c.id for c in chunks]

    def search(query: str, k: int) -> list[tuple[str, float]]:
        tokens = model.get_tokens_ids(tokenize(query))
        if not tokens:
            return []
        scores = np.asarray(model.get_scores_from_ids(tokens))
        top = np.argsort(-scores, kind="stable")[:k]
        return [(ids[i], float(scores[i])) for i in top if scores[i] > 0]

    return search


def score_runs(runs: dict[str, list[tuple[str, float]]], qrels: dict[str, set[str]]) -> dict[str, float]:
    """Mean recall@1/5/10 and MRR (first relevant within the run depth) over the judged queries."""
    if not runs:
        return {"recall@1": 0.0, "recall@5": 0.0, "recall@10": 0.0, "mrr": 0.0}
    recall: dict[int, list[float]] = {1: [], 5: [], 10: []}
    rr = []
    for qid, ranked in runs.items():
        relevant = qrels[qid]
        ids = [doc for doc, _ in ranked]
        for k in recall:
            recall[k].append(len(relevant.intersection(ids[:k])) / len(relevant))
        first = next((i for i, doc in enumerate(ids, 1) if doc in relevant), None)
        rr.append(1.0 / first if first else 0.0)
    out = {f"recall@{k}": round(float(np.mean(v)), 4) for k, v in recall.items()}
    out["mrr"] = round(float(np.mean(rr)), 4)
    return out


def write_run(path: Path, runs: dict[str, list[tuple[str, float]]]) -> None:
    """TREC-style run lines `qid docid rank score`, top 100 per query."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for qid, ranked in runs.items():
            for rank, (doc, score) in enumerate(ranked[:RUN_DEPTH], 1):
                fh.write(f"{qid} {doc} {rank} {score:.6f}\n")
