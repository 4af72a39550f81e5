"""Commands for prompt templates and the LLM call log: `shifu prompts ...`, `shifu logs`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ui.cli.context import command_context

console = Console()
prompts_app = typer.Typer(help="Prompt templates: list, show, diff, edit, activate, roll back.", no_args_is_help=True)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `shifu prompts` and `shifu logs` to the app."""
    app.add_typer(prompts_app, name="prompts")
    app.command("logs")(logs_cmd)


@prompts_app.command("ls")
def ls_cmd() -> None:
    """List templates with their active version and whether an override is in use."""
    from prompts.registry import list_templates

    table = Table("name", "active", "origin", "versions", "description")
    for row in list_templates(command_context().settings):
        table.add_row(row["name"], row["active"], row["origin"], str(row["versions"]), escape(row["description"]))
    console.print(table)


@prompts_app.command("show")
def show_cmd(name: str,
             version: Annotated[str | None, typer.Option("--version", help="A version hash (default: active).")] = None,
             sample: Annotated[bool, typer.Option("--sample", help="Print it rendered with its sample values.")] = False,
             raw: Annotated[bool, typer.Option("--raw", help="Only the YAML, exactly as stored (for `edit --file`); "
                                                "also the default when the output is not a terminal.")] = False,
             ) -> None:
    """Print a template's YAML (or its rendered sample), then its versions."""
    from prompts.registry import get_template, render_template

    ctx = command_context()
    template = get_template(ctx.settings, name, version)
    piped = raw or not sys.stdout.isatty()
    if sample:
        for message in render_template(template, template.spec.sample).messages:
            if piped:
                print(f"--- {message['role']} ---\n{message['content']}")
            else:
                console.print(f"[bold]--- {message['role']} ---[/bold]")
                console.print(message["content"], markup=False, highlight=False)
    elif piped:
        # Exactly the stored text: `shifu prompts show qa > qa.yaml` feeds `shifu prompts edit qa --file qa.yaml`.
        sys.stdout.write(template.body)
    else:
        console.print(template.body, markup=False, highlight=False)
    if not raw:  # the versions list goes to the terminal, never into a redirected file
        _print_versions(ctx.settings, name, console if not piped else Console(stderr=True))


def _print_versions(settings, name: str, out: Console) -> None:
    from prompts.registry import active_version, versions

    active = active_version(settings, name)
    out.print(f"[bold]versions of {name}[/bold] (* = active)")
    for t in versions(settings, name):
        who = f" by {t.created_by}" if t.created_by else ""
        when = f" {t.created_at:%Y-%m-%d %H:%M}" if t.created_at else ""
        out.print(f"{'*' if t.version == active else ' '} {t.version}  {t.origin}{escape(who)}{when}", highlight=False)


@prompts_app.command("diff")
def diff_cmd(name: str, v1: str, v2: str) -> None:
    """Unified diff between two versions of a template."""
    from prompts.registry import diff

    text = diff(command_context().settings, name, v1, v2)
    console.print(text or f"{v1} and {v2} are the same", markup=False, highlight=False)


@prompts_app.command("edit")
def edit_cmd(name: str,
             file: Annotated[Path | None, typer.Option("--file", help="Take the YAML from this file, not $EDITOR.")] = None,
             activate: Annotated[bool, typer.Option("--activate", help="Make the new version active at once.")] = False,
             note: Annotated[str | None, typer.Option("--note", help="Why it changed.")] = None,
             by: Annotated[str | None, typer.Option("--by", help="Who edited it (default: $USER).")] = None) -> None:
    """Save an edited template as a new version (the shipped file is never changed)."""
    from prompts.registry import get_template, save_override
    from shifu.errors import ShifuError

    ctx = command_context()
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ShifuError(f"cannot read {file} ({exc.strerror}); check the path") from exc
    else:
        text = _edit_in_editor(get_template(ctx.settings, name).body, name)
    saved = save_override(ctx.settings, name, text, created_by=by or os.environ.get("USER"), note=note,
                          activate_now=activate)
    state = " and activated" if activate else f"; activate it with `shifu prompts activate {name} {saved.version}`"
    console.print(f"saved {name} version {saved.version}{state}", markup=False, highlight=False)


def _edit_in_editor(body: str, name: str) -> str:
    from shifu.errors import ConfigError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise ConfigError("no editor: set EDITOR (e.g. export EDITOR=nano) or pass --file FILE")
    with tempfile.NamedTemporaryFile("w", suffix=f"-{name}.yaml", delete=False, encoding="utf-8") as handle:
        handle.write(body)
    try:
        subprocess.run([*editor.split(), handle.name], check=True)
        return Path(handle.name).read_text(encoding="utf-8")
    finally:
        Path(handle.name).unlink(missing_ok=True)


@prompts_app.command("activate")
def activate_cmd(name: str, version: str, by: Annotated[str | None, typer.Option("--by")] = None) -> None:
    """Make VERSION the active version of NAME."""
    from prompts.registry import activate

    template = activate(command_context().settings, name, version, by or os.environ.get("USER"))
    console.print(f"{name} now uses version {template.version} ({template.origin})", markup=False)


@prompts_app.command("rollback")
def rollback_cmd(name: str, by: Annotated[str | None, typer.Option("--by")] = None) -> None:
    """Go back to the version that was active before the current one."""
    from prompts.registry import rollback

    template = rollback(command_context().settings, name, by or os.environ.get("USER"))
    console.print(f"{name} rolled back to version {template.version} ({template.origin})", markup=False)


def logs_cmd(n: Annotated[int, typer.Option("-n", help="How many calls, newest first.")] = 20,
             as_json: Annotated[bool, typer.Option("--json", help="One JSON object per call, with messages.")] = False,
             ) -> None:
    """Show the newest LLM calls: template, model, host, tokens, duration, error."""
    from shifu.call_history import recent_calls

    rows = recent_calls(command_context(), n)
    if as_json:
        for r in rows:
            print(json.dumps({
                "id": r.id, "at": r.created_at.isoformat(), "template": r.template, "version": r.template_version,
                "model": r.model, "host": r.host, "messages": r.messages, "response": r.response,
                "tokens_prompt_local": r.tokens_prompt_local, "tokens_prompt": r.tokens_prompt,
                "tokens_completion": r.tokens_completion, "duration_ms": r.duration_ms, "error": r.error,
            }, ensure_ascii=False))
        return
    if not rows:
        console.print("no LLM calls yet (they are logged when SHIFU_QA_MODE=llm or a draft uses --engine llm)")
        return
    table = Table("id", "when", "template", "model @ host", "tokens in local/server, out", "ms", "error or response")
    for r in rows:
        shown = r.error or (r.response or "").replace("\n", " ")
        table.add_row(str(r.id), f"{r.created_at:%m-%d %H:%M:%S}", f"{r.template or '-'}@{r.template_version or '-'}",
                      escape(f"{r.model} @ {r.host}"),
                      f"{r.tokens_prompt_local}/{r.tokens_prompt or '-'}, {r.tokens_completion or '-'}",
                      f"{r.duration_ms:.0f}" if r.duration_ms else "-", escape(shown[:80]))
    Console().print(table)  # made here so the terminal width is read when the command runs
