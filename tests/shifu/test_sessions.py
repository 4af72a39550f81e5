"""Login sessions in the database: what any process sees, and when a session ends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from shifu.auth import add_user, remove_user, set_password, set_role
from shifu.context import Context
from shifu.sessions import (
    SESSION_DAYS,
    cookie_id,
    end_session,
    end_sessions_of,
    session_user,
    start_session,
)
from shifu.tables import LoginSessionRow, utcnow

PW = "secret-pw-1"


def test_a_session_started_by_one_process_is_seen_by_another(ctx, settings) -> None:
    add_user(ctx, "li", PW, "worker")
    start_session(ctx, "token-a", "li")
    other = Context(settings)  # a second process: its own context on the same database
    assert session_user(other, "token-a") == "li"
    assert session_user(other, "token-b") is None and session_user(other, None) is None


def test_the_token_itself_is_never_stored(ctx) -> None:
    add_user(ctx, "li", PW, "worker")
    start_session(ctx, "token-plain-text", "li")
    with ctx.unit_of_work() as s:
        stored = s.scalars(select(LoginSessionRow.token_hash)).all()
    assert stored and "token-plain-text" not in stored[0] and len(stored[0]) == 64


def test_account_changes_end_the_session(ctx) -> None:
    for name in ("pw", "role", "gone"):
        add_user(ctx, name, PW, "worker")
        start_session(ctx, f"t-{name}", name)
    set_password(ctx, "pw", "another-pw")
    set_role(ctx, "role", "trainer")
    remove_user(ctx, "gone")
    add_user(ctx, "gone", PW, "worker")  # the same name again is another account
    assert [session_user(ctx, f"t-{n}") for n in ("pw", "role", "gone")] == [None, None, None]
    with ctx.unit_of_work() as s:
        assert s.scalars(select(LoginSessionRow)).all() == [], "an ended session's row goes"


def test_logout_ends_one_or_every_session(ctx) -> None:
    add_user(ctx, "li", PW, "worker")
    for token in ("phone", "pc", "tablet"):
        start_session(ctx, token, "li")
    end_session(ctx, "phone")
    assert session_user(ctx, "phone") is None and session_user(ctx, "pc") == "li"
    assert end_sessions_of(ctx, "li") == 2
    assert session_user(ctx, "pc") is None and session_user(ctx, "tablet") is None


def test_a_session_ends_after_its_days(ctx) -> None:
    add_user(ctx, "li", PW, "worker")
    start_session(ctx, "old", "li")
    start_session(ctx, "new", "li")
    with ctx.unit_of_work() as s:
        s.execute(update(LoginSessionRow).where(LoginSessionRow.username == "li")
                  .values(created_at=utcnow() - timedelta(days=SESSION_DAYS, minutes=1)))
    assert session_user(ctx, "old") is None
    start_session(ctx, "newest", "li")  # a login clears sessions past their days
    with ctx.unit_of_work() as s:
        assert s.scalars(select(LoginSessionRow.username)).all() == ["li"]


def test_a_session_for_an_account_removed_meanwhile_is_not_started(ctx) -> None:
    start_session(ctx, "t", "nobody")
    assert session_user(ctx, "t") is None


def test_every_process_names_the_cookie_alike(ctx, settings) -> None:
    first = cookie_id(ctx)
    assert first and cookie_id(Context(settings)) == first


def test_a_password_hashed_with_the_old_cost_still_logs_in_and_is_upgraded(ctx) -> None:
    from argon2 import PasswordHasher

    from shifu.auth import authenticate
    from shifu.tables import UserRow

    add_user(ctx, "old_hash", PW, "worker")
    with ctx.unit_of_work() as s:
        row = s.scalar(select(UserRow).where(UserRow.username == "old_hash"))
        row.password_hash = PasswordHasher().hash(PW)  # the library's default cost, as before
    assert authenticate(ctx, "old_hash", PW)
    with ctx.unit_of_work() as s:
        stored = s.scalar(select(UserRow.password_hash).where(UserRow.username == "old_hash"))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
