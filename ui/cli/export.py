"""`shifu export`: a course to Markdown, Word, GIFT, Moodle XML, QTI, SCORM or the course JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shifu.errors import ShifuError

console = Console()


def _from_json(path: Path):
    """A course read from a course JSON file (`shifu draft --out`, `shifu export --format json`)."""
    from pydantic import ValidationError

    from extraction.course import CourseDraft

    try:
        return CourseDraft.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ShifuError(f"{path} does not exist; give the course JSON written by `shifu draft --out`") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise ShifuError(f"{path} is not a course JSON ({where}: {first['msg']}); "
                         "write it again with `shifu draft --out` or `shifu export --format json`") from None


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="md | docx | gift | moodle-xml | qti | scorm | json")],
    # a str, not a Path: Path("out/") drops the slash that says "a folder"
    out: Annotated[str, typer.Option("--out", "-o", help="file to write, or a folder to write it in "
                                     "(an existing folder, a path ending in /, or a name without a suffix: "
                                     "created, the file named after the course)")],
    course: Annotated[str | None, typer.Argument(help="course id (`shifu courses ls`); not needed with --from-json")] = None,
    version: Annotated[int | None, typer.Option("--version", help="course version (default: the latest)")] = None,
    from_json: Annotated[Path | None, typer.Option("--from-json", help="a course JSON file to export instead")] = None,
    leave_out_unusable: Annotated[bool, typer.Option(
        "--leave-out-unusable", help="LMS formats: leave out quiz items whose answer key cannot be scored")] = False,
) -> None:
    """Export a course for people (md, docx) or an LMS (gift, moodle-xml, qti, scorm), or as JSON."""
    from extraction.export import FORMATS, export_course, unusable_items

    if fmt not in FORMATS:
        raise ShifuError(f"--format {fmt} is not an export format; use one of: {', '.join(FORMATS)}")
    if from_json is not None:
        draft = _from_json(from_json)
    elif course:
        from extraction.publishing import get_course
        from ui.cli.context import command_context

        _, draft = get_course(command_context(), course, version)
    else:
        raise ShifuError("name the course to export (`shifu courses ls` lists them) or give --from-json FILE")
    path = export_course(draft, fmt, out, leave_out_unusable=leave_out_unusable)
    left_out = unusable_items(draft) if FORMATS[fmt].for_lms else {}
    flagged = sum(1 for item in draft.quiz if item.flags and item.id not in left_out)
    console.print(f"wrote {path} ({FORMATS[fmt].help}; {len(draft.quiz) - len(left_out)} quiz items)",
                  highlight=False)
    for ident, why in left_out.items():
        console.print(f"[yellow]left out quiz item {ident}: {why}[/yellow]", highlight=False)
    if flagged:
        console.print(f"[yellow]{flagged} quiz items still carry validator flags; review them before "
                      "learners see this export[/yellow]", highlight=False)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
    app.command("export")(export_cmd)
