"""The `shifu` command. Each area's commands live in one module, registered by `_register_areas`:

- ui/cli/ingest.py   ingest, transcripts, search, eval ingest, eval retrieval, eval scale
- ui/cli/ask.py      ask, gaps, eval qa
- ui/cli/prompts.py  prompts, logs
- ui/cli/draft.py    draft, courses, eval segmentation, eval titles, eval drafting
- ui/cli/export.py   export
- ui/cli/serve.py    serve, users
- ui/cli/growth.py   skills, tiers, paths-add, assign, demo population, eval mastery, eval cockpit
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shifu.errors import ShifuError
from shifu.settings import SETTINGS, SettingsError, load_settings

app = typer.Typer(
    help="shifu (师傅): turn interviews with masters of a trade into cited training courses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
eval_app = typer.Typer(help="Benchmarks on BEIR / VCSum files; the last line printed is JSON.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")

console = Console()


@app.command("config")
def config_cmd() -> None:
    """Print the effective settings (flag > environment > default), secrets masked."""
    settings = load_settings()
    table = Table("variable", "value", "meaning")
    shown = settings.masked()
    for s in SETTINGS:
        table.add_row(s.env, shown[s.env], s.help)
    console.print(table)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Alembic revision")) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from shifu.store import upgrade

    settings = load_settings()
    rev = upgrade(settings, revision)
    console.print(f"database {settings.masked()['SHIFU_DATABASE_URL'] if settings.database_url else settings.db_url} at revision {rev}")


def _register_areas() -> None:
    """Every area of commands, in one list: a command lives in the module of its area."""
    from ui.cli import ask, draft, export, growth, ingest, prompts, serve

    for area in (ingest, ask, prompts, draft, export, serve, growth):
        area.register(app, eval_app)


_register_areas()


def main() -> None:
    """Entry point: user errors print one line and exit 1, never a traceback."""
    try:
        app()
    except (ShifuError, SettingsError) as exc:
        console = Console(stderr=True)
        zh = getattr(exc, "zh", None)
        if zh:  # Chinese first, English too (the app shows only the chosen language)
            console.print(f"[red]错误：[/red]{escape(zh)}", highlight=False, markup=True)
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
