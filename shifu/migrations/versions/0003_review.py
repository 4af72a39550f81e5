"""Remember each user's language choice (zh or en) on the server.

Revision ID: 0003_review
Revises: 0002_prompt_rollback
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_review"
down_revision = "0002_prompt_rollback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
