"""SQL tables (SQLAlchemy 2). Schema changes go through Alembic migrations in
``shifu/migrations/versions``; keep the two in step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# --- ingestion ---------------------------------------------------------------


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    expert: Mapped[str | None] = mapped_column(String(200))
    trade: Mapped[str | None] = mapped_column(String(200))
    enterprise: Mapped[str | None] = mapped_column(String(200))
    interview_date: Mapped[str | None] = mapped_column(String(10))  # ISO date
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str] = mapped_column(String(500), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # 'indexing' while chunks are being written to Chroma/BM25, 'ready' after.
    status: Mapped[str] = mapped_column(String(20), default="indexing")
    uploaded_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    turns: Mapped[list[TurnRow]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="TurnRow.idx"
    )
    chunks: Mapped[list[ChunkRow]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="ChunkRow.ord"
    )


class TurnRow(Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)

    transcript: Mapped[TranscriptRow] = relationship(back_populates="turns")


class ChunkRow(Base):
    __tablename__ = "chunks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    ord: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    speakers: Mapped[list[str]] = mapped_column(JSON, default=list)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    t_start: Mapped[float | None] = mapped_column(Float)
    t_end: Mapped[float | None] = mapped_column(Float)
    n_tokens: Mapped[int] = mapped_column(Integer, default=0)

    transcript: Mapped[TranscriptRow] = relationship(back_populates="chunks")


class LexicalChunkRow(Base):
    """One chunk in the lexical index every process shares: its terms, pre-tokenised and hashed.

    ``chars`` and ``words`` hold (crc32 of the term, count) pairs (rag/lexical.py packs them), so a
    process loads the index without tokenising again. A removed chunk stays as a tombstone (no terms)
    until the index is compacted, so a reader that is behind sees the removal.
    """

    __tablename__ = "lexical_chunks"

    index_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    chunk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    transcript_id: Mapped[str] = mapped_column(String(64), index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)  # may a worker's chat see it
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    added: Mapped[int] = mapped_column(Integer)  # the generation its terms were written at
    generation: Mapped[int] = mapped_column(Integer, index=True)  # its last change: terms, visibility, removal
    chars: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    chars_len: Mapped[int] = mapped_column(Integer, default=0)
    words: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    words_len: Mapped[int] = mapped_column(Integer, default=0)


class LexicalStateRow(Base):
    """The generation counter of one lexical index: readers compare it to apply only what changed."""

    __tablename__ = "lexical_state"

    index_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    floor: Mapped[int] = mapped_column(Integer, default=0)  # a reader older than this reloads everything


# --- Q&A and the LLM layer -----------------------------------------------------


class KnowledgeGapRow(Base):
    """A question the published material did not cover: material for the next interview."""

    __tablename__ = "knowledge_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str | None] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(20), default="all")
    best_score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | planned | closed
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LLMCallRow(Base):
    """Every call to a chat model; never holds a key."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    template: Mapped[str | None] = mapped_column(String(100))
    template_version: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(300))
    messages: Mapped[Any] = mapped_column(JSON, default=list)
    response: Mapped[str | None] = mapped_column(Text)
    tokens_prompt_local: Mapped[int | None] = mapped_column(Integer)
    tokens_prompt: Mapped[int | None] = mapped_column(Integer)
    tokens_completion: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PromptVersionRow(Base):
    """A saved override of a prompt template (the shipped YAML is never overwritten)."""

    __tablename__ = "prompt_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(64))  # content hash
    body: Mapped[str] = mapped_column(Text)  # the YAML text
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PromptActivationRow(Base):
    """History of which version of a template is active; the newest row wins."""

    __tablename__ = "prompt_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(64))
    activated_by: Mapped[str | None] = mapped_column(String(100))
    # a rollback undoes the activation before it, so a second rollback walks further back
    is_rollback: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- courses ---------------------------------------------------------------------


class CourseRow(Base):
    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    trade: Mapped[str | None] = mapped_column(String(200))
    enterprise: Mapped[str | None] = mapped_column(String(200))
    # draft | in_review | published
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[CourseVersionRow]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseVersionRow.number"
    )


class CourseVersionRow(Base):
    __tablename__ = "course_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    data: Mapped[Any] = mapped_column(JSON)  # the course JSON (see extraction/course.schema.json)
    engine: Mapped[str] = mapped_column(String(20), default="offline")
    model: Mapped[str | None] = mapped_column(String(200))
    template_versions: Mapped[Any] = mapped_column(JSON, default=dict)
    transcript_ids: Mapped[Any] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    course: Mapped[CourseRow] = relationship(back_populates="versions")


# --- people and what they do -----------------------------------------------------


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # trainer | worker | admin
    enterprise: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8))  # zh | en, the app's language for this user


class LoginSessionRow(Base):
    """A logged-in browser: every app process accepts it (shifu/sessions.py). The token itself is never
    stored, only its SHA-256, so a copy of the database holds no cookie that would let anyone in."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    stamp: Mapped[str] = mapped_column(String(64))  # the account's session stamp when it logged in
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class SiteKeyRow(Base):
    """A value every process of one installation shares, made once (e.g. the login cookie's name)."""

    __tablename__ = "site_keys"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class LoginFailureRow(Base):
    """Failed logins of one user name or one address, counted for every app process (shifu/login_failures.py).

    The key is a SHA-256 of "user:<name>" or "addr:<address>": a name typed at the login box may be a
    password typed in the wrong field, and may be of any length."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float, index=True)  # seconds on the throttle's clock (Unix time)


class QuizAttemptRow(Base):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[Any] = mapped_column(JSON, default=dict)
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RatingRow(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnswerFeedbackRow(Base):
    """Thumbs up/down a worker gave a chat answer."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- growth: skills, mastery, reviews, tiers, paths, assignments (issue 13) --------------


class SkillRow(Base):
    """A skill of a trade (焊接电流选择); an admin curates the list (rename, merge)."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("trade", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trade: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200))
    # Bayesian Knowledge Tracing parameters: defaults until `shifu skills fit` has enough data
    p_init: Mapped[float] = mapped_column(Float, default=0.2)
    p_learn: Mapped[float] = mapped_column(Float, default=0.15)
    p_slip: Mapped[float] = mapped_column(Float, default=0.1)
    p_guess: Mapped[float] = mapped_column(Float, default=0.2)
    fitted_on: Mapped[int] = mapped_column(Integer, default=0)  # answers the parameters were fitted on
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SkillTagRow(Base):
    """A skill carried by a lesson point ('point', 'm.l.p') or a quiz item ('item', item id) of a course."""

    __tablename__ = "skill_tags"
    __table_args__ = (UniqueConstraint("course_id", "kind", "ref", "skill_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # point | item
    ref: Mapped[str] = mapped_column(String(64))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)


class MasteryRow(Base):
    """What the evidence says a worker knows of one skill (BKT posterior), kept up to date per answer."""

    __tablename__ = "mastery"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    p_known: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ItemStatRow(Base):
    """Online (Elo) difficulty of a quiz item, updated with every answer."""

    __tablename__ = "item_stats"

    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    difficulty: Mapped[float] = mapped_column(Float, default=0.0)  # logits; higher is harder
    answers: Mapped[int] = mapped_column(Integer, default=0)


class ReviewCardRow(Base):
    """An FSRS card: one key point a worker studied, due for review at `due`."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("username", "course_id", "item_id"),
                      Index("ix_review_cards_due", "username", "due"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    course_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))  # the quiz item that asks about the point
    card: Mapped[Any] = mapped_column(JSON)  # fsrs.Card.to_dict()
    due: Mapped[datetime] = mapped_column(DateTime)
    reps: Mapped[int] = mapped_column(Integer, default=0)


class TierRow(Base):
    """One rung of a trade's ladder with its rule (see extraction/growth/tiers.py)."""

    __tablename__ = "tiers"
    __table_args__ = (UniqueConstraint("trade", "rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trade: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)  # 1 = first rung
    name: Mapped[str] = mapped_column(String(100))
    # {"skills": [...]} all proficient, or {"count": n, "required": [...]}
    rule: Mapped[Any] = mapped_column(JSON, default=dict)


class PathRow(Base):
    """An ordered learning path of a trade and tier: steps are courses with a completion criterion."""

    __tablename__ = "paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trade: Mapped[str] = mapped_column(String(200), index=True)
    tier: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(300))
    steps: Mapped[Any] = mapped_column(JSON, default=list)  # [{"course_id":..., "done": "passed"}]
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AssignmentRow(Base):
    """A course or path a trainer or admin assigned to a worker, with a due date."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_enterprise_due", "enterprise", "due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    enterprise: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # course | path
    target: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime | None] = mapped_column(DateTime)
    assigned_by: Mapped[str | None] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WorkerStatRow(Base):
    """Per-worker totals kept up to date on every quiz submission, so the cockpit reads 130,000 rows, not 2M."""

    __tablename__ = "worker_stats"
    __table_args__ = (Index("ix_worker_stats_enterprise", "enterprise", "last_at"),)

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    enterprise: Mapped[str | None] = mapped_column(String(200))
    trade: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    fails_in_row: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str | None] = mapped_column(String(100))
    last_at: Mapped[datetime | None] = mapped_column(DateTime)


class ActivityMonthRow(Base):
    """Attempts per month, enterprise and course, kept up to date on every submission (course comparison)."""

    __tablename__ = "activity_months"
    __table_args__ = (Index("ix_activity_months_course", "course_id", "month"),
                      Index("ix_activity_months_enterprise", "enterprise", "month"))

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    enterprise: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)


class CourseMonthRow(Base):
    """Attempts per month and course (about 11,000 rows a year): the course comparison without an enterprise filter."""

    __tablename__ = "course_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)


class EnterpriseMonthRow(Base):
    """Attempts per month, enterprise and trade: a few thousand rows the enterprise and trend views sum."""

    __tablename__ = "enterprise_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    enterprise: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    trade: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)
