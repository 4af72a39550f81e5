"""Commands of the ingest area: `shifu ingest`, `shifu transcripts ...`, `shifu search`, `shifu eval ingest`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shifu.models import Chunk
from shifu.timecode import clock
from ui.cli.context import command_context
from ui.cli.eval_retrieval import register_eval

console = Console()
err = Console(stderr=True)

_REF_HELP = "Transcript id (or a unique prefix, or the file name)."

transcripts_app = typer.Typer(help="The transcript library: list, show, record consent, remove, check.", no_args_is_help=True)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
    app.command("ingest")(ingest_cmd)
    app.command("search")(search_cmd)
    app.add_typer(transcripts_app, name="transcripts")
    eval_app.command("ingest")(eval_ingest_cmd)
    register_eval(eval_app)


def _table(*names: str) -> Table:
    """Ids and numbers are never cut or wrapped (users type ids next); text columns wrap."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in names:
        if name in ("id", "turns", "chunks", "status", "lang", "consent", "date"):
            table.add_column(name, no_wrap=True, min_width=14 if name == "id" else max(len(name), 4))
        else:
            table.add_column(name, max_width=40, min_width=6)
    return table


def _wait_notice(message: str) -> None:
    err.print(f"[yellow]{escape(message)}[/yellow]")


# --- shifu ingest ----------------------------------------------------------------------


def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (walked recursively).")],
    expert: Annotated[str | None, typer.Option(
        "--expert", help="The master's name as the speaker label; re-assigns roles.")] = None,
    trade: Annotated[str | None, typer.Option("--trade", help="Trade (工种), e.g. 焊工.")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="Enterprise the master works for.")] = None,
    interview_date: Annotated[str | None, typer.Option("--date", help="Interview date, YYYY-MM-DD.")] = None,
    consent: Annotated[bool | None, typer.Option(
        "--consent/--no-consent", help="The master agreed to this use (needed to publish a course).")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace a transcript a course was drafted from by the file with the same name "
                          "(shows the diff; refused while the course is published).")] = False,
) -> None:
    """Ingest interview transcripts (.txt .md .srt .vtt .docx .json) into the library and the index."""
    from rag.ingest import IngestResult, ingest_paths

    ctx = command_context()
    if interview_date is not None:
        try:
            date.fromisoformat(interview_date)
        except ValueError:
            err.print(f"[red]error:[/red] --date {escape(interview_date)!s} is not a date; write it as YYYY-MM-DD")
            raise typer.Exit(2) from None
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("ingesting", total=None)

        def advance(result: IngestResult, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=escape(Path(result.file).name))

        results = ingest_paths(ctx, paths, progress=advance, on_wait=_wait_notice, expert=expert,
                               trade=trade, enterprise=enterprise, interview_date=interview_date, consent=consent,
                               replace=replace)
    if not results:
        err.print("[red]error:[/red] no transcript files found (supported: .txt .md .srt .vtt .docx .json)")
        raise typer.Exit(1)
    table = _table("file", "id", "title", "turns", "chunks", "status")
    colours = {"added": "green", "replaced": "cyan", "unchanged": "dim", "failed": "red"}
    for r in results:
        table.add_row(escape(Path(r.file).name), r.transcript_id, escape(r.title), str(r.turns), str(r.chunks),
                      f"[{colours[r.status]}]{r.status}[/]")
    console.print(table)
    for r in results:
        for warning in r.warnings:
            err.print(f"[yellow]! {escape(Path(r.file).name)}: {escape(warning)}[/yellow]", highlight=False)
        if r.status == "replaced" and r.diff:
            console.print(f"[bold]{escape(Path(r.file).name)}[/bold]: what changed / 改动", highlight=False)
            console.print(escape(r.diff), highlight=False)
    failed = [r for r in results if not r.ok]
    for r in failed:  # Chinese first, English under it
        zh = r.error_in("zh")
        err.print(f"[red]✗ {escape(zh)}[/red]", highlight=False)
        if zh != r.error:
            err.print(f"  {escape(r.error)}", highlight=False)
    if failed:
        err.print(f"[red]{len(failed)} 个文件导入失败（共 {len(results)} 个）/ {len(failed)} of {len(results)} files failed[/red]")
        raise typer.Exit(1)


# --- shifu transcripts -------------------------------------------------------------------


@transcripts_app.command("ls")
def transcripts_ls() -> None:
    """List the transcripts in the library."""
    from rag.catalog import list_transcripts

    rows = list_transcripts(command_context())
    if not rows:
        console.print("no transcripts yet; add some with `shifu ingest PATH`")
        return
    table = _table("id", "title", "expert", "trade", "lang", "turns", "chunks", "consent", "date")
    for t in rows:
        table.add_row(t.id, escape(t.title), escape(t.expert or ""), escape(t.trade or ""), t.language,
                      str(t.turns), str(t.chunks), "yes" if t.consent else "no", t.interview_date or "")
    console.print(table)


@transcripts_app.command("show")
def transcripts_show(ref: Annotated[str, typer.Argument(help=_REF_HELP)]) -> None:
    """Show a transcript's metadata and turns, with where each chunk starts."""
    from rag.catalog import get_chunks, get_info, get_transcript, resolve_id

    ctx = command_context()
    tid = resolve_id(ctx, ref)
    info, transcript, chunks = get_info(ctx, tid), get_transcript(ctx, tid), get_chunks(ctx, tid)
    meta = Table.grid(padding=(0, 2))
    for key in ("id", "title", "expert", "trade", "enterprise", "language", "interview_date", "consent",
                "source_name", "turns", "chunks", "chars", "uploaded_by", "created_at"):
        value = getattr(info, key)
        meta.add_row(f"[bold]{key}[/bold]", escape("" if value is None else str(value)))
    console.print(meta)
    console.print()
    starts = sorted(chunks, key=lambda c: c.char_start)
    pos = 0
    for turn in transcript.turns:
        # Chunk boundaries are drawn where they fall, inside a turn if a long answer was split.
        while pos < len(starts) and starts[pos].char_start <= turn.char_start:
            _chunk_rule(starts[pos])
            pos += 1
        when = f"[{clock(turn.start)}–{clock(turn.end)}] " if turn.start is not None else ""
        console.print(f"[dim]{escape(when)}[/dim][bold]{escape(turn.speaker)}[/bold] [dim]({turn.role})[/dim]:",
                      highlight=False)
        cut = turn.char_start
        while pos < len(starts) and starts[pos].char_start < turn.char_end:
            console.print("  " + escape(transcript.text[cut:starts[pos].char_start]), highlight=False)
            _chunk_rule(starts[pos])
            cut = starts[pos].char_start
            pos += 1
        console.print("  " + escape(transcript.text[cut:turn.char_end]), highlight=False)


def _chunk_rule(c: Chunk) -> None:
    console.print(f"[magenta]── chunk {c.ord} {c.id} · {c.n_tokens} tokens · chars {c.char_start}–{c.char_end} ──[/magenta]")


@transcripts_app.command("consent")
def transcripts_consent(
    ref: Annotated[str, typer.Argument(help=_REF_HELP)],
    given: Annotated[bool, typer.Option("--yes/--no", help="The master agreed (--yes) or withdrew (--no).")] = True,
) -> None:
    """Record whether the master agreed to this interview being used for training (needed to publish)."""
    from extraction.publishing import courses_drafted_from
    from rag.catalog import get_info, resolve_id, update_metadata

    ctx = command_context()
    tid = resolve_id(ctx, ref)
    update_metadata(ctx, tid, consent=given)
    info = get_info(ctx, tid)
    if given:
        console.print(f"consent recorded for {tid} ({escape(info.title)})", highlight=False)
        return
    console.print(f"consent withdrawn for {tid} ({escape(info.title)}); courses drafted from it cannot be "
                  "published", highlight=False)
    for course in courses_drafted_from(ctx, tid):
        if course.status == "published":
            console.print(f"[yellow]{escape(course.title)} ({course.id}) is still published; "
                          f"unpublish it with `shifu courses unpublish {course.id}`[/yellow]", highlight=False)


@transcripts_app.command("rm")
def transcripts_rm(
    ref: Annotated[str, typer.Argument(help=_REF_HELP)],
    force: Annotated[bool, typer.Option("--force", help="Remove it even though a published course uses it.")] = False,
) -> None:
    """Remove a transcript from the library and from the index (Chroma, BM25 and SQL)."""
    from extraction.publishing import courses_drafted_from
    from rag.catalog import get_info, resolve_id
    from rag.ingest import remove_transcript
    from shifu.errors import ShifuError

    ctx = command_context()
    tid = resolve_id(ctx, ref)
    info = get_info(ctx, tid)
    courses = courses_drafted_from(ctx, tid)
    published = [c for c in courses if c.status == "published"]
    if published and not force:
        raise ShifuError(
            f"{info.source_name or tid} is the source of published course(s) {_named(published)}: workers' questions "
            "would lose its quotes; unpublish them first (`shifu courses unpublish ID`) or pass --force"
        )
    remove_transcript(ctx, tid, on_wait=_wait_notice)
    console.print(f"removed {tid} ({escape(info.title)}): {info.turns} turns, {info.chunks} chunks")
    if courses:
        err.print(f"[yellow]courses drafted from it keep their text but cannot be published again without it: "
                  f"{escape(_named(courses))}[/yellow]", highlight=False)


def _named(courses: list) -> str:
    return ", ".join(f"{c.id} ({c.title}, {c.status})" for c in courses)


@transcripts_app.command("check")
def transcripts_check(
    fix: Annotated[bool, typer.Option("--fix", help="Repair differences (takes the writer lock).")] = False,
) -> None:
    """Check that SQL, Chroma and BM25 hold the same chunks; the last line is JSON."""
    from rag.ingest import check_consistency, repair_or_rebuild
    from shifu.errors import IndexDamaged

    ctx = command_context()
    if fix:
        done = repair_or_rebuild(ctx, on_wait=_wait_notice)
        if done:
            console.print(escape(done), highlight=False)
    try:
        report = check_consistency(ctx, on_wait=_wait_notice)
    except IndexDamaged as exc:
        if exc.zh:
            err.print(f"[red]错误：[/red]{escape(exc.zh)}", highlight=False)
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    summary = {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}
    colour = "green" if report["consistent"] else "red"
    console.print(f"[{colour}]{'consistent' if report['consistent'] else 'NOT consistent'}[/{colour}]: "
                  f"{report['sql_chunks']} chunks in SQL, {report['chroma_chunks']} in Chroma, "
                  f"{report['bm25_chunks']} in BM25")
    print(json.dumps(summary, ensure_ascii=False))
    if not report["consistent"]:
        err.print("run `shifu transcripts check --fix` to repair")
        raise typer.Exit(1)


# --- shifu search ------------------------------------------------------------------------


def search_cmd(
    query: Annotated[str, typer.Argument(help="What to look for, in Chinese or English.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many chunks to show.")] = 5,
) -> None:
    """Search all ingested transcripts; shows ranked chunks with transcript, speaker, time and score."""
    from rag.retrieve import search

    hits = search(command_context(), query, k=k)
    if not hits:
        console.print("nothing found; ingest transcripts with `shifu ingest PATH` or try other words")
        return
    for hit in hits:
        c = hit.chunk
        when = f" · {clock(c.t_start)}–{clock(c.t_end)}" if c.t_start is not None else ""
        console.print(f"[bold]{hit.rank}.[/bold] [cyan]{hit.score:.3f}[/cyan]  [bold]{escape(hit.transcript_title)}[/bold]"
                      f" · {escape('、'.join(c.speakers))}{when} [dim]· {c.transcript_id} {c.id}[/dim]",
                      highlight=False)
        console.print(f"   {escape(snippet(c.text, 160))}", highlight=False)



def snippet(text: str, width: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# --- shifu eval ingest -------------------------------------------------------------------


def eval_ingest_cmd(
    file: Annotated[Path | None, typer.Option("--file", help="Transcript to ingest; default: a one-hour interview "
                                              "built from VCSum utterances (../shared/bench/vcsum).")] = None,
    chars: Annotated[int, typer.Option("--chars", help="Size of the built interview in characters.")] = 15000,
) -> None:
    """Time ingesting one interview into a fresh index after the model is loaded; the last line is JSON."""
    from rag.ingest import benchmark_ingest

    if file is not None:
        data, name = file.read_bytes(), file.name
    else:
        data, name = _vcsum_interview(chars).encode("utf-8"), "bench-interview.txt"
    result = benchmark_ingest(command_context(), data, name)
    print(json.dumps(result, ensure_ascii=False))


def _vcsum_interview(chars: int) -> str:
    """A long interview from real spoken Mandarin: the most talkative speaker becomes the master."""
    # the checkout's shared/ folder sits beside the repository: ui/cli/ingest.py -> repo -> its parent
    path = Path(__file__).resolve().parents[3] / "shared" / "bench" / "vcsum" / "meetings.jsonl"
    if not path.exists():
        raise typer.BadParameter(f"{path} not found; pass --file with a transcript to time")
    lines: list[str] = []
    size = 0
    for raw in path.read_text(encoding="utf-8").splitlines():
        meeting = json.loads(raw)
        pairs = [(sp, u) for seg in meeting["segments"] for sp, u in zip(seg["speakers"], seg["utterances"], strict=False)]
        talk: dict[int, int] = {}
        for sp, u in pairs:
            talk[sp] = talk.get(sp, 0) + len(u)
        master = max(talk, key=lambda sp: talk[sp])
        for sp, u in pairs:
            lines.append(f"{'王师傅' if sp == master else '主持人'}：{u.strip()}")
            size += len(u)
            if size >= chars:
                return "\n".join(lines) + "\n"
    return "\n".join(lines) + "\n"
