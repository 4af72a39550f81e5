"""The LLM layer against a real llama.cpp server: chat, streaming, structured output, call log, timeouts."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from pydantic import BaseModel, Field

from prompts import structured
from prompts.registry import RenderedPrompt
from prompts.structured import StructuredOutputError, run_structured
from shifu.call_history import recent_calls
from shifu.context import Context
from shifu.errors import LLMError
from shifu.llm import call_with_retries, chat_model

pytestmark = pytest.mark.llm

SENTENCE = "Thin plate needs a low current and a fast travel speed."
PROMPT = RenderedPrompt(name="draft_units", version="test00000000", messages=[
    {"role": "system", "content": "Extract one know-how tip from the sentence."},
    {"role": "user", "content": f'<sentence id="s1">{SENTENCE}</sentence>'},
])
KINDS = {"step", "tip", "warning", "rule"}


class Tip(BaseModel):
    kind: str = Field(max_length=12)
    quote: str = Field(max_length=80)


def grounded(tip: Tip) -> list[str]:
    """What drafting checks: a known kind, and a quote that is verbatim in the source."""
    problems = [] if tip.kind in KINDS else [f"kind must be one of {sorted(KINDS)}, not {tip.kind!r}"]
    if tip.quote not in SENTENCE:
        problems.append(f"quote {tip.quote!r} is not verbatim in sentence s1")
    return problems


def test_chat_reply_is_logged_with_the_servers_usage(llm_settings) -> None:
    reply = call_with_retries(llm_settings, lambda t: chat_model(llm_settings, timeout_s=t, max_tokens=16).invoke(
        "Say hello.", config={"metadata": {"template": "smoke", "template_version": "v1"}}))
    assert isinstance(reply.content, str) and reply.content.strip()
    [row] = recent_calls(Context(llm_settings), 1)
    assert (row.template, row.template_version, row.model) == ("smoke", "v1", "smollm2-135m")
    assert row.host == urlparse(llm_settings.llm_base_url).netloc
    assert row.response == reply.content and row.error is None
    assert row.tokens_prompt and row.tokens_prompt > 0 and row.tokens_completion <= 16
    assert row.tokens_prompt_local > 0 and row.duration_ms > 0


def test_streaming_delivers_pieces_and_logs_the_whole_reply(llm_settings) -> None:
    pieces = [c.content for c in chat_model(llm_settings, max_tokens=16).stream("Count from one to five.")]
    assert len([p for p in pieces if p]) > 2
    [row] = recent_calls(Context(llm_settings), 1)
    assert row.response == "".join(pieces)


def test_structured_output_falls_back_from_json_schema_to_json_mode(llm_settings, monkeypatch) -> None:
    monkeypatch.setattr(structured, "_mode_for_server", {})  # forget what earlier tests learned
    result = run_structured(llm_settings, PROMPT, Tip)  # the schema alone: the grammar keeps it valid
    assert isinstance(result.value, Tip) and result.mode == "json_object_schema"
    refused, accepted = reversed(recent_calls(Context(llm_settings), 2))
    assert "500" in refused.error  # llama.cpp rejects response_format json_schema
    assert accepted.error is None and accepted.template == "draft_units"


def test_what_the_tiny_model_gets_wrong_is_rejected_after_re_asks(llm_settings) -> None:
    with pytest.raises(StructuredOutputError, match="still invalid after 2 attempts") as info:
        run_structured(llm_settings, PROMPT, Tip, check=grounded, max_reasks=1)
    assert len(info.value.attempts) == 2 and all(a.problems for a in info.value.attempts)
    logged = recent_calls(Context(llm_settings), 2)
    assert all(row.error and row.error.startswith("invalid output") for row in logged)


def test_a_reply_slower_than_the_timeout_is_a_clear_error(llm_settings) -> None:
    quick = llm_settings.model_copy(update={"llm_timeout_s": 0.05, "llm_max_retries": 0})
    with pytest.raises(LLMError, match=r"did not answer within 0\.05 s.*SHIFU_LLM_TIMEOUT_S"):
        call_with_retries(quick, lambda t: chat_model(quick, timeout_s=t, max_tokens=48).invoke(
            "Write a long story about welding."))
    [row] = recent_calls(Context(quick), 1)
    assert "Timeout" in row.error
