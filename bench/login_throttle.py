"""`python -m bench.login_throttle`: what a refused login costs now that failures are counted in the database.

A guesser held by the throttle costs one read (may this name and address try?) and one write (the
refused try extends the wait), no password hashing. This measures, in one run and on one database
(SQLite in a temporary SHIFU_HOME, or SHIFU_DATABASE_URL when set), the mean time of that read and
write for a held name, beside one password check of a wrong password (argon2id, what an unthrottled
guess costs). The last stdout line is JSON.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable

from shifu.auth import add_user, authenticate, remove_user
from shifu.context import Context
from shifu.login_failures import LoginThrottle
from shifu.settings import load_settings


def _mean_ms(action: Callable[[], object], times: int) -> tuple[float, float]:
    """Mean wall and CPU milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(times):
        action()
    return (time.perf_counter() - wall) * 1000 / times, (time.process_time() - cpu) * 1000 / times


def run(*, attempts: int = 500, checks: int = 20) -> dict:
    """Mean ms (wall and CPU) of a refused (held) login and of one password check, and their ratios."""
    with tempfile.TemporaryDirectory(prefix="shifu-login-throttle-") as home:
        ctx = Context(load_settings(home=home))
        name = f"held-{time.time_ns()}"  # names of its own on a shared database
        user = add_user(ctx, f"bench-{time.time_ns()}", "right-password", "worker").username
        throttle = LoginThrottle(ctx)
        for _ in range(throttle.free_per_user):
            throttle.record(name, "10.9.9.9", ok=False)

        def refused() -> None:
            assert throttle.wait_s(name, "10.9.9.9") > 0
            throttle.record(name, "10.9.9.9", ok=False)

        held_ms = _mean_ms(refused, attempts)
        check_ms = _mean_ms(lambda: authenticate(ctx, user, "wrong-password"), checks)
        throttle.record(name, "10.9.9.9", ok=True)
        remove_user(ctx, user)
        backend = ctx.settings.db_url.split(":", 1)[0]
    return {"database": backend, "attempts": attempts,
            "refused_ms": round(held_ms[0], 3), "refused_cpu_ms": round(held_ms[1], 3),
            "password_check_ms": round(check_ms[0], 2), "password_check_cpu_ms": round(check_ms[1], 2),
            "refused_over_check": round(held_ms[0] / check_ms[0], 4),
            "refused_over_check_cpu": round(held_ms[1] / check_ms[1], 4)}


def main() -> int:
    report = run()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
