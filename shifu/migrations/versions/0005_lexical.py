"""The lexical index in SQL (issue 14): every chunk's hashed terms, its visibility, and a generation
counter, so every process shares one index and applies only what changed.

The table starts empty: `shifu transcripts check --fix` (or the next ingest's repair) fills it from
the chunks already in the library. Old SHIFU_HOME/bm25 folders are no longer read.

Revision ID: 0005_lexical
Revises: 0004_growth
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_lexical"
down_revision = "0004_growth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lexical_chunks",
        sa.Column("index_name", sa.String(40), primary_key=True),
        sa.Column("chunk_id", sa.String(64), primary_key=True),
        sa.Column("transcript_id", sa.String(64), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("chars", sa.LargeBinary(), nullable=False),
        sa.Column("chars_len", sa.Integer(), nullable=False),
        sa.Column("words", sa.LargeBinary(), nullable=False),
        sa.Column("words_len", sa.Integer(), nullable=False),
    )
    op.create_index("ix_lexical_chunks_transcript_id", "lexical_chunks", ["transcript_id"])
    op.create_index("ix_lexical_chunks_generation", "lexical_chunks", ["generation"])
    op.create_table(
        "lexical_state",
        sa.Column("index_name", sa.String(40), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
    )
    op.bulk_insert(sa.table("lexical_state", sa.column("index_name", sa.String), sa.column("generation", sa.Integer),
                            sa.column("floor", sa.Integer)), [{"index_name": "chunks", "generation": 0, "floor": 0}])


def downgrade() -> None:
    op.drop_table("lexical_state")
    op.drop_table("lexical_chunks")
