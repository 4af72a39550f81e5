"""The chat-model provider: one place that talks to any OpenAI-compatible server.

OpenAI, DeepSeek, Qwen (compatible mode), Zhipu, Moonshot, vLLM, Ollama and the
llama.cpp server all speak the same protocol; `SHIFU_LLM_BASE_URL`, `SHIFU_LLM_MODEL`
and `SHIFU_LLM_API_KEY` pick one. The OpenAI client's own retries are off: shifu
retries here so that 400/401 never repeat and the whole request keeps to a time budget.
"""

from __future__ import annotations

import atexit
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlparse

import httpx
import openai
from langchain_openai import ChatOpenAI

from shifu.calllog import CallLog, scrub
from shifu.errors import ConfigError, LLMError
from shifu.settings import Settings

T = TypeVar("T")

BACKOFF_S = 0.5  # first pause before a retry; doubles each time
NO_KEY = "no-key"  # local servers (llama.cpp, Ollama, vLLM) accept any key


class LLMServerError(LLMError):
    """The server answered with an HTTP error (status kept for callers that fall back)."""

    def __init__(self, message: str, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True)
class Endpoint:
    """Where the chat model lives; `api_key` never leaves this object except to the client."""

    base_url: str | None
    model: str
    api_key: str

    @property
    def host(self) -> str:
        if not self.base_url:
            return "api.openai.com"
        parsed = urlparse(self.base_url)
        return parsed.netloc or self.base_url


def endpoint(settings: Settings) -> Endpoint:
    """The configured server, or a ConfigError naming the variable to set."""
    base_url, model, key = settings.llm_base_url, settings.llm_model, settings.llm_api_key
    if not base_url and not key:
        raise ConfigError(
            "LLM mode needs a server: set SHIFU_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1) and "
            "SHIFU_LLM_MODEL, or SHIFU_LLM_API_KEY for OpenAI"
        )
    if base_url and urlparse(base_url).scheme not in ("http", "https"):
        raise ConfigError(f"SHIFU_LLM_BASE_URL={base_url!r} is not an http(s) URL; set it like http://127.0.0.1:8080/v1")
    if not model:
        raise ConfigError("no chat model chosen: set SHIFU_LLM_MODEL to a model the server at "
                          f"{urlparse(base_url).netloc if base_url else 'api.openai.com'} serves")
    return Endpoint(base_url=base_url, model=model, api_key=key or NO_KEY)


def chat_model(settings: Settings, *, timeout_s: float | None = None, max_tokens: int | None = None,
               temperature: float = 0.0, **kwargs: Any) -> ChatOpenAI:
    """A LangChain ChatOpenAI for the configured server; every call it makes lands in the call log."""
    ep = endpoint(settings)
    log = CallLog(settings, model=ep.model, host=ep.host, secrets=[ep.api_key])
    limit = max_tokens or settings.llm_max_tokens
    if ep.host.endswith("openai.com"):
        kwargs["max_tokens"] = limit  # LangChain sends it as max_completion_tokens
    else:  # llama.cpp, Ollama, older vLLM know only the classic name and ignore the new one
        kwargs["extra_body"] = {**kwargs.get("extra_body", {}), "max_tokens": limit}
    sync_client, async_client = _http_clients(ep.base_url)
    return ChatOpenAI(
        model=ep.model,
        base_url=ep.base_url,
        api_key=ep.api_key,  # type: ignore[arg-type]
        timeout=timeout_s or settings.llm_timeout_s,  # the OpenAI client sends it with each request
        max_retries=0,  # shifu retries itself, within the budget
        temperature=temperature,
        callbacks=[log],
        http_client=sync_client,
        http_async_client=async_client,
        **kwargs,
    )


@lru_cache(maxsize=16)
def _http_clients(base_url: str | None) -> tuple[httpx.Client, httpx.AsyncClient]:
    """Connection pools shared by all models for one server: a new pool per attempt costs ~0.1 s. The
    pool's kept-alive connections are closed when the process ends (else each is an unclosed socket)."""
    pool = httpx.Client()
    atexit.register(pool.close)
    return pool, httpx.AsyncClient()


def call_log_of(model: Any) -> CallLog | None:
    """The CallLog attached to a model built by :func:`chat_model`."""
    for handler in getattr(model, "callbacks", None) or []:
        if isinstance(handler, CallLog):
            return handler
    return None


# --- retries within a budget ------------------------------------------------------------


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _retryable(exc: BaseException, retry_5xx: bool) -> bool:
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return True
    status = _status(exc)
    if status == 429:
        return True
    return retry_5xx and status is not None and status >= 500


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _server_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)[:300]
    return str(exc)[:300]


def failure(settings: Settings, exc: BaseException, attempts: int, timeout_s: float) -> LLMError:
    """A user-facing LLMError for what went wrong, naming the host and what to do."""
    host = endpoint(settings).host
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    status = _status(exc)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return LLMServerError(f"the LLM server at {host} did not answer within {timeout_s:g} s ({tries}); "
                              "raise SHIFU_LLM_TIMEOUT_S or use a faster model", None, attempts)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return LLMServerError(f"cannot reach the LLM server at {host}; start it or fix SHIFU_LLM_BASE_URL",
                              None, attempts)
    if isinstance(exc, json.JSONDecodeError):
        return LLMServerError(f"the LLM server at {host} sent a reply that is not JSON; check that "
                              "SHIFU_LLM_BASE_URL points at an OpenAI-compatible endpoint (usually ending in /v1)",
                              None, attempts)
    message = scrub(_server_message(exc), [endpoint(settings).api_key]) or ""
    if status in (401, 403):
        return LLMServerError(f"the LLM server at {host} refused the key (HTTP {status}: {message}); "
                              "set SHIFU_LLM_API_KEY to a valid key", status, attempts)
    if status == 429:
        return LLMServerError(f"the LLM server at {host} is rate-limiting (HTTP 429) after {tries}; wait a "
                              "minute or raise SHIFU_LLM_MAX_RETRIES / SHIFU_LLM_BUDGET_S", status, attempts)
    if status is not None and status >= 500:
        return LLMServerError(f"the LLM server at {host} failed (HTTP {status}: {message}) after {tries}; "
                              "check the server's log", status, attempts)
    if status is not None:
        return LLMServerError(f"the LLM server at {host} rejected the request (HTTP {status}: {message}); "
                              "check SHIFU_LLM_MODEL and the server's limits", status, attempts)
    return LLMServerError(f"the LLM call to {host} failed: {type(exc).__name__}: "
                          f"{scrub(str(exc), [endpoint(settings).api_key])}", None, attempts)


def call_with_retries(settings: Settings, attempt: Callable[[float], T], *, retry_5xx: bool = True,
                      backoff_s: float | None = None) -> T:
    """Run ``attempt(timeout_s)``; retry 429, 5xx and timeouts with exponential backoff.

    400/401 and unreachable servers fail at once. All attempts and pauses together stay
    within ``settings.llm_budget_s``; each attempt's timeout is cut to what is left of it.
    """
    start = time.monotonic()
    budget = settings.llm_budget_s
    backoff_s = BACKOFF_S if backoff_s is None else backoff_s
    attempts = 0
    while True:
        left = budget - (time.monotonic() - start)
        timeout_s = max(min(settings.llm_timeout_s, left), 0.05)
        attempts += 1
        if attempts > 1 and left < 0.1:  # a try that cannot finish in time is not worth starting
            raise LLMServerError(f"gave up on the LLM server at {endpoint(settings).host}: "
                                 f"SHIFU_LLM_BUDGET_S={budget:g} s spent after {attempts - 1} attempts", None,
                                 attempts - 1)
        try:
            return attempt(timeout_s)
        except (openai.OpenAIError, httpx.HTTPError, json.JSONDecodeError) as exc:  # anything else is a bug
            if not _retryable(exc, retry_5xx) or attempts > settings.llm_max_retries:
                raise failure(settings, exc, attempts, timeout_s) from exc
            pause = _retry_after(exc) or backoff_s * 2 ** (attempts - 1) * random.uniform(0.8, 1.2)
            left = budget - (time.monotonic() - start)
            if pause >= left - 0.05:  # no time for another try: say so rather than overrun
                err = failure(settings, exc, attempts, timeout_s)
                raise LLMServerError(f"{err} (gave up: SHIFU_LLM_BUDGET_S={budget:g} s spent)",
                                     getattr(err, "status", None), attempts) from exc
            time.sleep(pause)
