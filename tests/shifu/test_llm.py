"""The provider against a scripted loopback server: retries, no retries, budget, timeouts, clear errors."""

from __future__ import annotations

import socket
import time

import pytest
from faults import FaultServer, Reply, chat_reply, error_body, fault_settings

from shifu import llm
from shifu.errors import ConfigError, LLMError
from shifu.llm import call_with_retries, chat_model, endpoint
from shifu.settings import load_settings


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "BACKOFF_S", 0.1)


def ask(settings, text: str = "hi") -> str:
    return call_with_retries(settings, lambda t: chat_model(settings, timeout_s=t).invoke(text).content)


# --- configuration ---------------------------------------------------------------------------


def test_no_server_configured_names_the_variables() -> None:
    with pytest.raises(ConfigError, match="SHIFU_LLM_BASE_URL"):
        endpoint(load_settings())


def test_missing_model_names_shifu_llm_model() -> None:
    with pytest.raises(ConfigError, match="SHIFU_LLM_MODEL"):
        endpoint(load_settings(llm_base_url="http://127.0.0.1:9/v1"))


def test_base_url_without_scheme_is_refused() -> None:
    with pytest.raises(ConfigError, match="SHIFU_LLM_BASE_URL"):
        endpoint(load_settings(llm_base_url="127.0.0.1:8080", llm_model="m"))


def test_openai_variables_are_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback-123456")
    monkeypatch.setenv("SHIFU_LLM_MODEL", "qwen2.5")
    ep = endpoint(load_settings())
    assert (ep.base_url, ep.api_key, ep.model, ep.host) == (
        "http://127.0.0.1:8080/v1", "sk-fallback-123456", "qwen2.5", "127.0.0.1:8080")


def test_local_server_needs_no_key() -> None:
    ep = endpoint(load_settings(llm_base_url="http://127.0.0.1:8080/v1", llm_model="m"))
    assert ep.api_key == llm.NO_KEY


# --- the wire -------------------------------------------------------------------------------


def test_reply_comes_back_and_limits_are_sent_as_compatible_servers_expect() -> None:
    with FaultServer([Reply(body=chat_reply("焊缝发蓝是热输入过高。"))]) as server:
        settings = fault_settings(server, llm_max_tokens=77)
        assert ask(settings) == "焊缝发蓝是热输入过高。"
    sent = server.chat_requests[0]
    assert sent["json"]["max_tokens"] == 77  # llama.cpp, Ollama and vLLM read max_tokens
    assert sent["json"]["model"] == "fault-model"
    assert sent["headers"]["authorization"] == "Bearer sk-test-SECRET-4f9a8b7c6d5e"


def test_429_then_200_is_retried_and_succeeds() -> None:
    with FaultServer([Reply(429, error_body("slow down", "rate_limit")), Reply(body=chat_reply("ok"))]) as server:
        assert ask(fault_settings(server)) == "ok"
    assert len(server.chat_requests) == 2


def test_retry_after_header_is_honoured() -> None:
    replies = [Reply(429, error_body("slow down"), headers={"Retry-After": "0.4"}), Reply(body=chat_reply("ok"))]
    with FaultServer(replies) as server:
        assert ask(fault_settings(server)) == "ok"
    first, second = server.chat_requests
    assert second["at"] - first["at"] >= 0.35


@pytest.mark.parametrize("status", [400, 401])
def test_400_and_401_are_not_retried(status: int) -> None:
    with FaultServer([Reply(status, error_body("nope", "invalid_request_error"))]) as server:
        with pytest.raises(LLMError) as info:
            ask(fault_settings(server, llm_max_retries=3))
    assert len(server.chat_requests) == 1
    assert f"HTTP {status}" in str(info.value)
    if status == 401:
        assert "SHIFU_LLM_API_KEY" in str(info.value)


def test_500_repeated_fails_after_max_retries_with_growing_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(llm.time, "sleep", lambda s: (pauses.append(s), real_sleep(s)))
    with FaultServer([Reply(500, error_body("boom"))]) as server:
        with pytest.raises(LLMError, match=r"HTTP 500.*after 3 attempts"):
            ask(fault_settings(server, llm_max_retries=2))
    assert len(server.chat_requests) == 3
    assert len(pauses) == 2 and pauses[1] > pauses[0]  # exponential backoff


def test_retries_stop_when_the_budget_is_spent() -> None:
    with FaultServer([Reply(503, error_body("overloaded"))]) as server:
        start = time.monotonic()
        with pytest.raises(LLMError, match="SHIFU_LLM_BUDGET_S"):
            ask(fault_settings(server, llm_max_retries=50, llm_budget_s=1.0))
        elapsed = time.monotonic() - start
    assert elapsed < 1.3
    assert 2 <= len(server.chat_requests) < 50


def test_slow_reply_is_a_timeout_error_naming_the_setting() -> None:
    with FaultServer([Reply(delay_s=1.5, body=chat_reply("late"))]) as server:
        start = time.monotonic()
        with pytest.raises(LLMError, match=r"did not answer within 0\.3 s.*SHIFU_LLM_TIMEOUT_S"):
            ask(fault_settings(server, llm_timeout_s=0.3, llm_max_retries=1))
        elapsed = time.monotonic() - start
    assert len(server.chat_requests) == 2  # a timeout is retried
    assert elapsed < 1.5


def test_server_down_says_how_to_fix_it() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="m")
    with pytest.raises(LLMError) as info:
        ask(settings)
    assert str(info.value) == (f"cannot reach the LLM server at 127.0.0.1:{port}; "
                               "start it or fix SHIFU_LLM_BASE_URL")


def test_invalid_json_from_the_server_is_an_error_not_a_reply() -> None:
    with FaultServer([Reply(200, "{not json")]) as server:
        with pytest.raises(LLMError, match="not JSON.*SHIFU_LLM_BASE_URL"):
            ask(fault_settings(server))
