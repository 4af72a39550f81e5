"""Accounts: users with a role (trainer, worker, admin) and an enterprise; argon2 password hashes."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
    return hashlib.sha256(f"{row.id}:{row.role}:{row.password_hash}".encode()).hexdigest()[:16]


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class LoginThrottle:
    """Failed logins per user name and per address; past a few, each further try waits longer (doubling).

    While a name or address must wait, a login is refused without checking the password, so a
    guessing client costs no hashing. Success clears the name and the address."""

    free_per_user: int = 5
    free_per_address: int = 20  # a workshop's PCs may share one address
    first_wait_s: float = 1.0
    longest_wait_s: float = 300.0
    forget_after_s: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, _Failures] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, username: str, address: str | None) -> float:
        """Seconds until this name (and address) may try again; 0 when it may try now."""
        now = self.clock()
        with self._lock:
            return max(self._wait(f"user:{username.strip().lower()}", self.free_per_user, now),
                       self._wait(f"addr:{address}", self.free_per_address, now) if address else 0.0)

    def record(self, username: str, address: str | None, ok: bool) -> None:
        """Count a failed login, or clear the name and address after a successful one."""
        now = self.clock()
        keys = [f"user:{username.strip().lower()}"] + ([f"addr:{address}"] if address else [])
        with self._lock:
            for key in keys:
                if ok:
                    self._seen.pop(key, None)
                    continue
                seen = self._seen.setdefault(key, _Failures())
                if now - seen.last > self.forget_after_s:
                    seen.count = 0
                seen.count, seen.last = seen.count + 1, now
            if len(self._seen) > 100_000:  # a flood of made-up names must not grow memory without end
                self._seen = {k: v for k, v in self._seen.items() if now - v.last <= self.forget_after_s}

    def record_crowd(self, address: str | None) -> None:
        """A login refused because too many were waiting: it counts against the address only."""
        if address:
            now = self.clock()
            with self._lock:
                seen = self._seen.setdefault(f"addr:{address}", _Failures())
                seen.count, seen.last = seen.count + 1, now

    def _wait(self, key: str, free: int, now: float) -> float:
        seen = self._seen.get(key)
        if seen is None or seen.count < free or now - seen.last > self.forget_after_s:
            return 0.0
        wait = min(self.first_wait_s * 2 ** (seen.count - free), self.longest_wait_s)
        return max(0.0, seen.last + wait - now)


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
