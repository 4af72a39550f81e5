"""The web app's door: logins checked off the event loop and throttled, sessions that end when the
account changes, and a login page that tells an anonymous visitor nothing about the API.

Gradio keeps its sessions as a token -> username table and asks `auth(username, password)`;
:class:`LoginGate` is that callable (async, so the argon2 check runs in a small thread pool and
never stalls the server), and :class:`GateMiddleware` sits in front of Gradio's routes to
(1) tell the gate which address a login comes from, (2) bind each new session to the account's
session stamp and end it when the stamp changes (password, role, removal), and (3) strip the
API description from pages served to visitors who are not logged in.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from typing import Any

from shifu.auth import LoginThrottle, authenticate, session_stamp
from shifu.context import Context

_REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("shifu_login_request", default=None)
_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.DOTALL)
_TOKEN_COOKIE = re.compile(r"^access-token-(?:unsecure-)?")
MAX_HOLD_S = 5.0  # the longest a refused login is held before its answer


class LoginGate:
    """Gradio's login check (:meth:`login`): throttled, the password hash checked in a thread pool."""

    def __init__(self, ctx: Context, throttle: LoginThrottle | None = None, *, threads: int = 1,
                 backlog: int = 4) -> None:
        self.ctx = ctx
        self.throttle = throttle or LoginThrottle()
        # One argon2 check at a time (each takes ~0.3 s of every core it is given): the chat keeps the rest.
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="shifu-login")
        self.backlog = backlog  # logins waiting beyond this are refused at once, not queued for seconds
        self.waiting = 0
        self.sessions: dict[str, tuple[str, str | None]] = {}  # token -> (username, session stamp)

    async def login(self, username: str, password: str) -> bool:
        """Gradio's `auth`: True when the login may proceed; a throttled name or address is refused
        unchecked. (A coroutine function, not an async __call__: Gradio awaits only the former.)"""
        request = _REQUEST.get() or {}
        address = request.get("address")
        wait = self.throttle.wait_s(username or "", address)
        if wait > 0 or self.waiting >= self.backlog:
            # Back-off in the answer itself: the guesser's connection idles (no CPU) before the refusal,
            # so a loop of guesses cannot flood the server with cheap refusals.
            await asyncio.sleep(min(wait or 1.0, MAX_HOLD_S))
            if wait > 0:
                self.throttle.record(username or "", address, ok=False)  # trying while held extends the wait
            else:
                self.throttle.record_crowd(address)  # a crowd from one address is held sooner
            return False
        loop = asyncio.get_running_loop()
        self.waiting += 1  # only the event loop's thread counts, so no lock
        try:
            ok = await loop.run_in_executor(self.pool, authenticate, self.ctx, username, password)
        finally:
            self.waiting -= 1
        self.throttle.record(username or "", address, ok)
        if ok:
            request["user"] = (username or "").strip()
        return ok

    def bind(self, token: str, username: str) -> None:
        """A new session: remember which account state it was granted for."""
        self.sessions[token] = (username, session_stamp(self.ctx, username))

    def still_valid(self, token: str, username: str) -> bool:
        """False when the session was not granted here or the account changed since."""
        granted = self.sessions.get(token)
        if granted is None or granted[0] != username:
            return False
        return granted[1] is not None and session_stamp(self.ctx, username) == granted[1]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class GateMiddleware:
    """ASGI middleware in front of Gradio (see the module docstring)."""

    def __init__(self, app: Any, gate: LoginGate) -> None:
        self.app, self.gate = app, gate

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        request = {"address": client[0] if client else None}
        _REQUEST.set(request)
        user = self._session_user(scope)
        path = scope.get("path", "")
        if path.rstrip("/").endswith("/login") and scope.get("method") == "POST":
            send = self._binding(send, request)
        elif user is None and scope.get("method") == "GET" and not path.startswith(("/gradio_api", "/assets")):
            send = _without_api_info(send)
        await self.app(scope, receive, send)

    def _session_user(self, scope: dict) -> str | None:
        """The session's user, after ending it if the account changed; None when anonymous."""
        tokens = getattr(scope.get("app"), "tokens", None)
        if tokens is None:
            return None
        user = None
        for token in _cookie_tokens(scope):
            name = tokens.get(token)
            if name is None:
                continue
            if self.gate.still_valid(token, name):
                user = name
            else:  # password or role changed, or the account was removed: the session ends
                tokens.pop(token, None)
                self.gate.sessions.pop(token, None)
        return user

    def _binding(self, send: Any, request: dict[str, Any]) -> Any:
        async def wrapped(message: dict) -> None:
            if message["type"] == "http.response.start" and request.get("user"):
                for token in _set_cookie_tokens(message.get("headers", [])):
                    self.gate.bind(token, request["user"])
            await send(message)
        return wrapped


def _cookie_tokens(scope: dict) -> list[str]:
    cookies = SimpleCookie()
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            try:
                cookies.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is simply not a session
                continue
    return [m.value for name, m in cookies.items() if _TOKEN_COOKIE.match(name)]


def _set_cookie_tokens(headers: list[tuple[bytes, bytes]]) -> set[str]:
    found: set[str] = set()
    for key, value in headers:
        if key.lower() == b"set-cookie":
            cookie = SimpleCookie()
            cookie.load(value.decode("latin-1"))
            found.update(m.value for name, m in cookie.items() if _TOKEN_COOKIE.match(name))
    return found


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
