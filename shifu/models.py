"""Domain models in the trainer's words: transcripts, turns, chunks, citations.

A transcript's *normalised text* is its turns' texts joined by a single newline
(speaker names are not part of it). Every character span in shifu (turns,
chunks, citations) points into that text, so a quote is always
``transcript.text[start:end]``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["interviewer", "expert", "other"]
Language = Literal["zh", "en"]


class Turn(BaseModel):
    """One speaker turn of an interview."""

    index: int
    speaker: str
    role: Role = "other"
    text: str
    start: float | None = None  # seconds from the start of the recording
    end: float | None = None
    char_start: int = 0  # span in the transcript's normalised text
    char_end: int = 0


class ExpertProfile(BaseModel):
    """Who the master is; every field optional because sources rarely say it all."""

    name: str | None = None
    trade: str | None = None
    enterprise: str | None = None
    years: int | None = None
    title: str | None = None


class Transcript(BaseModel):
    """A parsed interview, ready to be chunked and indexed."""

    id: str = ""
    title: str
    language: Language = "zh"
    expert: str | None = None
    trade: str | None = None
    enterprise: str | None = None
    interview_date: date | None = None
    consent: bool = False
    source_name: str = ""  # file name as the trainer gave it
    sha256: str = ""  # of the source bytes
    turns: list[Turn] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """The normalised text all spans point into."""
        return "\n".join(turn.text for turn in self.turns)

    def expert_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role == "expert"]


class Chunk(BaseModel):
    """A citable piece of a transcript: usually a question with its answer."""

    id: str
    transcript_id: str
    ord: int  # position in the transcript
    text: str  # == transcript.text[char_start:char_end]
    speakers: list[str] = Field(default_factory=list)
    char_start: int = 0
    char_end: int = 0
    t_start: float | None = None
    t_end: float | None = None
    n_tokens: int = 0


class Citation(BaseModel):
    """Where a point, a quiz item or an answer comes from: a verbatim quote."""

    transcript_id: str
    chunk_id: str
    quote: str
    start: int
    end: int
    t_start: float | None = None
    t_end: float | None = None


class SearchHit(BaseModel):
    """A chunk found for a query, with what a reader needs to judge it."""

    chunk: Chunk
    score: float
    rank: int
    transcript_title: str = ""
    expert: str | None = None


class AnswerCitation(Citation):
    """A numbered citation under an answer: [n] → this chunk, its title and speaker."""

    n: int = 1
    transcript_title: str = ""
    speaker: str = ""
    score: float = 0.0


class Answer(BaseModel):
    """What the Q&A chat shows: an answer, its citations, and whether the material covers it."""

    question: str = ""
    answer: str
    citations: list[AnswerCitation] = Field(default_factory=list)
    covered: bool = True
    mode: Literal["offline", "llm"] = "offline"
    valid: bool = True  # False when an LLM answer's citations failed the check
    problems: list[str] = Field(default_factory=list)
