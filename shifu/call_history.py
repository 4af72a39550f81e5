"""Reading the call log: the newest chat-model calls, for `shifu logs` (the writer is shifu/calllog.py)."""

from __future__ import annotations

from sqlalchemy import select

from shifu.context import Context
from shifu.tables import LLMCallRow


def recent_calls(ctx: Context, n: int = 20) -> list[LLMCallRow]:
    """The newest N calls, newest first."""
    with ctx.unit_of_work() as session:
        return list(session.scalars(select(LLMCallRow).order_by(LLMCallRow.id.desc()).limit(n)).all())
