"""Failed-login counts in the database, so every app process behind a load balancer throttles the same
guesser: a name or address held on one process is held on all of them.

Revision ID: 0008_login_failures
Revises: 0007_skills_tag
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_login_failures"
down_revision = "0007_skills_tag"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_login_failures_last_at", "login_failures", ["last_at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_last_at", "login_failures")
    op.drop_table("login_failures")
