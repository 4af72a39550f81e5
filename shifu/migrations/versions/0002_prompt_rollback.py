"""Mark prompt activations made by a rollback, so rolling back twice walks further back.

Revision ID: 0002_prompt_rollback
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_prompt_rollback"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prompt_activations") as batch:
        batch.add_column(sa.Column("is_rollback", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("prompt_activations") as batch:
        batch.drop_column("is_rollback")
