"""Commands of the Q&A area: `shifu ask`, `shifu gaps ls|plan|close|reopen`, `shifu eval qa|chat`.

The LLM layer's `shifu prompts ...` and `shifu logs` live in ui/cli/prompts.py and are
registered from here when that module is present.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shifu.timecode import clock
from ui.cli.context import command_context

console = Console()
err = Console(stderr=True)

gaps_app = typer.Typer(help="Questions the material did not cover: the trainer's interview backlog.",
                       no_args_is_help=True)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
    app.command("ask")(ask_cmd)
    app.add_typer(gaps_app, name="gaps")
    eval_app.command("qa")(eval_qa_cmd)
    eval_app.command("chat")(eval_chat_cmd)


# --- shifu ask ---------------------------------------------------------------------------


def ask_cmd(
    question: str = typer.Argument(..., help="The question, e.g. 焊缝发蓝是什么原因？"),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as one JSON object."),
    scope: str = typer.Option("all", "--scope", help="`published` (what workers see) or `all`."),
    mode: str | None = typer.Option(None, "--mode", help="`offline` or `llm`; default SHIFU_QA_MODE."),
    k: int = typer.Option(5, "--k", min=1, max=20, help="How many chunks to retrieve."),
) -> None:
    """Answer a question from the interviews, with numbered citations (or say it is not covered)."""
    from rag.answer import answer_question

    ctx = command_context()
    streamed: list[str] = []
    stream = None
    if not as_json and (mode or ctx.settings.qa_mode) == "llm":
        def stream(token: str) -> None:
            streamed.append(token)
            console.print(token, end="", markup=False, highlight=False, soft_wrap=True)

    answer = answer_question(ctx, question, scope=scope, mode=mode, k=k, on_token=stream)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False))
        return
    if streamed:
        console.print()
    else:
        console.print(escape(answer.answer), highlight=False)
    if not answer.valid:
        for problem in answer.problems:
            err.print(f"[yellow]warning:[/yellow] {escape(problem)}")
    _print_citations(answer)


def answer_json(answer) -> dict:
    """The `--json` shape of an answer."""
    return {
        "answer": answer.answer,
        "citations": [
            {"n": c.n, "chunk_id": c.chunk_id, "transcript_id": c.transcript_id, "quote": c.quote,
             "start": c.start, "end": c.end, "t_start": c.t_start, "t_end": c.t_end,
             "title": c.transcript_title, "speaker": c.speaker}
            for c in answer.citations
        ],
        "covered": answer.covered,
        "mode": answer.mode,
        "valid": answer.valid,
    }


def _print_citations(answer) -> None:
    from rag.answer import EXCERPT_LABEL
    from rag.language import detect_language

    if not answer.citations:
        return
    console.print()
    console.print(f"[dim]{EXCERPT_LABEL[detect_language(answer.question or answer.answer)]}[/dim]")
    for c in answer.citations:
        where = " · ".join(x for x in (c.transcript_title, c.speaker,
                                       clock(c.t_start)) if x)
        console.print(f"[bold][{c.n}][/bold] {escape(where)}", highlight=False)
        console.print("    " + escape(c.quote).replace("\n", "\n    "), highlight=False)


# --- shifu gaps --------------------------------------------------------------------------


@gaps_app.command("ls")
def gaps_ls(
    status: str | None = typer.Option(None, "--status", help="open, planned or closed; default all."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per gap."),
) -> None:
    """List questions the material did not cover, newest first."""
    from rag.gaps import list_gaps

    ctx = command_context()
    gaps = list_gaps(ctx, status=status)
    if as_json:
        for g in gaps:
            typer.echo(g.model_dump_json())
        return
    if not gaps:
        others = len(list_gaps(ctx)) if status else 0
        console.print(f"no {status} knowledge gaps ({others} in other states; `shifu gaps ls` lists them)" if others
                      else f"no {status + ' ' if status else ''}knowledge gaps recorded", highlight=False)
        return
    table = Table("id", "question", "asked by", "scope", "best score", "status", "asked at")
    for g in gaps:
        table.add_row(str(g.id), escape(g.question), escape(g.asked_by or ""), g.scope,
                      "" if g.best_score is None else f"{g.best_score:.2f}", g.status,
                      g.created_at.strftime("%Y-%m-%d %H:%M") if g.created_at else "")
    console.print(table)


def _set_status(gap_id: int, status: str) -> None:
    from rag.gaps import set_gap_status

    gap = set_gap_status(command_context(), gap_id, status)
    console.print(f"gap {gap.id} is now {gap.status}: {escape(gap.question)}", highlight=False)


@gaps_app.command("close")
def gaps_close(gap_id: int = typer.Argument(..., help="Gap id from `shifu gaps ls`.")) -> None:
    """Close a gap: the material now answers it (or it is out of scope)."""
    _set_status(gap_id, "closed")


@gaps_app.command("plan")
def gaps_plan(gap_id: int = typer.Argument(..., help="Gap id from `shifu gaps ls`.")) -> None:
    """Mark a gap as planned: it is on the list for the next interview."""
    _set_status(gap_id, "planned")


@gaps_app.command("reopen")
def gaps_reopen(gap_id: int = typer.Argument(..., help="Gap id from `shifu gaps ls`.")) -> None:
    """Open a closed or planned gap again."""
    _set_status(gap_id, "open")


# --- shifu eval qa -----------------------------------------------------------------------


def eval_qa_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", exists=True, dir_okay=False, help="BEIR corpus.jsonl.")],
    queries: Annotated[Path, typer.Option("--queries", exists=True, dir_okay=False,
                                          help="queries.jsonl with gold `answers`.")],
    qrels: Annotated[Path, typer.Option("--qrels", exists=True, dir_okay=False, help="qrels.tsv.")],
    answers_out: Annotated[Path, typer.Option("--answers-out", dir_okay=False,
                                              help="Write one JSON line per query here.")],
    method: str = typer.Option("system", "--method", help="`system` (shifu's Q&A), `baseline` (BM25 top chunk → "
                               "sentence with most shared character bigrams) or `both` (baseline, then system)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Answer only the first N queries."),
    mode: str | None = typer.Option(None, "--mode", help="`offline` or `llm`; default SHIFU_QA_MODE."),
) -> None:
    """Answer every query of a BEIR set; print a summary JSON line last (answer contains gold, cited, p95 ms)."""
    from rag.evaluate_qa import evaluate_qa

    summary = evaluate_qa(command_context(), corpus, queries, qrels, answers_out, method=method, limit=limit,
                          mode=mode, progress=lambda msg: err.print(f"[dim]{escape(msg)}[/dim]"))
    typer.echo(json.dumps(summary, ensure_ascii=False))


# --- shifu eval chat ---------------------------------------------------------------------

_BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench"


def eval_chat_cmd(
    questions: Annotated[Path, typer.Option("--questions", exists=True, dir_okay=False,
                                            help="questions.jsonl of a chat trust set (../shared/bench/chat/).")],
    bench: Annotated[Path, typer.Option("--bench", exists=True, file_okay=False,
                                        help="Bench folder holding knowhow/zh_trade/ (the trade interviews).")] = _BENCH,
    answers_out: Annotated[Path | None, typer.Option("--answers-out", dir_okay=False,
                                                     help="Write one JSON line per question here.")] = None,
    mode: str | None = typer.Option(None, "--mode", help="`offline` or `llm`; default SHIFU_QA_MODE."),
    show_table: bool = typer.Option(False, "--table", help="Print one line per question (verdict, rank of the "
                                    "gold passage, what refused, probability, quote overlap) before the figures."),
) -> None:
    """Ask a chat trust set over its library (demo corpus + trade interviews); print the figures, JSON last."""
    from rag.evaluate_chat import evaluate_chat

    summary = evaluate_chat(command_context(), questions, bench, answers_out, mode=mode,
                            progress=lambda msg: err.print(f"[dim]{escape(msg)}[/dim]"),
                            show_table=(lambda text: err.print(escape(text), highlight=False, soft_wrap=True)) if show_table else None)
    for lang in ("zh", "en"):
        if lang in summary:
            f = summary[lang]
            err.print(f"{lang}: covered right {f['covered_right']}, near-topic refused {f['near_topic_refused']}, "
                      f"off-topic refused {f['off_topic_refused']}, safety not covered refused "
                      f"{f['safety_not_covered_refused']}, cut mid-sentence {f['cut_mid_sentence']}/{f['answered']}",
                      highlight=False)
    typer.echo(json.dumps(summary, ensure_ascii=False))
