"""Read the shifu JSON transcript format (see corpus/FORMAT.md); anything else is refused with the bad field."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from rag.parse_text import ParsedSource
from shifu.errors import TranscriptError
from shifu.models import Turn

__all__ = ["parse_json", "JsonTranscript"]

_FORMAT = "see corpus/FORMAT.md for the JSON shape"
_FORMAT_ZH = "JSON 应是一个对象，含 title（标题）和 turns（每段的 speaker 说话人、text 内容）"
MAX_SECONDS = 604_800  # a week of recording


class JsonExpert(BaseModel):
    """The `expert` object: who the master is."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    trade: str | None = None
    enterprise: str | None = None
    years: int | None = Field(default=None, ge=0, le=80)
    title: str | None = None


class JsonTurn(BaseModel):
    """One entry of `turns`."""

    model_config = ConfigDict(extra="forbid")
    speaker: str = Field(min_length=1)
    text: str
    # Seconds into the recording: finite and within a week (1e309 would be infinity).
    start: float | None = Field(default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    end: float | None = Field(default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    role: Literal["interviewer", "expert", "other"] | None = None

    @field_validator("speaker", "text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _ends_after_start(self) -> JsonTurn:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class JsonTranscript(BaseModel):
    """The whole file: `{"title", "language"?, "expert"?, "turns": [...]}` plus optional date/trade/enterprise."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    language: Literal["zh", "en"] | None = None
    expert: JsonExpert | None = None
    turns: list[JsonTurn] = Field(min_length=1)
    date: str | None = None
    trade: str | None = None
    enterprise: str | None = None

    @model_validator(mode="after")
    def _turns_in_order(self) -> JsonTranscript:
        last = 0.0
        for i, turn in enumerate(self.turns):
            if turn.start is not None:
                if turn.start < last:
                    raise ValueError(f"turns[{i}].start ({turn.start:g}) is before the previous turn's start "
                                     f"({last:g}); put the turns in the order they were said")
                last = turn.start
        return self


def parse_json(text: str, name: str) -> ParsedSource:
    """Validate the JSON transcript and turn it into turns with the roles it states."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise TranscriptError(
            f"{name} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); fix it, {_FORMAT}.",
            zh=f"{name} 不是有效的 JSON（第 {err.lineno} 行第 {err.colno} 列有错）；请改正，{_FORMAT_ZH}。",
        ) from None
    if not isinstance(raw, dict):
        raise TranscriptError(
            f"{name} must hold one JSON object with 'title' and 'turns', not a {type(raw).__name__}; {_FORMAT}.",
            zh=f"{name} 的内容不是一个 JSON 对象；{_FORMAT_ZH}。",
        )
    try:
        doc = JsonTranscript.model_validate(raw)
    except ValidationError as err:
        raise TranscriptError(f"{name} is not in the shifu JSON format: {_problems(err)}; {_FORMAT}.",
                              zh=f"{name} 不符合师傅的 JSON 格式（{_problems(err)}）；请按格式改正，{_FORMAT_ZH}。") from None
    turns = [
        Turn(index=i, speaker=t.speaker, text=t.text, start=t.start, end=t.end, role=t.role or "other")
        for i, t in enumerate(doc.turns)
    ]
    meta = {"title": doc.title.strip()}
    expert = doc.expert or JsonExpert()
    for key, value in {
        "expert": expert.name,
        "trade": doc.trade or expert.trade,
        "enterprise": doc.enterprise or expert.enterprise,
        "date": doc.date,
        "language": doc.language,
    }.items():
        if value:
            meta[key] = value
    fixed = {i for i, t in enumerate(doc.turns) if t.role is not None}
    return ParsedSource(turns=turns, meta=meta, fixed_roles=fixed)


def _problems(err: ValidationError) -> str:
    """'utterances is not a field of this format; turns is missing' — paths a person can find in the file."""
    found = sorted(err.errors(), key=lambda problem: problem["type"] != "extra_forbidden")
    return "; ".join(_describe(problem) for problem in found[:3])


def _describe(problem: ErrorDetails) -> str:
    path = ""
    for part in problem["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = problem["msg"]
    if problem["type"] == "extra_forbidden":
        message = "is not a field of this format"
    elif problem["type"] == "missing":
        message = "is missing"
    return f"{path} {message}" if path else message
