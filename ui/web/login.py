"""The web app's door: logins checked off the event loop and throttled, sessions every app process
accepts and that end when the account changes, and a login page that tells an anonymous visitor
nothing about the API.

Gradio keeps its sessions as a token -> username table (`app.tokens`) and asks
`auth(username, password)`. :class:`LoginGate` is that callable (async: the argon2 check runs in a
small thread pool at a lower CPU priority, so it never stalls the server nor starves the chat);
:class:`SessionTokens` replaces Gradio's in-memory table with the session table in the SQL
database (shifu/sessions.py), so behind a load balancer a login made on one process is valid on
all of them and outlives the process that made it; and :class:`GateMiddleware` sits in front of
Gradio's routes to (1) give Gradio that table and the installation's cookie name, (2) tell the gate
which address a login comes from, (3) end every session of an account on logout, and (4) strip the
API description from pages served to visitors who are not logged in. Failed logins are counted in
the database too (shifu/login_failures.py), so a guesser is held by every process alike.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from shifu.auth import authenticate
from shifu.context import Context
from shifu.login_failures import LoginThrottle
from shifu.sessions import cookie_id, end_session, end_sessions_of, session_user, start_session

_REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("shifu_login_request", default=None)
_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.DOTALL)
MAX_HOLD_S = 5.0  # the longest a refused login is held before its answer
LOGIN_NICE = 10  # the login threads' CPU priority (Linux nice): under a rush of logins the chat comes first


def _yield_to_the_chat() -> None:
    """Lower this login thread's CPU priority (on Linux a thread has its own nice value)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOGIN_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: logins just keep the normal priority
        pass


class SessionTokens:
    """Gradio's token table (`app.tokens`), kept in the SQL database: every process sees the same sessions.

    Gradio gets, sets and deletes tokens as in a dict. Each answer is remembered for the request at
    hand only, so a session ended anywhere is refused from the next request on. Tokens are stored
    hashed and cannot be listed: `keys()` is empty, and logging out everywhere is done by
    :class:`GateMiddleware` through :func:`shifu.sessions.end_sessions_of`.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _seen(self) -> dict[str, str | None]:
        request = _REQUEST.get()
        return request.setdefault("tokens", {}) if request is not None else {}

    def get(self, token: str | None, default: str | None = None) -> str | None:
        if not token:
            return default
        seen = self._seen()
        if token not in seen:
            seen[token] = session_user(self.ctx, token)
        return seen[token] if seen[token] is not None else default

    def __getitem__(self, token: str) -> str:
        user = self.get(token)
        if user is None:
            raise KeyError(token)
        return user

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and self.get(token) is not None

    def __setitem__(self, token: str, username: str) -> None:
        start_session(self.ctx, token, username)
        self._seen()[token] = username

    def __delitem__(self, token: str) -> None:
        end_session(self.ctx, token)
        self._seen()[token] = None

    def pop(self, token: str, default: str | None = None) -> str | None:
        user = self.get(token)
        end_session(self.ctx, token)
        self._seen()[token] = None
        return user if user is not None else default

    def keys(self) -> list[str]:
        return []


class LoginGate:
    """Gradio's login check (:meth:`login`): throttled, the password hash checked in a thread pool."""

    def __init__(self, ctx: Context, throttle: LoginThrottle | None = None, *, threads: int = 1,
                 backlog: int = 64) -> None:
        self.ctx = ctx
        self.throttle = throttle or LoginThrottle(ctx)  # counts shared with every process on the database
        # One argon2 check at a time (~25 ms of CPU each), at a lower priority: the chat keeps the cores.
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="shifu-login",
                                       initializer=_yield_to_the_chat)
        # Logins waiting beyond this are refused at once (a flood is not queued for minutes): 64 queued is
        # ~15-30 s for the last one on 2 busy cores; a shift's 100 logins at once fit in two processes.
        self.backlog = backlog
        self.waiting = 0
        self.tokens = SessionTokens(ctx)
        self.cookie_id = cookie_id(ctx)  # the same on every process of this installation

    async def login(self, username: str, password: str) -> bool:
        """Gradio's `auth`: True when the login may proceed; a throttled name or address is refused
        unchecked. (A coroutine function, not an async __call__: Gradio awaits only the former.)"""
        request = _REQUEST.get() or {}
        address = request.get("address")
        # The counts are in the database (shared by every process): read and written off the event loop.
        wait = await asyncio.to_thread(self.throttle.wait_s, username or "", address)
        if wait > 0 or self.waiting >= self.backlog:
            # Back-off in the answer itself: the guesser's connection idles (no CPU) before the refusal,
            # so a loop of guesses cannot flood the server with cheap refusals.
            await asyncio.sleep(min(wait or 1.0, MAX_HOLD_S))
            if wait > 0:
                # trying while held extends the wait
                await asyncio.to_thread(self.throttle.record, username or "", address, False)
            else:
                await asyncio.to_thread(self.throttle.record_crowd, address)  # a crowd from one address is held sooner
            return False
        loop = asyncio.get_running_loop()
        self.waiting += 1  # only the event loop's thread counts, so no lock
        try:
            ok = await loop.run_in_executor(self.pool, authenticate, self.ctx, username, password)
        finally:
            self.waiting -= 1
        await asyncio.to_thread(self.throttle.record, username or "", address, ok)
        return ok

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class GateMiddleware:
    """ASGI middleware in front of Gradio (see the module docstring)."""

    def __init__(self, app: Any, gate: LoginGate) -> None:
        self.app, self.gate = app, gate
        self.cookie = re.compile(rf"^access-token-(?:unsecure-)?{re.escape(gate.cookie_id)}$")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self._share_sessions(scope.get("app"))
        client = scope.get("client")
        request: dict[str, Any] = {"address": client[0] if client else None}
        _REQUEST.set(request)
        user = self._session_user(scope)
        path = scope.get("path", "")
        if path.rstrip("/").endswith("/logout") and user is not None and _everywhere(scope):
            end_sessions_of(self.gate.ctx, user)  # Gradio's default: log out every session of the account
        elif user is None and scope.get("method") == "GET" and not path.startswith(("/gradio_api", "/assets")):
            send = _without_api_info(send)
        await self.app(scope, receive, send)

    def _share_sessions(self, app: Any) -> None:
        """Gradio's own token table and cookie name are per process: use the installation's instead."""
        if app is not None and getattr(app, "tokens", None) is not self.gate.tokens and hasattr(app, "cookie_id"):
            app.tokens, app.cookie_id = self.gate.tokens, self.gate.cookie_id

    def _session_user(self, scope: dict) -> str | None:
        """The session's user; None when anonymous or when the session has ended."""
        for token in _cookie_tokens(scope, self.cookie):
            user = self.gate.tokens.get(token)
            if user is not None:
                return user
        return None


def _everywhere(scope: dict) -> bool:
    """Gradio's /logout ends every session of the account unless asked `?all_session=false`."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("all_session", ["true"])[-1].lower() not in ("false", "0")


def _cookie_tokens(scope: dict, name: re.Pattern[str]) -> list[str]:
    cookies = SimpleCookie()
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            try:
                cookies.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is simply not a session
                continue
    return [m.value for key, m in cookies.items() if name.match(key)]


def _without_api_info(send: Any) -> Any:
    """Buffer an HTML page and blank its embedded API description (endpoint names and types)."""
    held: dict[str, Any] = {}
    body: list[bytes] = []

    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            if b"text/html" not in headers.get(b"content-type", b""):
                held["pass"] = True
                await send(message)
                return
            held["start"] = message
            return
        if held.get("pass") or message["type"] != "http.response.body":
            await send(message)
            return
        body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        page = _API_INFO.sub(b"window.gradio_api_info = null;</script>", b"".join(body))
        start = held["start"]
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        kept.append((b"content-length", str(len(page)).encode()))
        await send({**start, "headers": kept})
        await send({"type": "http.response.body", "body": page, "more_body": False})

    return wrapped
