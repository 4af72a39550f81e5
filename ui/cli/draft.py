"""Commands of the drafting area: `shifu draft`, `shifu courses ...`, `shifu eval segmentation|titles|drafting|knowhow`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shifu.errors import ShifuError
from ui.cli.context import command_context

console = Console()
err = Console(stderr=True)

courses_app = typer.Typer(help="Courses: list, show, review workflow, diffs between versions.", no_args_is_help=True)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
    app.command("draft")(draft_cmd)
    app.add_typer(courses_app, name="courses")
    eval_app.command("segmentation")(eval_segmentation_cmd)
    eval_app.command("titles")(eval_titles_cmd)
    eval_app.command("drafting")(eval_drafting_cmd)
    eval_app.command("knowhow")(eval_knowhow_cmd)


def _say(message: str) -> None:
    err.print(f"[dim]{escape(message)}[/dim]")


# --- shifu draft -------------------------------------------------------------------------


def _transcript_ids(ctx, refs: list[str]) -> list[str]:
    """Ids for the given refs; a path to a file is ingested first."""
    from rag.ingest import ingest_file

    ids = []
    for ref in refs:
        path = Path(ref)
        if path.is_file():
            _say(f"ingesting {path}")
            result = ingest_file(ctx, path)
            if not result.ok:
                raise ShifuError(result.error)
            ids.append(result.transcript_id)
        else:
            ids.append(ref)
    return ids


def draft_cmd(
    transcripts: Annotated[list[str], typer.Argument(help="Transcript ids (or prefixes, file names) or files to ingest first.")],
    engine: Annotated[str, typer.Option("--engine", help="offline (default, deterministic) or llm.")] = "offline",
    out: Annotated[Path | None, typer.Option("--out", help="Also write the course JSON here.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who drafts it (stored with the version).")] = None,
) -> None:
    """Draft a course (outline, lessons, quiz, follow-up questions) from interviews; saved as a new course."""
    from extraction.drafting import draft_course

    ctx = command_context()
    ids = _transcript_ids(ctx, transcripts)
    course_id, version, draft = draft_course(ctx, ids, engine=engine, progress=_say, created_by=by)
    if out is not None:
        out.write_text(json.dumps(draft.model_dump(mode="json"), ensure_ascii=False, indent=2), encoding="utf-8")
    flagged = sum(1 for q in draft.quiz if q.flags)
    points = sum(len(lesson.points) for m in draft.modules for lesson in m.lessons)
    console.print(f"course {course_id} version {version}: {escape(draft.title)}")
    console.print(f"{len(draft.modules)} modules, {points} points, {len(draft.quiz)} quiz items "
                  f"({flagged} flagged), {len(draft.follow_up_questions)} follow-up questions"
                  + (f"; JSON written to {out}" if out else ""))


# --- shifu courses -----------------------------------------------------------------------


@courses_app.command("ls")
def courses_ls(
    status: Annotated[str | None, typer.Option("--status", help="draft, in_review or published.")] = None,
) -> None:
    """List courses, newest first."""
    from extraction.publishing import list_courses

    rows = list_courses(command_context(), status)
    table = Table()
    table.add_column("id", no_wrap=True)
    for name in ("title", "status", "versions", "published", "quiz", "flagged", "engine"):
        table.add_column(name, max_width=40 if name == "title" else None)
    for c in rows:
        table.add_row(c.id, c.title, c.status, str(c.latest_version), str(c.published_version or "-"),
                      str(c.quiz_items), str(c.flagged), c.engine)
    console.print(table if rows else "no courses yet; run `shifu draft TRANSCRIPT`")


@courses_app.command("show")
def courses_show(
    course_id: Annotated[str, typer.Argument(help="Course id.")],
    version: Annotated[int | None, typer.Option("--version", help="Version number (default: latest).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the course JSON instead.")] = False,
) -> None:
    """Show one version of a course: outline, points with citations, quiz, follow-up questions."""
    from extraction.publishing import get_course, list_versions, render_text

    ctx = command_context()
    info, draft = get_course(ctx, course_id, version)
    if as_json:
        print(json.dumps(draft.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    console.print(f"course {info.id} — status {info.status}, version {info.version} of {info.latest_version}"
                  f" (engine {info.engine}{', model ' + info.model if info.model else ''})", highlight=False)
    for v in list_versions(ctx, course_id):
        console.print(f"  v{v.version} {v.version_status} {v.version_created_at:%Y-%m-%d %H:%M} "
                      f"{escape(v.version_created_by or '')} {escape(v.note or '')}", highlight=False)
    print(render_text(draft))


def _status(course_id: str, status: str, by: str | None) -> None:
    from extraction.publishing import get_course, open_flags, set_status

    ctx = command_context()
    info = set_status(ctx, course_id, status, by)
    console.print(f"course {info.id} is now {info.status}"
                  + (f" (version {info.published_version} published)" if info.status == "published" else ""))
    if status == "in_review":
        flagged = open_flags(get_course(ctx, course_id)[1])
        if flagged:
            console.print(f"[yellow]{len(flagged)} item(s) still carry validator flags "
                          f"({escape(', '.join(flagged[:3]))}); the course cannot be published until each is "
                          "fixed, rejected or accepted in review[/yellow]", highlight=False)


@courses_app.command("submit")
def courses_submit(course_id: str, by: Annotated[str | None, typer.Option("--by")] = None) -> None:
    """Submit a draft for review (draft -> in_review)."""
    _status(course_id, "in_review", by)


@courses_app.command("publish")
def courses_publish(course_id: str, by: Annotated[str | None, typer.Option("--by")] = None) -> None:
    """Publish a reviewed course (in_review -> published); needs every master's consent."""
    _status(course_id, "published", by)


@courses_app.command("unpublish")
def courses_unpublish(course_id: str, by: Annotated[str | None, typer.Option("--by")] = None) -> None:
    """Take a course off the workers' view (published -> draft)."""
    _status(course_id, "draft", by)


@courses_app.command("diff")
def courses_diff(course_id: str, v1: int, v2: int) -> None:
    """Unified diff between two versions of a course."""
    from extraction import review

    text = review.diff(command_context(), course_id, v1, v2)
    print(text or f"versions {v1} and {v2} are the same")


# --- shifu eval ----------------------------------------------------------------------------


def eval_segmentation_cmd(
    meetings: Annotated[Path, typer.Option("--meetings", help="VCSum-format meetings.jsonl.")],
    no_embeddings: Annotated[bool, typer.Option("--no-embeddings", help="Words, speakers and cues only.")] = False,
) -> None:
    """Topic segmentation on VCSum meetings: Pk and WindowDiff against one-segment and even-split baselines."""
    from extraction.evaluate import evaluate_segmentation, load_meetings

    ctx = command_context()
    embed = None
    if not no_embeddings:
        from shifu.embeddings import get_embedder

        embed = get_embedder(ctx.settings).embed
    result = evaluate_segmentation(load_meetings(meetings), embed, progress=_say)
    print(json.dumps(result, ensure_ascii=False))


def eval_titles_cmd(
    meetings: Annotated[Path, typer.Option("--meetings", help="VCSum-format meetings.jsonl.")],
) -> None:
    """Segment titles on VCSum meetings: character-bigram F1 with the human headlines, per title method,
    the method chosen leaving each meeting out, beside the keyword titles."""
    from extraction.evaluate import load_meetings
    from extraction.evaluate_titles import evaluate_titles

    print(json.dumps(evaluate_titles(load_meetings(meetings), progress=_say), ensure_ascii=False))


def eval_drafting_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="Transcript files (same as --transcripts).")] = None,
    transcripts: Annotated[list[Path] | None, typer.Option(
        "--transcripts", help="A transcript file; repeat the option for more.")] = None,
    vcsum: Annotated[Path | None, typer.Option("--vcsum", help="VCSum meetings.jsonl (each meeting a transcript).")] = None,
    folder: Annotated[Path | None, typer.Option("--dir", help="A folder of transcript files.")] = None,
    no_embeddings: Annotated[bool, typer.Option("--no-embeddings", help="Segment without sentence vectors.")] = False,
) -> None:
    """Offline drafts of real transcripts: quote, validity and support rates, items per hour, seconds."""
    from extraction.evaluate import evaluate_drafting, load_meetings, meeting_transcript_json
    from rag.parse import is_transcript_name

    paths = [*(files or []), *(transcripts or [])]
    if folder is not None:
        paths += [p for p in sorted(folder.rglob("*")) if p.is_file() and is_transcript_name(p.name)]
    unique = list(dict.fromkeys(p.resolve() for p in paths))  # a file named twice is drafted once
    named: list[tuple[str, bytes]] = [(p.name, p.read_bytes()) for p in unique]
    if vcsum is not None:
        named += [(f"vcsum-{m.id}.json", meeting_transcript_json(m)) for m in load_meetings(vcsum)]
    if not named:
        raise ShifuError("nothing to draft: give --transcripts FILE..., --vcsum meetings.jsonl or --dir FOLDER")
    result = evaluate_drafting(named, command_context().settings, use_embeddings=not no_embeddings, progress=_say)
    print(json.dumps(result, ensure_ascii=False))


def eval_knowhow_cmd(
    folder: Annotated[Path, typer.Option("--dir", help="The knowhow benchmark folder (references + transcripts).")]
    = Path("../shared/bench/knowhow"),
    only: Annotated[list[str] | None, typer.Option("--only", help="Only this collection (oral_history_en, zh_trade, "
                                                   "vcsum); repeat for more.")] = None,
    leave_one_out: Annotated[bool, typer.Option(
        "--leave-one-out", help="Draft each interview with the know-how scorer fitted on the other interviews "
                                "only (the figures to report: no interview scores a scorer that saw it).")] = False,
    engine: Annotated[list[str] | None, typer.Option(
        "--engine", help="offline (default) or llm (the configured chat server, SHIFU_LLM_*); repeat to draft "
                         "each interview with both in the same run.")] = None,
) -> None:
    """Know-how picked out by drafts against outside references, beside the longest-sentences baseline."""
    from extraction.evaluate_knowhow import evaluate_knowhow
    from extraction.selection_fit import drafts_left_out

    settings = command_context().settings
    engines = engine or ["offline"]
    if leave_one_out and engines != ["offline"]:
        raise ShifuError("--leave-one-out refits the offline scorer; run the llm engine without it",
                         zh="--leave-one-out 只重新拟合离线打分；llm 引擎请不加这个选项运行")
    if leave_one_out:
        result = drafts_left_out(folder, settings, progress=_say, collections=only or ())
    else:
        result = evaluate_knowhow(folder, settings, collections=only or (), progress=_say, engines=engines)
    for name, by in result.get("by_engine", {result.get("engine", "offline"): result}).items():
        for collection, row in by["collections"].items():
            _say(f"{collection} ({name}): F1 {row['f1']} (baseline {row['baseline_f1']}), precision "
                 f"{row['point_precision']}, recall {row['recall_weighted']}, top {row['recall_top']}, "
                 f"quiz {row['quiz_on_knowhow']}")
    print(json.dumps(result, ensure_ascii=False))
