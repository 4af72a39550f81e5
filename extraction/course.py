"""The course a draft produces: outline, lessons, points, quiz, follow-up questions.

Mirrors the published JSON Schema in ``extraction/course.schema.json``
(`shifu export --format json`). Internal pipeline objects may be richer; this is
what is stored as a course version and exported.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from shifu.models import Citation

QuizType = Literal["single_choice", "multiple_choice", "true_false", "short_answer"]


# The kinds of know-how a master's sentence can be; the one list every engine and screen uses.
UnitKind = Literal["step", "tip", "warning", "rule", "definition", "tool", "measurement", "story", "fact"]
UNIT_KINDS: tuple[str, ...] = get_args(UnitKind)
# A point of a lesson is a unit, or where several masters disagree (no one master's sentence).
POINT_KINDS: tuple[str, ...] = (*UNIT_KINDS, "disagreement")
# The order a lesson shows its points in: safety first, then what to do, then the why and the stories.
TEACHING_ORDER: tuple[str, ...] = ("warning", "step", "rule", "measurement", "tool", "definition", "tip", "story", "fact")

# kind -> (Chinese, English): how a kind is named to trainers and workers, in every screen and export.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "step": ("步骤", "Step"),
    "tip": ("窍门", "Tip"),
    "warning": ("安全警示", "Warning"),
    "rule": ("规矩", "Rule"),
    "definition": ("概念", "Definition"),
    "tool": ("工具与材料", "Tool or material"),
    "measurement": ("关键数值", "Key number"),
    "story": ("师傅的故事", "Story"),
    "fact": ("要点", "Point"),
    "disagreement": ("说法不同", "Masters disagree"),
}


def kind_label(kind: str, language: str) -> str:
    """A point kind in the course language (Chinese unless English); unknown kinds as they are."""
    zh, en = KIND_LABELS.get(kind, (kind, kind))
    return en if language == "en" else zh


class KnowledgeUnit(BaseModel):
    """One piece of know-how in the master's own words: a classified, cited sentence (internal)."""

    id: str
    kind: UnitKind
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
    kind: str  # one of POINT_KINDS
    text: str
    speaker: str = ""  # who said it: each speaker of a panel is credited for their own words
    skills: list[str] = Field(default_factory=list)  # of the course's trade; proposed by drafting, edited in review
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


class KeyPoint(BaseModel):
    """One of the course's key takeaways: the point whose first citation starts here (ranked, most
    important first; the point itself, and so its lesson, is found by this citation)."""

    transcript_id: str
    start: int


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
    # the 10-20 most important points, ranked: a course opens with them, each linked to its lesson
    key_points: list[KeyPoint] = Field(default_factory=list)
