"""The edge of every command: one application context per command run."""

from __future__ import annotations

from shifu.context import Context
from shifu.settings import load_settings


def command_context() -> Context:
    """The context of one command: settings from flags and environment, every part opened on first use."""
    return Context(load_settings())
