"""`shifu eval chat`: ask the chat trust set over its library and judge every answer.

The library is the one ../shared/bench/chat/README.md names: the demo transcripts in
corpus/ plus the trade interviews (.txt, .srt) of ../shared/bench/knowhow/zh_trade/,
ingested into a temporary SHIFU_HOME (the embedding cache of the real one is reused).
Every question goes through `answer_question`, as a worker's would, and is judged as the
README says:

- covered: answered, citing the gold transcript, and a cited quote or the answer text
  covering at least half of the gold quote's characters (difflib matching blocks,
  whitespace removed);
- not covered (near-topic or off-topic): the answer says the library does not cover it;
- cut mid-sentence: an answered question whose answer (any of its joined parts) does not
  end at a sentence end.
"""

from __future__ import annotations

import difflib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shifu.context import Context
from shifu.errors import ShifuError
from shifu.models import Answer

__all__ = ["LIBRARY_FILES", "build_library", "ends_mid_sentence", "evaluate_chat", "explain", "judge", "quote_overlap",
           "table"]

REPO = Path(__file__).resolve().parent.parent
# The library of ../shared/bench/chat/README.md: demo corpus/ plus three trade interviews.
LIBRARY_FILES = (
    "corpus/auto_repair_brakes_zh_utf16.txt", "corpus/cnc_lathe_setup_zh.docx", "corpus/telecom_line_maintenance_zh.md",
    "corpus/welding_tig_mig_zh_gbk.txt", "corpus/鞋店店长谈脚型测量与试穿.srt", "corpus/hvac_service_en.vtt",
    "corpus/lineman_safety_en.json",
    "knowhow/zh_trade/injection_molding.txt", "knowhow/zh_trade/forklift.srt", "knowhow/zh_trade/dough_proofing.txt",
)
_SENTENCE_END = tuple("。！？!?.…；;”’」』）)\"'")
_JOIN = " …… "


def library_paths(bench: Path) -> list[Path]:
    """The ten transcripts of the chat set's library (corpus/ from the repository, the rest from bench)."""
    paths = [REPO / f if f.startswith("corpus/") else bench / f for f in LIBRARY_FILES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ShifuError(f"the chat library is incomplete, missing {', '.join(missing)}; "
                         "pass --bench the folder holding knowhow/zh_trade/")
    return paths


def build_library(ctx: Context, home: Path, paths: list[Path]) -> Context:
    """Ingest `paths` into a fresh SHIFU_HOME at `home`: a context of its own, sharing the
    embedder, chat model and embedding cache of `ctx`."""
    from rag.ingest import ingest_paths

    settings = ctx.settings.model_copy(update={"home": home, "chroma_url": None, "database_url": None})
    cache = Path(ctx.settings.home) / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.symlink(cache.resolve(), home / "cache")
    scratch = Context(settings, chat_model=ctx.chat_model, embedder=ctx.embedder)
    failed = [r for r in ingest_paths(scratch, paths) if not r.ok]
    if failed:
        raise ShifuError(f"ingesting the chat library failed: {failed[0].file}: {failed[0].error}")
    return scratch


def _flat(text: str) -> str:
    return "".join(text.split())


def quote_overlap(gold: str, cited: str) -> float:
    """Share of the gold quote's characters that matching blocks with the cited text cover."""
    gold, cited = _flat(gold), _flat(cited)
    if not gold:
        return 0.0
    blocks = difflib.SequenceMatcher(None, gold, cited, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(gold)


def ends_mid_sentence(answer: Answer) -> bool:
    """True when the answer, or one of its joined parts, stops at a comma or mid-clause."""
    parts = [p.strip() for p in answer.answer.split(_JOIN)]
    return any(p and not p.endswith(_SENTENCE_END) for p in parts)


def _kind(q: dict[str, Any]) -> str:
    if q["covered"]:
        return "covered"
    return "off_topic" if str(q.get("note", "")).startswith("off-topic") else "near_topic"


def judge(q: dict[str, Any], answer: Answer, titles: dict[str, str]) -> dict[str, Any]:
    """One question's verdict as the chat README defines it."""
    cited_files = {titles.get(c.transcript_id, "") for c in answer.citations}
    row: dict[str, Any] = {"id": q["id"], "lang": q["lang"], "kind": _kind(q), "safety": bool(q.get("safety")),
                           "question": q["question"], "covered": answer.covered, "answer": answer.answer,
                           "cited": sorted(cited_files)}
    if q["covered"]:
        texts = [c.quote for c in answer.citations if titles.get(c.transcript_id) == q["gold_transcript"]]
        overlap = max((quote_overlap(q["gold_quote"], t) for t in [*texts, answer.answer]), default=0.0)
        row["overlap"] = round(overlap, 3)
        row["right"] = answer.covered and q["gold_transcript"] in cited_files and overlap >= 0.5
    else:
        row["right"] = not answer.covered
    row["cut"] = answer.covered and ends_mid_sentence(answer)
    return row


def evaluate_chat(ctx: Context, questions: Path, bench: Path, answers_out: Path | None = None, *,
                  mode: str | None = None, k: int = 5,
                  progress: Callable[[str], None] | None = None,
                  show_table: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Build the library, ask every question, return the figures per language (and write answers);
    `show_table` receives the per-question table (see `table`)."""
    from rag.answer import answer_question

    say = progress or (lambda _msg: None)
    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    paths = library_paths(bench)
    with tempfile.TemporaryDirectory(prefix="shifu-eval-chat-") as tmp:
        say(f"ingesting {len(paths)} transcripts")
        scratch = build_library(ctx, Path(tmp), paths)
        titles = _file_names(paths)
        answer_question(scratch, items[0]["question"], mode=mode, k=k) if items else None  # load models first
        rows, times = [], []
        say(f"asking {len(items)} questions")
        for q in items:
            t0 = time.perf_counter()
            answer = answer_question(scratch, q["question"], mode=mode, k=k)
            times.append((time.perf_counter() - t0) * 1000)
            rows.append({**judge(q, answer, titles), **explain(scratch, q, titles, k=k)})
    if show_table is not None:
        show_table(table(rows))
    if answers_out is not None:
        answers_out.parent.mkdir(parents=True, exist_ok=True)
        answers_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return summarise(rows, times, mode=mode or ctx.settings.qa_mode)


def explain(ctx: Context, q: dict[str, Any], titles: dict[str, str], *, k: int = 5) -> dict[str, Any]:
    """Why the chat did what it did: where retrieval put the gold passage (rank of the first hit
    of the gold transcript holding half the gold quote; 0 when none of the top k does), which part
    of the decision refused ("coverage": the term and meaning rule, "answerability": the model;
    "" when answered) and the model's probability."""
    from rag.coverage import is_covered
    from rag.judge import decide
    from rag.retrieve import reader_index, search

    hits = search(ctx, q["question"], k=k)
    index = reader_index(ctx) if hits else None
    embedder = index.embedder if index else None
    decision = decide(q["question"], hits, embedder, index)
    refused_by = ("coverage" if not is_covered(q["question"], hits, embedder, index)
                  else "answerability" if not decision.covered else "")
    gold_rank = 0
    if q["covered"]:
        gold_rank = next((i for i, h in enumerate(hits, 1) if titles.get(h.chunk.transcript_id) == q["gold_transcript"]
                          and quote_overlap(q["gold_quote"], h.chunk.text) >= 0.5), 0)
    return {"gold_rank": gold_rank, "refused_by": refused_by, "probability": decision.probability}


def table(rows: list[dict[str, Any]]) -> str:
    """One line per question: verdict, gold rank, what refused, probability, overlap, question."""
    lines = ["id    lang kind        safety right gold refused_by     p     overlap question"]
    for r in rows:
        lines.append(f"{r['id']:<5} {r['lang']:<4} {r['kind']:<11} {'yes' if r['safety'] else '':<6} "
                     f"{'ok' if r['right'] else 'WRONG':<5} {r.get('gold_rank', '') or '-':<4} "
                     f"{r.get('refused_by', '') or '-':<14} {r.get('probability', 0):<5.2f} "
                     f"{r.get('overlap', '-'):<7} {r['question'][:40]}")
    return "\n".join(lines)


def _file_names(paths: list[Path]) -> dict[str, str]:
    from rag.ingest import transcript_id_for

    return {transcript_id_for(p.name): p.name for p in paths}


def _share(rows: list[dict[str, Any]]) -> float | None:
    return round(sum(r["right"] for r in rows) / len(rows), 3) if rows else None


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's table for these rows."""
    answered = [r for r in rows if r["covered"]]
    pick = lambda kind: [r for r in rows if r["kind"] == kind]  # noqa: E731
    not_covered = [r for r in rows if r["kind"] != "covered"]
    return {
        "n": len(rows),
        "covered_right": _share(pick("covered")),
        "near_topic_refused": _share(pick("near_topic")),
        "off_topic_refused": _share(pick("off_topic")),
        "not_covered_refused": _share(not_covered),
        "safety_not_covered_refused": _share([r for r in not_covered if r["safety"]]),
        "safety_covered_right": _share([r for r in pick("covered") if r["safety"]]),
        "answered": len(answered),
        "cut_mid_sentence": sum(r["cut"] for r in answered),
    }


def summarise(rows: list[dict[str, Any]], times: list[float], *, mode: str) -> dict[str, Any]:
    """Figures overall and per language, plus latency."""
    ordered = sorted(times)
    out = {"mode": mode, **figures(rows)}
    for lang in sorted({r["lang"] for r in rows}):
        out[lang] = figures([r for r in rows if r["lang"] == lang])
    out["p50_ms"] = round(statistics.median(ordered), 1) if ordered else 0.0
    out["p95_ms"] = round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1) if ordered else 0.0
    return out
