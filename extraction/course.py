"""The course a draft produces: outline, lessons, points, quiz, follow-up questions.

Mirrors the published JSON Schema in ``extraction/course.schema.json``
(`shifu export --format json`). Internal pipeline objects may be richer; this is
what is stored as a course version and exported.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shifu.models import Citation

QuizType = Literal["single_choice", "multiple_choice", "true_false", "short_answer"]


UnitKind = Literal["step", "tip", "warning", "rule", "definition", "tool", "measurement", "story", "fact"]
UNIT_KINDS: tuple[str, ...] = ("step", "tip", "warning", "rule", "definition", "tool", "measurement", "story", "fact")


class KnowledgeUnit(BaseModel):
    """One piece of know-how in the master's own words: a classified, cited sentence (internal)."""

    id: str
    kind: str  # one of UNIT_KINDS
    text: str  # == the cited quote (verbatim)
    speaker: str = ""
    turn_index: int = 0
    module: int = 0  # topic segment it falls in
    lesson: int = 0  # lesson inside that segment
    terms: list[str] = Field(default_factory=list)  # key terms it contains
    quantities: list[str] = Field(default_factory=list)  # numbers with units as written ("3毫米")
    score: float = 0.0
    citations: list[Citation] = Field(default_factory=list)


class Point(BaseModel):
    kind: str  # step | tip | warning | rule | definition | tool | measurement | story | fact | disagreement
    text: str
    citations: list[Citation] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)  # validator findings; empty = valid


class Lesson(BaseModel):
    title: str
    objectives: list[str] = Field(default_factory=list)
    content_md: str = ""
    points: list[Point] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)  # e.g. "empty lesson"


class Module(BaseModel):
    title: str
    summary: str = ""
    lessons: list[Lesson] = Field(default_factory=list)


class QuizItem(BaseModel):
    id: str
    type: QuizType
    stem: str
    options: list[str] = Field(default_factory=list)
    answer: list[str] = Field(default_factory=list)  # correct option texts; t/f: ["true"] | ["false"]
    explanation: str = ""
    difficulty: str = "medium"  # easy | medium | hard
    bloom: str = "remember"  # remember | understand | apply | analyze | evaluate | create
    skills: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)  # validator findings; empty = valid


class FollowUpQuestion(BaseModel):
    question: str
    reason: str
    citations: list[Citation] = Field(default_factory=list)


class Source(BaseModel):
    transcript_id: str
    title: str
    expert: str = ""
    sha256: str = ""


class CourseDraft(BaseModel):
    """A whole course as stored in a course version and exported."""

    model_config = ConfigDict(extra="ignore")

    title: str
    language: Literal["zh", "en"] = "zh"
    audience: str = ""
    level: str = ""
    objectives: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    modules: list[Module] = Field(default_factory=list)
    quiz: list[QuizItem] = Field(default_factory=list)
    follow_up_questions: list[FollowUpQuestion] = Field(default_factory=list)
    # what selection left out, best first (warnings first): "more from this interview" in review
    more_from_interview: list[Point] = Field(default_factory=list)
