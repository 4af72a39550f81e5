"""Trainer screens (being built)."""

from __future__ import annotations

from ui.app_common import Screen


def build(screen: Screen) -> None:
    """The trainer tab."""
