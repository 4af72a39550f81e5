"""`shifu eval retrieval`: BEIR files in, recall/MRR/latency JSON out (last line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


def register_eval(eval_app: typer.Typer) -> None:
    """Add `shifu eval retrieval` to the `shifu eval` group."""

    @eval_app.command("retrieval")
    def eval_retrieval(
        corpus: Annotated[Path, typer.Option("--corpus", exists=True, dir_okay=False, help="BEIR corpus.jsonl")],
        queries: Annotated[Path, typer.Option("--queries", exists=True, dir_okay=False, help="BEIR queries.jsonl")],
        qrels: Annotated[Path, typer.Option("--qrels", exists=True, dir_okay=False, help="BEIR qrels.tsv")],
        run_out: Annotated[Path | None, typer.Option(
            "--run-out", help="Write run lines `qid docid rank score` (top 100) here.")] = None,
        method: Annotated[str, typer.Option(
            "--method", help="hybrid (the configured retrieval), bigram-bm25, jieba-bm25 or dense.")] = "hybrid",
    ) -> None:
        """Index each corpus record as one chunk in a temporary index, run every query, print metrics."""
        from rag.evaluate import evaluate_retrieval
        from ui.cli.context import command_context

        ctx = command_context()
        stderr = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=stderr, transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            result = evaluate_retrieval(corpus, queries, qrels, ctx.settings, run_out=run_out,
                                        progress=progress, method=method)
        typer.echo(json.dumps(result, ensure_ascii=False))
