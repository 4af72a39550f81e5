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
    """Add `shifu eval retrieval` and `shifu eval scale` to the `shifu eval` group."""

    @eval_app.command("scale")
    def eval_scale(
        sizes: Annotated[str, typer.Option(
            "--sizes", help="Library sizes in chunks, comma-separated (e.g. 10000,100000,300000).")] = "10000,100000",
        bench: Annotated[Path, typer.Option(
            "--bench", exists=True, file_okay=False, help="The bench folder (cmrc2018, webqa, vcsum).")] = Path(
            "../shared/bench"),
    ) -> None:
        """Grow a synthetic library (bench passages, random vectors) per size; print build, memory, disk,
        add/remove of one interview, the chat's search p50/p95, start-up and cross-process seconds."""
        from rag.evaluate_scale import evaluate_scale

        try:
            chosen = [int(x.replace("_", "")) for x in sizes.split(",") if x.strip()]
        except ValueError:
            raise typer.BadParameter(f"--sizes {sizes!r}: write whole numbers separated by commas, "
                                     "e.g. 10000,100000") from None
        result = evaluate_scale(chosen, bench)
        for row in result["sizes"]:
            typer.echo(json.dumps(row, ensure_ascii=False), err=True)
        typer.echo(json.dumps(result, ensure_ascii=False))

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
