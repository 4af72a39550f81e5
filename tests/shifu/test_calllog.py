"""Every LLM call is a row: template, model, host, messages, response, tokens, duration, error — never a key."""

from __future__ import annotations

import json

import pytest
from faults import SECRET_KEY, FaultServer, Reply, chat_reply, error_body, fault_settings
from sqlalchemy import select

from shifu import llm
from shifu.call_history import recent_calls
from shifu.calllog import scrub
from shifu.context import Context
from shifu.errors import LLMError
from shifu.llm import call_with_retries, chat_model
from shifu.store import session_scope
from shifu.tables import LLMCallRow
from shifu.tokens import count_tokens

CONFIG = {"metadata": {"template": "qa", "template_version": "abc123def456"}}


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "BACKOFF_S", 0.05)


def ask(settings, text: str) -> str:
    return call_with_retries(settings, lambda t: chat_model(settings, timeout_s=t).invoke(text, config=CONFIG).content)


def all_rows(settings) -> list[LLMCallRow]:
    with session_scope(settings) as session:
        return list(session.scalars(select(LLMCallRow).order_by(LLMCallRow.id)).all())


def test_a_call_is_one_row_with_what_was_sent_and_received() -> None:
    with FaultServer([Reply(body=chat_reply("热输入过高 [1]", prompt_tokens=21, completion_tokens=5))]) as server:
        settings = fault_settings(server)
        ask(settings, "焊缝发蓝是什么原因？")
    [row] = all_rows(settings)
    assert (row.template, row.template_version, row.model) == ("qa", "abc123def456", "fault-model")
    assert row.host == server.base_url.split("//")[1].split("/")[0]
    assert row.messages == [{"role": "user", "content": "焊缝发蓝是什么原因？"}]
    assert row.response == "热输入过高 [1]"
    assert (row.tokens_prompt, row.tokens_completion) == (21, 5)  # the server's usage
    assert row.tokens_prompt_local >= count_tokens("焊缝发蓝是什么原因？")  # tiktoken's own count
    assert row.duration_ms is not None and row.duration_ms > 0
    assert row.error is None


def test_each_retry_is_its_own_row_with_the_error() -> None:
    with FaultServer([Reply(429, error_body("slow down")), Reply(body=chat_reply("ok"))]) as server:
        settings = fault_settings(server)
        ask(settings, "hi")
    first, second = all_rows(settings)
    assert "429" in first.error and first.response is None
    assert second.error is None and second.response == "ok"


def test_streamed_calls_are_logged_with_the_whole_text() -> None:
    with FaultServer([Reply(body=chat_reply("先 打磨 坡口 [1]"))]) as server:
        settings = fault_settings(server)
        model = chat_model(settings)
        pieces = [c.content for c in model.stream("怎么焊？", config=CONFIG)]
    assert "".join(pieces) == "先 打磨 坡口 [1]"
    [row] = all_rows(settings)
    assert row.response == "先 打磨 坡口 [1]"


def test_keys_are_never_logged_even_when_the_server_echoes_them() -> None:
    echo = error_body(f"Incorrect API key provided: {SECRET_KEY}. Authorization: Bearer {SECRET_KEY}")
    replies = [Reply(401, echo)]
    with FaultServer(replies) as server:
        settings = fault_settings(server)
        with pytest.raises(LLMError) as info:
            ask(settings, f"my key is {SECRET_KEY}")  # even a key pasted into a prompt
    assert SECRET_KEY not in str(info.value)
    with FaultServer([Reply(body=chat_reply(f"sure: {SECRET_KEY}"))]) as server2:
        ask(fault_settings(server2), "echo it")
    rows = all_rows(settings)
    assert len(rows) == 2
    for row in rows:
        dumped = json.dumps([row.messages, row.response, row.error, row.model, row.host], ensure_ascii=False)
        assert SECRET_KEY not in dumped
        assert SECRET_KEY[-8:] not in dumped


def test_scrub_masks_keylike_text() -> None:
    assert scrub("Authorization: Bearer abcdef1234567890", []) == "Authorization: Bearer ****"
    assert scrub("key sk-proj-abcdefgh123", []) == "key sk-****"
    assert scrub("先打磨 task-force", []) == "先打磨 task-force"


def test_shifu_logs_lists_the_newest_calls_first() -> None:
    import typer
    from typer.testing import CliRunner

    from ui.cli.prompts import register

    app = typer.Typer()
    register(app, typer.Typer())
    with FaultServer([Reply(body=chat_reply("one")), Reply(body=chat_reply("two"))]) as server:
        settings = fault_settings(server)
        ctx = Context(settings)
        ask(settings, "a")
        ask(settings, "b")
    assert [r.response for r in recent_calls(ctx, 1)] == ["two"]
    result = CliRunner().invoke(app, ["logs", "-n", "5", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["response"] for x in lines] == ["two", "one"]
    assert lines[0]["template"] == "qa" and lines[0]["model"] == "fault-model"
    table = CliRunner().invoke(app, ["logs"], env={"COLUMNS": "250"})
    assert "fault-model" in table.output and "qa@abc123def456" in table.output.replace("\n", "")
