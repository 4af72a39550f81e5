"""The call log: every chat-model call (each attempt, each re-ask) is a row in llm_calls.

Rows hold what was sent and received so a trainer can see why a draft looks wrong;
keys are never written — anything that looks like one is masked before storing.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from shifu.settings import Settings
from shifu.store import session_scope
from shifu.tables import LLMCallRow
from shifu.tokens import messages_tokens

_KEYLIKE = re.compile(r"(?i)(bearer\s+|api[_-]?key[\"'=:\s]+|\bsk-)[A-Za-z0-9._\-]{6,}")


def scrub(text: str | None, secrets: list[str]) -> str | None:
    """TEXT with the given secrets and anything key-like masked."""
    if text is None:
        return None
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return _KEYLIKE.sub(lambda m: m.group(1) + "****", text)


def as_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    roles = {"human": "user", "ai": "assistant", "system": "system"}
    return [{"role": roles.get(m.type, m.type), "content": m.content if isinstance(m.content, str)
             else json.dumps(m.content, ensure_ascii=False)} for m in messages]


class CallLog(BaseCallbackHandler):
    """A LangChain callback that writes one llm_calls row per chat-model call.

    The template name and version come from the run's metadata
    (``config={"metadata": {"template": ..., "template_version": ...}}``).
    """

    def __init__(self, settings: Settings, *, model: str, host: str, secrets: list[str]) -> None:
        self.settings = settings
        self.model = model
        self.host = host
        self.secrets = secrets
        self.last_row_id: int | None = None
        self._open: dict[UUID, dict[str, Any]] = {}

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *,
                            run_id: UUID, metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        sent = as_dicts(messages[0]) if messages else []
        meta = metadata or {}
        self._open[run_id] = {"messages": sent, "t0": time.perf_counter(), "streamed": [],
                              "template": meta.get("template"), "template_version": meta.get("template_version")}

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if run_id in self._open:
            self._open[run_id]["streamed"].append(token)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        call = self._open.pop(run_id, None)
        if call is None:
            return
        text, usage = _text_and_usage(response)
        self._write(call, response=text or "".join(call["streamed"]), usage=usage, error=None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        call = self._open.pop(run_id, None)
        if call is None:
            return
        partial = "".join(call["streamed"]) or None
        self._write(call, response=partial, usage={}, error=f"{type(error).__name__}: {error}")

    def _write(self, call: dict[str, Any], *, response: str | None, usage: dict[str, int],
               error: str | None) -> None:
        messages = [{"role": m["role"], "content": scrub(m["content"], self.secrets)} for m in call["messages"]]
        row = LLMCallRow(
            template=call["template"],
            template_version=call["template_version"],
            model=self.model,
            host=self.host,
            messages=messages,
            response=scrub(response, self.secrets),
            tokens_prompt_local=messages_tokens(call["messages"]),
            tokens_prompt=usage.get("prompt"),
            tokens_completion=usage.get("completion"),
            duration_ms=round((time.perf_counter() - call["t0"]) * 1000, 1),
            error=scrub(error, self.secrets),
        )
        with session_scope(self.settings) as session:
            session.add(row)
            session.flush()
            self.last_row_id = row.id


def _text_and_usage(response: LLMResult) -> tuple[str, dict[str, int]]:
    text, usage = "", {}
    if response.generations and response.generations[0]:
        generation = response.generations[0][0]
        text = generation.text
        message = getattr(generation, "message", None)
        meta = getattr(message, "usage_metadata", None) if message is not None else None
        if meta:
            usage = {"prompt": meta.get("input_tokens"), "completion": meta.get("output_tokens")}
    if not usage and response.llm_output:
        raw = response.llm_output.get("token_usage") or {}
        if raw:
            usage = {"prompt": raw.get("prompt_tokens"), "completion": raw.get("completion_tokens")}
    return text, {k: v for k, v in usage.items() if v is not None}


def note_error(settings: Settings, row_id: int | None, problem: str) -> None:
    """Add a problem found after the call (e.g. the output failed validation) to its row."""
    if row_id is None:
        return
    with session_scope(settings) as session:
        row = session.get(LLMCallRow, row_id)
        if row is not None:
            row.error = f"{row.error}; {problem}" if row.error else problem
