"""Failed-login throttling shared by every app process: the counts live in the SQL database.

Behind a load balancer a guesser's tries are spread over all app processes; counts kept in each
process's memory would give them N times the free tries. So each user name and each address has one
row (`login_failures`): its failures and the time of the last. Asking whether a login may proceed is
one read by primary key; counting a failure is one upsert (SQLite and PostgreSQL alike), clearing
after a success one delete. Rows older than `forget_after_s` are purged on the way, at most once a
minute per process, so no separate job is needed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shifu.context import Context
from shifu.tables import LoginFailureRow

_PURGE_EVERY_S = 60.0


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


@dataclass
class LoginThrottle:
    """Failed logins per user name and per address; past a few, each further try waits longer (doubling).

    While a name or address must wait, a login is refused without checking the password, so a
    guessing client costs no hashing. Success clears the name and the address. Every process on the
    same database sees the same counts; the clock (Unix time by default) is injectable for tests."""

    ctx: Context
    free_per_user: int = 5
    free_per_address: int = 20  # a workshop's PCs may share one address
    first_wait_s: float = 1.0
    longest_wait_s: float = 300.0
    forget_after_s: float = 900.0
    clock: Callable[[], float] = time.time  # wall time, not monotonic: it is compared across processes
    _purged_at: float = field(default=float("-inf"), init=False, repr=False)  # this process's last purge

    def wait_s(self, username: str, address: str | None) -> float:
        """Seconds until this name (and address) may try again; 0 when it may try now."""
        free = self._keys(username, address)
        now = self.clock()
        with self.ctx.unit_of_work() as s:
            rows = s.execute(select(LoginFailureRow.key, LoginFailureRow.failures, LoginFailureRow.last_at)
                             .where(LoginFailureRow.key.in_(list(free)))).all()
        return max((self._wait(failures, last, free[key], now) for key, failures, last in rows), default=0.0)

    def record(self, username: str, address: str | None, ok: bool) -> None:
        """Count a failed login, or clear the name and address after a successful one."""
        keys = list(self._keys(username, address))
        with self.ctx.unit_of_work() as s:
            if ok:
                s.execute(delete(LoginFailureRow).where(LoginFailureRow.key.in_(keys)))
            else:
                self._count(s, keys)

    def record_crowd(self, address: str | None) -> None:
        """A login refused because too many were waiting: it counts against the address only."""
        if address:
            with self.ctx.unit_of_work() as s:
                self._count(s, [_key("addr", address)])

    def clear(self) -> None:
        """Forget every failure of every name and address (lifts every wait at once)."""
        with self.ctx.unit_of_work() as s:
            s.execute(delete(LoginFailureRow))

    def _keys(self, username: str, address: str | None) -> dict[str, int]:
        """The rows a login touches, each with its free tries."""
        keys = {_key("user", (username or "").strip().lower()): self.free_per_user}
        if address:
            keys[_key("addr", address)] = self.free_per_address
        return keys

    def _count(self, s: Session, keys: list[str]) -> None:
        """One more failure for each key (a count older than forget_after_s starts again at 1)."""
        now = self.clock()
        table = LoginFailureRow.__table__
        insert = _insert_for(s)
        # Sorted keys: two processes counting the same name and address lock the rows in one order.
        stmt = insert(table).values([{"key": k, "failures": 1, "last_at": now} for k in sorted(keys)])
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
            "failures": case((table.c.last_at < now - self.forget_after_s, 1), else_=table.c.failures + 1),
            "last_at": stmt.excluded.last_at,
        })
        s.execute(stmt)
        if now - self._purged_at >= _PURGE_EVERY_S:
            self._purged_at = now
            s.execute(delete(LoginFailureRow).where(LoginFailureRow.last_at < now - self.forget_after_s))

    def _wait(self, failures: int, last: float, free: int, now: float) -> float:
        if failures < free or now - last > self.forget_after_s:
            return 0.0
        wait = min(self.first_wait_s * 2 ** min(failures - free, 30), self.longest_wait_s)  # 2**1024 overflows
        return max(0.0, last + wait - now)


def _insert_for(s: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE on SQLite and PostgreSQL."""
    return postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
