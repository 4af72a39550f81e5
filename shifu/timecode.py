"""Times in a recording, as people read them on a player."""

from __future__ import annotations


def clock(seconds: float | None, *, pad_minutes: bool = False) -> str:
    """m:ss, or h:mm:ss past the hour ('' when unknown); pad_minutes gives 03:05."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}" if pad_minutes else f"{minutes}:{secs:02d}"
