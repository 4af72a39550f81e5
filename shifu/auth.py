"""Accounts: users with a role (trainer, worker, admin) and an enterprise; argon2 password hashes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shifu.context import Context
from shifu.errors import NotFoundError, PermissionDenied, ShifuError
from shifu.tables import UserRow

ROLES = ("trainer", "worker", "admin")
_USERNAME = re.compile(r"^[\w.@-]{2,64}$")  # \w covers Chinese names too
_MIN_PASSWORD = 6
# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~25 ms of one core per check,
# where the library's default (64 MiB, 3 passes, 4 lanes) takes ~170 ms; a shift's 100 logins at once
# then cost the chat little. Hashes made with other parameters are upgraded at their next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """The stored form of a password (argon2id, see _hasher)."""
    return _hasher.hash(password)


@dataclass(frozen=True)
class User:
    """A person who can log in; never carries the password hash."""

    username: str
    role: str
    enterprise: str | None
    created_at: datetime


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ShifuError(f"role {role!r} is not known; use one of {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < _MIN_PASSWORD:
        raise ShifuError(f"the password is too short; use at least {_MIN_PASSWORD} characters")
    return password


def _user(row: UserRow) -> User:
    return User(row.username, row.role, row.enterprise, row.created_at)


def _row(s: Session, username: str) -> UserRow | None:
    return s.scalar(select(UserRow).where(UserRow.username == username))


def _existing(s: Session, username: str) -> UserRow:
    row = _row(s, username)
    if row is None:
        raise NotFoundError(f"user {username!r} does not exist; see `shifu users ls`")
    return row


def add_user(ctx: Context, username: str, password: str, role: str,
             enterprise: str | None = None) -> User:
    """Create an account; the username must be new."""
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise ShifuError(f"username {username!r} is not valid; use 2-64 letters, digits, . _ @ or -")
    _check_role(role)
    _check_password(password)
    with ctx.unit_of_work() as s:
        if _row(s, username):
            raise ShifuError(f"user {username!r} already exists; pick another name or use `shifu users passwd`")
        row = UserRow(username=username, password_hash=_hasher.hash(password), role=role,
                      enterprise=(enterprise or None))
        s.add(row)
        s.flush()
        return _user(row)


def list_users(ctx: Context) -> list[User]:
    """All accounts, oldest first."""
    with ctx.unit_of_work() as s:
        return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.id))]


def get_user(ctx: Context, username: str | None) -> User | None:
    """The account with this name, or None."""
    if not username:
        return None
    with ctx.unit_of_work() as s:
        row = _row(s, username)
        return _user(row) if row else None


def set_password(ctx: Context, username: str, password: str) -> None:
    """Replace a user's password."""
    _check_password(password)
    with ctx.unit_of_work() as s:
        _existing(s, username).password_hash = _hasher.hash(password)


def set_role(ctx: Context, username: str, role: str) -> None:
    """Give a user another role (their open sessions end: see session_stamp)."""
    _check_role(role)
    with ctx.unit_of_work() as s:
        _existing(s, username).role = role


def remove_user(ctx: Context, username: str) -> None:
    """Delete an account (their quiz attempts and ratings stay, for the dashboard)."""
    with ctx.unit_of_work() as s:
        s.delete(_existing(s, username))


LANGUAGES = ("zh", "en")


def language_of(ctx: Context, username: str | None) -> str:
    """The language this user chose last (Chinese until they choose)."""
    if not username:
        return "zh"
    with ctx.unit_of_work() as s:
        row = _row(s, username)
        return row.language if row is not None and row.language in LANGUAGES else "zh"


def set_language(ctx: Context, username: str, language: str) -> None:
    """Remember the user's language choice for their next visit."""
    if language not in LANGUAGES:
        raise ShifuError(f"language {language!r} is not offered; use zh or en")
    with ctx.unit_of_work() as s:
        _existing(s, username).language = language


def authenticate(ctx: Context, username: str, password: str) -> bool:
    """True when the password matches; the check Gradio's login calls."""
    with ctx.unit_of_work() as s:
        row = _row(s, (username or "").strip())
        if row is None:
            # Hash anyway so a missing user takes as long as a wrong password.
            _hasher.hash(password or "")
            return False
        try:
            _hasher.verify(row.password_hash, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        return True


def session_stamp(ctx: Context, username: str | None) -> str | None:
    """What a login session is bound to: changes when the password or role changes or the account is
    removed (and re-created); None when there is no such account. A session whose stamp changed ends."""
    if not username:
        return None
    with ctx.unit_of_work() as s:
        row = _row(s, username)
        return None if row is None else stamp_of(row)


def stamp_of(row: UserRow) -> str:
    """The session stamp of this account row (see session_stamp)."""
    return stamp_from(row.id, row.role, row.password_hash)


def stamp_from(user_id: int, role: str, password_hash: str) -> str:
    """The session stamp of an account from the three columns it depends on."""
    return hashlib.sha256(f"{user_id}:{role}:{password_hash}".encode()).hexdigest()[:16]


def role_of(ctx: Context, username: str | None) -> str | None:
    """The user's role, or None when not logged in or unknown."""
    user = get_user(ctx, username)
    return user.role if user else None


def require_role(ctx: Context, username: str | None, *roles: str) -> User:
    """The user when their role is one of `roles`; PermissionDenied otherwise."""
    user = get_user(ctx, username)
    if user is None:
        raise PermissionDenied("please log in first")
    if user.role not in roles:
        raise PermissionDenied(f"a {user.role} may not do this; it needs the role {' or '.join(roles)}")
    return user
