"""`shifu eval qa`: answer every question of a BEIR set and check each answer against gold.

Each corpus record becomes one chunk (its own transcript) in a temporary index; the
embedding cache in SHIFU_HOME is reused, so a second run does not embed again.

- answer_contains_gold: the answer text (at most 150 characters) contains a gold answer
  (a not-covered answer contains none);
- cited_fraction: answers with at least one citation; covered_fraction: answers not
  "not covered"; cited_relevant: answers citing a chunk the qrels name for the query;
- p50_ms / p95_ms: retrieval plus answer, per question, index already built.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.answer import ANSWER_LIMIT, answer_from_hits, baseline_answer
from rag.beir import read_jsonl, read_qrels
from rag.evaluate import bm25s_search
from rag.lexical import bigram_tokens
from shifu.context import Context
from shifu.errors import ShifuError
from shifu.models import Answer, Chunk, SearchHit

__all__ = ["evaluate_qa", "read_corpus", "read_queries"]

Search = Callable[[str, int], list[tuple[str, float]]]


def read_corpus(path: Path) -> list[Chunk]:
    """BEIR corpus records as chunks; a record's `parent` (when given) is its transcript."""
    chunks = []
    for i, rec in enumerate(read_jsonl(path)):
        start = int(rec.get("start") or 0)
        text = str(rec["text"])
        chunks.append(Chunk(id=str(rec["_id"]), transcript_id=str(rec.get("parent") or rec["_id"]), ord=i,
                            text=text, char_start=start, char_end=start + len(text)))
    return chunks


def read_queries(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """BEIR queries with their gold `answers` (a query without answers can never score)."""
    out = []
    for rec in read_jsonl(path):
        out.append({"id": str(rec["_id"]), "text": str(rec["text"]), "answers": list(rec.get("answers") or [])})
        if limit is not None and len(out) >= limit:
            break
    return out


# --- indexes ---------------------------------------------------------------------------------


def _baseline_search(chunks: Sequence[Chunk]) -> Search:
    """Character-bigram BM25 (bm25s defaults) — the reference retrieval of the bench README."""
    return bm25s_search(chunks, bigram_tokens)


def _system_search(ctx: Context, chunks: Sequence[Chunk], folder: Path) -> tuple[Search, Any]:
    """shifu's hybrid index over the chunks, built in `folder`, embeddings cached in SHIFU_HOME; and the index."""
    from rag.index import HybridIndex

    scratch = ctx.settings.model_copy(update={"home": folder, "chroma_url": None, "database_url": None})
    index = HybridIndex(scratch, embedder=ctx.embedder, name="eval_qa")
    index.add(list(chunks))
    return (lambda query, k: index.search(query, k=k)), index


# --- the run ---------------------------------------------------------------------------------


def evaluate_qa(
    ctx: Context,
    corpus: Path,
    queries: Path,
    qrels: Path,
    answers_out: Path,
    *,
    method: str = "system",
    limit: int | None = None,
    mode: str | None = None,
    k: int = 5,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Answer every query, write one JSON line per answer to `answers_out`, return the summary.

    `method="both"` runs the baseline and then the system on the same questions, writes the
    baseline's answers next to `answers_out` (suffix .baseline.jsonl) and nests its summary.
    """
    if method not in ("system", "baseline", "both"):
        raise ShifuError(f"--method {method!r} is not supported; use 'system', 'baseline' or 'both'")
    mode = mode or ctx.settings.qa_mode
    say = progress or (lambda _msg: None)
    chunks = read_corpus(corpus)
    questions = read_queries(queries, limit)
    relevant = read_qrels(qrels)
    answers_out.parent.mkdir(parents=True, exist_ok=True)
    if method == "both":
        base_out = answers_out.with_name(answers_out.stem + ".baseline.jsonl")
        baseline = _run(ctx, chunks, questions, relevant, base_out, "baseline", mode, k, say)
        summary = _run(ctx, chunks, questions, relevant, answers_out, "system", mode, k, say)
        summary["baseline"] = baseline
        return summary
    return _run(ctx, chunks, questions, relevant, answers_out, method, mode, k, say)


def _run(ctx: Context, chunks: list[Chunk], questions: list[dict[str, Any]], relevant: dict[str, set[str]],
         answers_out: Path, method: str, mode: str, k: int, say: Callable[[str], None]) -> dict[str, Any]:
    by_id = {c.id: c for c in chunks}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shifu-eval-qa-") as tmp:
        say(f"indexing {len(chunks)} chunks ({method})")
        if method == "baseline":
            search, index = _baseline_search(chunks), None
        else:
            search, index = _system_search(ctx, chunks, Path(tmp))
        index_s = time.perf_counter() - started
        if questions:  # load models before the clock runs: a worker's first question is not the measure
            search(questions[0]["text"], k)
        say(f"answering {len(questions)} questions ({method})")
        rows, times = [], []
        with open(answers_out, "w", encoding="utf-8") as out:
            for q in questions:
                t0 = time.perf_counter()
                hits = _hits(search(q["text"], k), by_id)
                if method == "baseline":
                    answer = baseline_answer(q["text"], hits)
                else:
                    assert index is not None  # the system's search always comes with its index
                    # the index also answers "does the library ever mention this noun?" (is_covered)
                    answer = answer_from_hits(ctx, q["text"], hits, mode=mode, embedder=index.embedder,
                                              library=index)
                times.append((time.perf_counter() - t0) * 1000)
                row = _row(q, answer, relevant.get(q["id"], set()))
                rows.append(row)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return _summary(rows, times, method=method, mode=mode, n_chunks=len(chunks), index_s=index_s)


def _hits(found: list[tuple[str, float]], by_id: dict[str, Chunk]) -> list[SearchHit]:
    return [SearchHit(chunk=by_id[cid], score=score, rank=r, transcript_title=by_id[cid].transcript_id)
            for r, (cid, score) in enumerate(found, 1) if cid in by_id]


def _row(q: dict[str, Any], answer: Answer, relevant: set[str]) -> dict[str, Any]:
    text = answer.answer if answer.covered else ""
    return {
        "id": q["id"],
        "answer": answer.answer,
        "citations": [{"n": c.n, "chunk_id": c.chunk_id, "transcript_id": c.transcript_id, "quote": c.quote,
                       "start": c.start, "end": c.end} for c in answer.citations],
        "covered": answer.covered,
        "contains_gold": bool(text) and len(text) <= ANSWER_LIMIT and any(g and g in text for g in q["answers"]),
        "cites_relevant": any(c.chunk_id in relevant for c in answer.citations),
    }


def _summary(rows: list[dict[str, Any]], times: list[float], *, method: str, mode: str, n_chunks: int,
             index_s: float) -> dict[str, Any]:
    n = len(rows)

    def share(key: str) -> float:
        return round(sum(1 for r in rows if r[key]) / n, 4) if n else 0.0

    ordered = sorted(times)
    return {
        "n": n,
        "method": method,
        "mode": mode,
        "chunks": n_chunks,
        "answer_contains_gold": share("contains_gold"),
        "cited_fraction": round(sum(1 for r in rows if r["citations"]) / n, 4) if n else 0.0,
        "covered_fraction": share("covered"),
        "cited_relevant": share("cites_relevant"),
        "p50_ms": round(statistics.median(ordered), 1) if ordered else 0.0,
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1) if ordered else 0.0,
        "index_s": round(index_s, 1),
    }
