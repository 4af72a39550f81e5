"""Times in a recording, as people read them on a player: the one format shifu shows everywhere."""

from __future__ import annotations


def clock(seconds: float | None) -> str:
    """03:05 under an hour, 1:15:00 past it ('' when unknown)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
