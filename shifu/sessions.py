"""Login sessions every app process accepts: one row per logged-in browser in the SQL database.

Behind a load balancer a browser's requests may reach any app process, and a process may be
stopped or replaced; a session kept in one process's memory would be refused by the others and
end with its process. So a session is a row: the SHA-256 of its token (the cookie holds the token
itself), the account, and the account's session stamp at login. It ends on logout, when the stamp
changes (password, role, removal: see :func:`shifu.auth.session_stamp`) and SESSION_DAYS after
the login. No secret has to be handed to every process or machine: they already share the database.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from shifu.auth import stamp_from, stamp_of
from shifu.context import Context
from shifu.tables import LoginSessionRow, SiteKeyRow, UserRow, utcnow

SESSION_DAYS = 14  # a login lasts at most this long, however busy the browser
_COOKIE_ID = "login_cookie_id"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(ctx: Context, token: str, username: str) -> None:
    """Remember a new login by its cookie token; sessions past SESSION_DAYS are cleared on the way."""
    with ctx.unit_of_work() as s:
        user = s.scalar(select(UserRow).where(UserRow.username == username))
        if user is None:  # removed between the password check and now: no session
            return
        s.execute(delete(LoginSessionRow).where(LoginSessionRow.created_at < utcnow() - timedelta(days=SESSION_DAYS)))
        s.merge(LoginSessionRow(token_hash=_hash(token), username=username, stamp=stamp_of(user), created_at=utcnow()))


# Asked on every request (twice a chat): one statement, built once, reading only the columns it needs.
_SESSION = (select(LoginSessionRow.username, LoginSessionRow.stamp, LoginSessionRow.created_at, UserRow.id,
                   UserRow.role, UserRow.password_hash)
            .join(UserRow, UserRow.username == LoginSessionRow.username, isouter=True)
            .where(LoginSessionRow.token_hash == bindparam("token_hash")))


def session_user(ctx: Context, token: str | None) -> str | None:
    """The account this token is logged in as; None when there is no such session, or when it has
    ended (account changed, removed, or older than SESSION_DAYS), in which case its row goes."""
    if not token:
        return None
    with ctx.unit_of_work() as s:
        found = s.connection().execute(_SESSION, {"token_hash": _hash(token)}).first()
        if found is None:
            return None
        too_old = found.created_at < utcnow() - timedelta(days=SESSION_DAYS)
        if found.id is None or too_old or stamp_from(found.id, found.role, found.password_hash) != found.stamp:
            s.execute(delete(LoginSessionRow).where(LoginSessionRow.token_hash == _hash(token)))
            return None
        return str(found.username)


def end_session(ctx: Context, token: str | None) -> None:
    """Log this one browser out."""
    if token:
        with ctx.unit_of_work() as s:
            s.execute(delete(LoginSessionRow).where(LoginSessionRow.token_hash == _hash(token)))


def end_sessions_of(ctx: Context, username: str) -> int:
    """Log this account out everywhere; returns how many sessions ended."""
    with ctx.unit_of_work() as s:
        ended = s.execute(delete(LoginSessionRow).where(LoginSessionRow.username == username))
        return int(getattr(ended, "rowcount", 0) or 0)


def cookie_id(ctx: Context) -> str:
    """The installation's part of the login cookie's name: made once, the same on every process.

    (Gradio names the cookie per process at random; then a browser's cookie from one process would
    be invisible to the next. Two installations on one host still get different names.)"""
    with ctx.unit_of_work() as s:
        row = s.get(SiteKeyRow, _COOKIE_ID)
        if row is not None:
            return row.value
    try:
        with ctx.unit_of_work() as s:
            s.add(SiteKeyRow(name=_COOKIE_ID, value=secrets.token_urlsafe(16)))
    except IntegrityError:  # another process made it at the same moment: use theirs
        pass
    with ctx.unit_of_work() as s:
        made = s.get(SiteKeyRow, _COOKIE_ID)
        assert made is not None
        return made.value
