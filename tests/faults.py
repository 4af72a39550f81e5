"""A loopback OpenAI-compatible server that answers from a script: 429s, 500s, slow or broken replies.

    with FaultServer([Reply(429), Reply(body=chat_reply("ok [1]"))]) as server:
        settings = load_settings(llm_base_url=server.base_url, llm_model="m", llm_api_key="k")
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer; a dict body is sent as JSON, a str body as it is."""

    status: int = 200
    body: dict[str, Any] | str | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def chat_reply(content: str, model: str = "fault-model", prompt_tokens: int = 11,
               completion_tokens: int = 7) -> dict[str, Any]:
    """A chat completion in OpenAI's shape."""
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def error_body(message: str, kind: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}


def _sse(reply: dict[str, Any]) -> bytes:
    """The same completion as a stream: one chunk per word, then usage, then [DONE]."""
    content = reply["choices"][0]["message"]["content"]
    pieces = [p + " " for p in content.split(" ")]
    pieces[-1] = pieces[-1][:-1]
    events = []
    for piece in pieces:
        chunk = {"id": reply["id"], "object": "chat.completion.chunk", "created": reply["created"],
                 "model": reply["model"], "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
        events.append(chunk)
    events.append({"id": reply["id"], "object": "chat.completion.chunk", "created": reply["created"],
                   "model": reply["model"], "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    events.append({"id": reply["id"], "object": "chat.completion.chunk", "created": reply["created"],
                   "model": reply["model"], "choices": [], "usage": reply.get("usage")})
    data = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events) + "data: [DONE]\n\n"
    return data.encode("utf-8")


class FaultServer:
    """Serves scripted replies in order (the last one repeats); records every request."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def _next(self) -> Reply:
        with self._lock:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "fault-model", "object": "model"}]})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with server._lock:
                    server.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": body,
                                            "at": time.monotonic()})
                reply = server._next()
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if body.get("stream") and isinstance(reply.body, dict) and reply.status == 200:
                    self._send_raw(200, _sse(reply.body), "text/event-stream", reply.headers)
                else:
                    self._send(reply.status, reply.body, reply.headers)

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                if body is None:
                    body = chat_reply("ok") if status == 200 else error_body(f"scripted {status}")
                data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
                self._send_raw(status, data, "application/json", headers or {})

            def _send_raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

        return Handler

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


SECRET_KEY = "sk-test-SECRET-4f9a8b7c6d5e"  # tests assert it never reaches the call log


def fault_settings(server: FaultServer, **overrides: Any) -> Any:
    """Settings pointing at SERVER with short timeouts; OVERRIDES win."""
    from shifu.settings import load_settings

    values: dict[str, Any] = {"llm_base_url": server.base_url, "llm_model": "fault-model", "llm_api_key": SECRET_KEY,
                              "llm_timeout_s": 3.0, "llm_max_retries": 2, "llm_budget_s": 20.0}
    values.update(overrides)
    return load_settings(**values)
