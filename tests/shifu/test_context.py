"""The application context: one transaction per user action, parts opened lazily, a chat model handed in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shifu.auth import add_user
from shifu.context import Context
from shifu.tables import UserRow


def _users(ctx: Context) -> int:
    with ctx.unit_of_work() as s:
        return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)


def test_a_unit_of_work_commits_at_the_end_and_rolls_back_on_error(settings):
    ctx = Context(settings)
    add_user(ctx, "li", "a-long-password", "worker")
    with pytest.raises(RuntimeError), ctx.unit_of_work():
        add_user(ctx, "wang", "a-long-password", "worker")  # joins the failing action
        raise RuntimeError("the trainer's action failed half way")
    assert _users(ctx) == 1, "an action that failed leaves nothing half done"


def test_a_service_inside_an_action_joins_its_transaction(settings):
    ctx = Context(settings)
    with ctx.unit_of_work() as outer:
        with ctx.unit_of_work() as inner:
            assert inner is outer


def test_no_chat_model_without_an_llm_and_a_handed_in_one_wins(settings):
    assert Context(settings).chat_model is None and not Context(settings).llm_configured

    def fake(**options):
        return "a scripted model"

    ctx = Context(settings, chat_model=fake)
    assert ctx.llm_configured and ctx.chat_model is fake

