"""`shifu serve` and `shifu users ...`; see ui/cli/main.py."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
users_app = typer.Typer(help="Accounts: trainers, workers and admins.", no_args_is_help=True)


def _context():
    from ui.cli.context import command_context

    return command_context()


def serve(
    host: Annotated[str, typer.Option(help="address to listen on (127.0.0.1 = this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 7860,
) -> None:
    """Serve the web app (log in with an account from `shifu users add`)."""
    from shifu.auth import list_users
    from ui.web.app import launch_app

    ctx = _context()
    if not list_users(ctx):
        console.print("[yellow]no accounts yet: create one with "
                      "`shifu users add NAME --role admin` before logging in[/yellow]")
    console.print(f"shifu app on http://{host}:{port} (Ctrl+C to stop)", highlight=False)
    from ui.web.jobs import shutdown

    try:
        launch_app(ctx.settings, host=host, port=port)
    finally:
        shutdown()  # stop the drafting process with the app


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option(help="trainer | worker | admin")],
    enterprise: Annotated[str | None, typer.Option(help="the user's enterprise")] = None,
    password: Annotated[str | None, typer.Option(help="password (prompted when left out)")] = None,
) -> None:
    """Create an account."""
    from shifu.auth import add_user

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    user = add_user(_context(), username, password, role, enterprise)
    console.print(f"added {user.username} ({user.role})", highlight=False)


@users_app.command("ls")
def users_ls() -> None:
    """List accounts."""
    from shifu.auth import list_users

    table = Table("username", "role", "enterprise", "created")
    for u in list_users(_context()):
        table.add_row(u.username, u.role, u.enterprise or "", str(u.created_at)[:19])
    console.print(table)


@users_app.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="login name")],
    password: Annotated[str | None, typer.Option(help="new password (prompted when left out)")] = None,
) -> None:
    """Set a new password."""
    from shifu.auth import set_password

    if password is None:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    set_password(_context(), username, password)
    console.print(f"password of {username} changed", highlight=False)


@users_app.command("rm")
def users_rm(username: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Remove an account."""
    from shifu.auth import remove_user

    remove_user(_context(), username)
    console.print(f"removed {username}", highlight=False)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
