"""Structured output: JSON schema first, JSON mode when refused, re-asks with the errors, then a clear error."""

from __future__ import annotations

import json

import pytest
from faults import FaultServer, Reply, chat_reply, error_body, fault_settings
from pydantic import BaseModel, field_validator
from sqlalchemy import select

from prompts import structured
from prompts.registry import RenderedPrompt
from prompts.structured import StructuredOutputError, parse_reply, run_structured, run_text
from shifu import llm
from shifu.store import session_scope
from shifu.tables import LLMCallRow

PROMPT = RenderedPrompt(name="draft_units", version="0123456789ab", messages=[
    {"role": "system", "content": "列出知识单元。"},
    {"role": "user", "content": '<sentence id="s1">焊前先把坡口打磨干净。</sentence>'},
])


class Unit(BaseModel):
    kind: str
    text: str
    sentence_ids: list[str]

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in {"step", "tip", "warning", "rule"}:
            raise ValueError(f"kind must be step, tip, warning or rule, not {value!r}")
        return value


class Units(BaseModel):
    units: list[Unit]


GOOD = json.dumps({"units": [{"kind": "step", "text": "焊前先把坡口打磨干净。", "sentence_ids": ["s1"]}]},
                  ensure_ascii=False)
BAD_KIND = GOOD.replace('"step"', '"Unit"')
REFUSE_SCHEMA = Reply(500, error_body("Input should be 'text' or 'json_object'"))


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "BACKOFF_S", 0.05)
    monkeypatch.setattr(structured, "_mode_for_server", {})


def rows(settings) -> list[LLMCallRow]:
    with session_scope(settings) as session:
        return list(session.scalars(select(LLMCallRow).order_by(LLMCallRow.id)).all())


def test_a_server_with_json_schema_gets_json_schema() -> None:
    with FaultServer([Reply(body=chat_reply(GOOD))]) as server:
        settings = fault_settings(server)
        result = run_structured(settings, PROMPT, Units)
    assert result.mode == "json_schema" and result.value.units[0].sentence_ids == ["s1"]
    sent = server.chat_requests[0]["json"]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == "Units"
    assert "sentence_ids" in json.dumps(sent["response_format"]["json_schema"]["schema"])
    assert "JSON Schema" in sent["messages"][0]["content"]  # the schema is also spelled out
    assert (result.template, result.template_version) == ("draft_units", "0123456789ab")


def test_refused_json_schema_falls_back_to_json_mode_with_the_schema_and_is_remembered() -> None:
    with FaultServer([REFUSE_SCHEMA, Reply(body=chat_reply(GOOD))]) as server:
        settings = fault_settings(server)
        first = run_structured(settings, PROMPT, Units)
        second = run_structured(settings, PROMPT, Units)
    formats = [r["json"]["response_format"] for r in server.chat_requests]
    assert [f["type"] for f in formats] == ["json_schema", "json_object", "json_object"]
    assert formats[1]["schema"]["title"] == "Units"  # llama.cpp turns it into a grammar
    assert first.mode == second.mode == "json_object_schema"
    logged = rows(settings)
    assert len(logged) == 3 and "500" in logged[0].error  # the refused attempt is logged too


def test_invalid_output_is_re_asked_with_the_validation_errors() -> None:
    with FaultServer([Reply(body=chat_reply('{"units": [oops]}')), Reply(body=chat_reply(BAD_KIND)),
                      Reply(body=chat_reply(GOOD))]) as server:
        settings = fault_settings(server)
        result = run_structured(settings, PROMPT, Units, max_reasks=2)
    assert result.value.units[0].kind == "step" and len(result.attempts) == 3
    second, third = server.chat_requests[1]["json"]["messages"], server.chat_requests[2]["json"]["messages"]
    assert second[-2] == {"role": "assistant", "content": '{"units": [oops]}'}
    assert "not valid JSON" in second[-1]["content"]
    assert "kind must be step" in third[-1]["content"]
    errors = [r.error for r in rows(settings)]
    assert errors[0].startswith("invalid output") and errors[1].startswith("invalid output") and errors[2] is None


def test_output_still_invalid_after_n_re_asks_raises_and_is_never_returned() -> None:
    with FaultServer([Reply(body=chat_reply(BAD_KIND))]) as server:
        settings = fault_settings(server)
        with pytest.raises(StructuredOutputError, match=r"still invalid after 3 attempts.*kind must be") as info:
            run_structured(settings, PROMPT, Units, max_reasks=2)
    assert len(server.chat_requests) == 3
    assert [a.problems != [] for a in info.value.attempts] == [True, True, True]
    assert all(r.error and "invalid output" in r.error for r in rows(settings))


def test_a_check_beyond_the_schema_also_triggers_a_re_ask() -> None:
    def ids_given(value: Units) -> list[str]:
        return [f"sentence id {i} was not given" for u in value.units for i in u.sentence_ids if i != "s1"]

    wrong_id = GOOD.replace('"s1"', '"s9"')
    with FaultServer([Reply(body=chat_reply(wrong_id)), Reply(body=chat_reply(GOOD))]) as server:
        result = run_structured(fault_settings(server), PROMPT, Units, check=ids_given)
    assert len(result.attempts) == 2 and "s9 was not given" in server.chat_requests[1]["json"]["messages"][-1]["content"]


def test_parse_reply_reads_fenced_json_and_explains_failures() -> None:
    value, problems = parse_reply(f"Here you go:\n```json\n{GOOD}\n```", Units)
    assert value is not None and problems == []
    assert parse_reply("no json here", Units) == (None, ["the reply is not a JSON object"])
    _, problems = parse_reply('{"units": [{"kind": "step"}]}', Units)
    assert problems == ["units.0.text: Field required", "units.0.sentence_ids: Field required"]


def test_run_text_streams_retries_before_the_first_token_and_logs_the_version() -> None:
    tokens: list[str] = []
    with FaultServer([Reply(429, error_body("busy")), Reply(body=chat_reply("先 打磨 坡口"))]) as server:
        settings = fault_settings(server)
        text = run_text(settings, PROMPT, on_token=tokens.append)
    assert text == "先 打磨 坡口" and "".join(tokens) == text and len(tokens) == 3
    assert server.chat_requests[1]["json"]["stream"] is True
    busy, ok = rows(settings)
    assert "429" in busy.error and ok.response == text
    assert (ok.template, ok.template_version) == ("draft_units", "0123456789ab")


def test_the_schema_sent_to_the_server_asks_for_no_string_llama_cpp_cannot_build_while_the_reply_keeps_its_own():
    # a whole point of the master may be 1,600 characters; a llama.cpp grammar with maxLength 1600 killed its server
    from pydantic import Field

    class Point(BaseModel):
        text: str = Field(max_length=1600)
        skills: list[str] = Field(default_factory=list, max_length=3)

    sent = json.dumps(structured.sent_schema(Point))
    assert '"maxLength": 300' in sent and "1600" not in sent
    assert '"maxItems": 3' in sent  # other bounds are sent as they are
    long = "焊" * 1000
    assert parse_reply(json.dumps({"text": long}), Point, None)[0].text == long  # validated against 1,600
