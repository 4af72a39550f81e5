"""Structured output: run a rendered template and get a validated Pydantic object, or a clear error.

The server is asked for JSON-schema output first (`with_structured_output(...,
method="json_schema")`). Servers that refuse it (llama.cpp answers HTTP 500) get JSON
mode with the schema attached, then plain JSON mode; the choice is remembered per
server. Whatever the mode, the reply is validated here; on failure the model is asked
again with the validation errors, at most `max_reasks` times, and then
:class:`StructuredOutputError` is raised — invalid output is never returned.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from pydantic import BaseModel, ValidationError

from prompts.registry import RenderedPrompt
from shifu.calllog import note_error
from shifu.errors import LLMError
from shifu.llm import LLMServerError, call_log_of, call_with_retries, chat_model, endpoint, failure
from shifu.settings import Settings

M = TypeVar("M", bound=BaseModel)

MODES = ("json_schema", "json_object_schema", "json_object")
_REFUSAL_STATUSES = {400, 404, 415, 422, 500, 501}  # what servers answer to a response_format they lack
_mode_for_server: dict[str, str] = {}  # host/model -> the first mode that server accepted


class StructuredOutputError(LLMError):
    """The model's output failed validation after every re-ask; nothing was accepted."""

    def __init__(self, message: str, attempts: list[Attempt]) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass
class Attempt:
    """One reply from the model and what was wrong with it (empty when it passed)."""

    mode: str
    raw: str
    problems: list[str] = field(default_factory=list)
    call_id: int | None = None


@dataclass
class Structured(Generic[M]):
    """A validated object and how it was obtained."""

    value: M
    mode: str
    attempts: list[Attempt]
    template: str
    template_version: str


def schema_instruction(schema: type[BaseModel]) -> str:
    """The sentence appended to the system message: reply with JSON matching this schema."""
    compact = json.dumps(schema.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
    return ("只输出一个符合下列 JSON Schema 的 JSON 对象，不要输出其他文字。"
            f"Reply with one JSON object matching this JSON Schema, and nothing else:\n{compact}")


def _to_messages(prompt: RenderedPrompt, schema: type[BaseModel]) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for m in prompt.messages:
        if m["role"] == "system":
            out.append(SystemMessage(m["content"] + "\n\n" + schema_instruction(schema)))
        else:
            out.append(HumanMessage(m["content"]))
    return out


def parse_reply(raw: str, schema: type[M], check: Callable[[M], list[str]] | None = None) -> tuple[M | None, list[str]]:
    """Parse and validate a reply; returns the object or the problems found."""
    text = raw.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None, ["the reply is not a JSON object"]
    try:
        data = json.loads(text[start:end + 1])
    except json.JSONDecodeError as exc:
        return None, [f"the reply is not valid JSON ({exc.msg} at character {exc.pos})"]
    try:
        value = schema.model_validate(data)
    except ValidationError as exc:
        return None, [f"{'.'.join(map(str, e['loc'])) or 'the object'}: {e['msg']}" for e in exc.errors()[:20]]
    problems = check(value) if check else []
    return (None, problems) if problems else (value, [])


def _reask(problems: list[str]) -> HumanMessage:
    listed = "\n".join(f"- {p}" for p in problems)
    return HumanMessage(
        "上面的回复没有通过校验。The reply above failed validation:\n"
        f"{listed}\n"
        "请改正后重新输出完整的 JSON 对象，不要输出其他文字。Reply again with the whole corrected JSON object only."
    )


GRAMMAR_MAX_LENGTH = 300  # characters a string of the schema sent to the server may ask for


def sent_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent with a request: the reply's own, with no string longer than
    GRAMMAR_MAX_LENGTH. llama.cpp turns maxLength into one nested rule per character: at 300 it
    serves, at 1,600 its grammar parser gave up ("exceeds sane defaults"), the server process died
    and every later request was refused. The reply is still validated against the schema itself."""
    def capped(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: capped(v) for k, v in node.items()}
            if isinstance(out.get("maxLength"), int) and out["maxLength"] > GRAMMAR_MAX_LENGTH:
                out["maxLength"] = GRAMMAR_MAX_LENGTH
            return out
        if isinstance(node, list):
            return [capped(v) for v in node]
        return node

    result: dict[str, Any] = capped(schema.model_json_schema())
    return result


def _ask_once(settings: Settings, messages: list[BaseMessage], schema: type[BaseModel], mode: str,
              metadata: dict[str, Any], max_tokens: int | None) -> tuple[str, int | None]:
    """One request in MODE (with retries on 429/5xx/timeouts); returns the raw text and its log row."""
    holder: dict[str, Any] = {}

    def attempt(timeout_s: float) -> str:
        model = chat_model(settings, timeout_s=timeout_s, max_tokens=max_tokens)
        holder["log"] = call_log_of(model)
        config: RunnableConfig = {"metadata": metadata}
        if mode == "json_schema":
            runnable = model.with_structured_output(sent_schema(schema), method="json_schema", include_raw=True)
            reply = runnable.invoke(messages, config=config)["raw"]
        else:
            response_format: dict[str, Any] = {"type": "json_object"}
            if mode == "json_object_schema":
                response_format["schema"] = sent_schema(schema)
            reply = model.bind(response_format=response_format).invoke(messages, config=config)
        content = reply.content
        return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)

    # A server that lacks json_schema may say so with a 500: do not retry that, fall back.
    raw = call_with_retries(settings, attempt, retry_5xx=(mode == "json_object"))
    log = holder.get("log")
    return raw, (log.last_row_id if log else None)


def run_structured(settings: Settings, prompt: RenderedPrompt, schema: type[M], *,
                   check: Callable[[M], list[str]] | None = None, max_reasks: int = 2,
                   max_tokens: int | None = None) -> Structured[M]:
    """Send PROMPT, return a SCHEMA object that passed validation (and CHECK), or raise."""
    ep = endpoint(settings)
    server = f"{ep.host}/{ep.model}"
    messages = _to_messages(prompt, schema)
    metadata = {"template": prompt.name, "template_version": prompt.version}
    mode = _mode_for_server.get(server, MODES[0])
    attempts: list[Attempt] = []
    while len(attempts) <= max_reasks:
        try:
            raw, call_id = _ask_once(settings, messages, schema, mode, metadata, max_tokens)
        except LLMServerError as exc:
            if exc.status in _REFUSAL_STATUSES and mode != MODES[-1]:
                mode = MODES[MODES.index(mode) + 1]
                continue
            raise
        _mode_for_server[server] = mode
        value, problems = parse_reply(raw, schema, check)
        attempts.append(Attempt(mode=mode, raw=raw, problems=problems, call_id=call_id))
        if value is not None:
            return Structured(value=value, mode=mode, attempts=attempts,
                              template=prompt.name, template_version=prompt.version)
        note_error(settings, call_id, "invalid output: " + "; ".join(problems)[:2000])
        messages = [*messages, AIMessage(raw), _reask(problems)]
    last = "; ".join(attempts[-1].problems[:5])
    raise StructuredOutputError(
        f"the model's {prompt.name} output was still invalid after {len(attempts)} attempts ({last}); "
        "nothing was saved — try again, or use a stronger model (SHIFU_LLM_MODEL)",
        attempts,
    )


# --- plain text ---------------------------------------------------------------------------


def as_chat_messages(prompt: RenderedPrompt) -> list[BaseMessage]:
    """A rendered prompt as LangChain messages."""
    return [SystemMessage(m["content"]) if m["role"] == "system" else HumanMessage(m["content"])
            for m in prompt.messages]


def run_text(settings: Settings, prompt: RenderedPrompt, *, on_token: Callable[[str], None] | None = None,
             max_tokens: int | None = None, models: Callable[..., Any] | None = None) -> str:
    """Run PROMPT as an LCEL chain (messages | model | text), streamed; logged with its template version.

    Retries (429, 5xx, timeouts) happen only before the first token: once text has been
    shown, a retry would repeat it, so a failure mid-stream is reported instead. `models` builds
    the chat model (the context's, or a fake in tests); by default the configured server's.
    """
    make_model = models or partial(chat_model, settings)
    deadline = time.monotonic() + settings.llm_budget_s
    config: Any = {"metadata": {"template": prompt.name, "template_version": prompt.version}}

    def attempt(timeout_s: float) -> str:
        model = make_model(timeout_s=timeout_s, max_tokens=max_tokens, stream_usage=True)
        chain: Runnable[Any, str] = RunnableLambda(lambda _: as_chat_messages(prompt)) | model | StrOutputParser()
        parts: list[str] = []
        try:
            for piece in chain.stream({}, config=config):
                parts.append(piece)
                if on_token is not None and piece:
                    on_token(piece)
                if time.monotonic() > deadline:
                    raise LLMServerError(f"the reply took longer than SHIFU_LLM_BUDGET_S={settings.llm_budget_s:g} s; "
                                         "raise it or use a faster model")
        except LLMError:
            raise
        except Exception as exc:
            if parts:
                raise failure(settings, exc, 1, timeout_s) from exc
            raise
        return "".join(parts)

    return call_with_retries(settings, attempt)
