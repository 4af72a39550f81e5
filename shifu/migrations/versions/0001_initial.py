"""Initial schema: every table of shifu/tables.py as of the first release.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False, primary_key=True)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(), nullable=False)


def upgrade() -> None:
    # --- ingestion
    op.create_table(
        "transcripts",
        sa.Column("id", sa.String(64), nullable=False, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("expert", sa.String(200)),
        sa.Column("trade", sa.String(200)),
        sa.Column("enterprise", sa.String(200)),
        sa.Column("interview_date", sa.String(10)),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("uploaded_by", sa.String(100)),
        _created(),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "turns",
        _id(),
        sa.Column("transcript_id", sa.String(64),
                  sa.ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Float()),
        sa.Column("end", sa.Float()),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
    )
    op.create_index("ix_turns_transcript_id", "turns", ["transcript_id"])
    op.create_table(
        "chunks",
        sa.Column("id", sa.String(64), nullable=False, primary_key=True),
        sa.Column("transcript_id", sa.String(64),
                  sa.ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ord", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("t_start", sa.Float()),
        sa.Column("t_end", sa.Float()),
        sa.Column("n_tokens", sa.Integer(), nullable=False),
    )
    op.create_index("ix_chunks_transcript_id", "chunks", ["transcript_id"])

    # --- Q&A and the LLM layer
    op.create_table(
        "knowledge_gaps",
        _id(),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(100)),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("best_score", sa.Float()),
        sa.Column("status", sa.String(20), nullable=False),
        _created(),
    )
    op.create_table(
        "llm_calls",
        _id(),
        sa.Column("template", sa.String(100)),
        sa.Column("template_version", sa.String(64)),
        sa.Column("model", sa.String(200)),
        sa.Column("host", sa.String(300)),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("response", sa.Text()),
        sa.Column("tokens_prompt_local", sa.Integer()),
        sa.Column("tokens_prompt", sa.Integer()),
        sa.Column("tokens_completion", sa.Integer()),
        sa.Column("duration_ms", sa.Float()),
        sa.Column("error", sa.Text()),
        _created(),
    )
    op.create_table(
        "prompt_versions",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("created_by", sa.String(100)),
        _created(),
    )
    op.create_index("ix_prompt_versions_name", "prompt_versions", ["name"])
    op.create_table(
        "prompt_activations",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("activated_by", sa.String(100)),
        _created(),
    )
    op.create_index("ix_prompt_activations_name", "prompt_activations", ["name"])

    # --- courses
    op.create_table(
        "courses",
        sa.Column("id", sa.String(64), nullable=False, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("trade", sa.String(200)),
        sa.Column("enterprise", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("published_version", sa.Integer()),
        sa.Column("created_by", sa.String(100)),
        _created(),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "course_versions",
        _id(),
        sa.Column("course_id", sa.String(64),
                  sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("model", sa.String(200)),
        sa.Column("template_versions", sa.JSON(), nullable=False),
        sa.Column("transcript_ids", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("created_by", sa.String(100)),
        _created(),
    )
    op.create_index("ix_course_versions_course_id", "course_versions", ["course_id"])

    # --- people and what they do
    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("enterprise", sa.String(200)),
        _created(),
    )
    op.create_table(
        "quiz_attempts",
        _id(),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        _created(),
    )
    op.create_index("ix_quiz_attempts_username", "quiz_attempts", ["username"])
    op.create_index("ix_quiz_attempts_course_id", "quiz_attempts", ["course_id"])
    op.create_table(
        "ratings",
        _id(),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text()),
        _created(),
    )
    op.create_index("ix_ratings_username", "ratings", ["username"])
    op.create_index("ix_ratings_course_id", "ratings", ["course_id"])
    op.create_table(
        "answer_feedback",
        _id(),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        _created(),
    )
    op.create_index("ix_answer_feedback_username", "answer_feedback", ["username"])


def downgrade() -> None:
    for table in ("answer_feedback", "ratings", "quiz_attempts", "users", "course_versions",
                  "courses", "prompt_activations", "prompt_versions", "llm_calls",
                  "knowledge_gaps", "chunks", "turns", "transcripts"):
        op.drop_table(table)
