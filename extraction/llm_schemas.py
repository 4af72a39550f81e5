"""What the model may answer when it drafts or regenerates: one Pydantic schema per reply, with
one bound per field.

The schemas bound every list and string: servers with grammar-constrained JSON (llama.cpp) then
cannot ramble past the token limit, and a real model loses nothing by them. The text a learner
reads as the item itself (a unit, a quiz stem, a point, a follow-up question) must not be empty —
an empty one is re-asked rather than turned into an empty item; titles, summaries and
explanations may be empty, because the engine then keeps the offline draft's or the module's.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from extraction.course import QuizType, UnitKind

MAX_TEXT = 1600  # characters: a whole point of the master (up to 450 Chinese characters or about 265 English
# words, extraction.selection.MAX_POINT_SIZE) may be quoted as it is; a quiz stem is far shorter
MAX_IDS = 8  # sentences or units one item may cite

Difficulty = Literal["easy", "medium", "hard"]
Bloom = Literal["remember", "understand", "apply", "analyze", "evaluate", "create"]

Ids = Annotated[list[Annotated[str, Field(max_length=12)]], Field(max_length=MAX_IDS)]
Short = Annotated[str, Field(max_length=MAX_TEXT)]  # may be empty: something else stands in
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]  # the item itself: never empty
Skill = Annotated[str, Field(max_length=40)]


# --- drafting (extraction/llm_engine.py) ----------------------------------------------------


class LLMUnit(BaseModel):
    kind: UnitKind
    text: Text
    sentence_ids: Ids = Field(default_factory=list)


class LLMUnits(BaseModel):
    units: list[LLMUnit] = Field(default_factory=list, max_length=12)


class LLMLesson(BaseModel):
    title: Short
    objectives: list[Short] = Field(default_factory=list, max_length=4)
    unit_ids: Ids = Field(default_factory=list)


class LLMModule(BaseModel):
    title: Short
    summary: Short = ""
    lessons: list[LLMLesson] = Field(default_factory=list, max_length=6)


class LLMOutline(BaseModel):
    title: Short
    audience: Short = ""
    level: Short = ""
    objectives: list[Short] = Field(default_factory=list, max_length=6)
    modules: list[LLMModule] = Field(default_factory=list, max_length=12)


class LLMQuizItem(BaseModel):
    type: QuizType
    stem: Text
    options: list[Short] = Field(default_factory=list, max_length=6)
    answer: list[Short] = Field(default_factory=list, max_length=6)
    explanation: Short = ""
    difficulty: Difficulty = "medium"
    bloom: Bloom = "remember"
    skills: list[Skill] = Field(default_factory=list, max_length=4)
    unit_ids: Ids = Field(default_factory=list)


class LLMQuiz(BaseModel):
    items: list[LLMQuizItem] = Field(default_factory=list, max_length=10)


# --- regenerating one item (extraction/regenerate.py; a quiz item is an LLMQuizItem) --------


class LLMPoint(BaseModel):
    kind: UnitKind
    text: Text
    unit_ids: Ids = Field(default_factory=list)


class LLMFollowUp(BaseModel):
    question: Text
    reason: Short = ""
    unit_ids: Ids = Field(default_factory=list)
