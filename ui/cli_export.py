"""Commands of one area; see ui/cli.py."""

from __future__ import annotations

import typer


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add this area's commands to the `shifu` app."""
