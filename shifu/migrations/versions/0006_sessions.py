"""Login sessions in the database, so every app process behind a load balancer accepts a login made
on another; and site keys, values all processes of one installation share (the cookie's name).

Revision ID: 0006_sessions
Revises: 0005_lexical
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_sessions"
down_revision = "0005_lexical"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("stamp", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_login_sessions_username", "login_sessions", ["username"])
    op.create_index("ix_login_sessions_created_at", "login_sessions", ["created_at"])
    op.create_table(
        "site_keys",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("site_keys")
    op.drop_index("ix_login_sessions_created_at", "login_sessions")
    op.drop_index("ix_login_sessions_username", "login_sessions")
    op.drop_table("login_sessions")
