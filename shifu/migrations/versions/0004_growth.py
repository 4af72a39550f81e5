"""Growth (issue 13): skills and their tags, mastery, item difficulty, review cards, tiers, paths,
assignments, and the per-worker and per-month totals the cockpit reads at the programme's scale.

Revision ID: 0004_growth
Revises: 0003_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_growth"
down_revision = "0003_review"
branch_labels = None
depends_on = None

_NOW = sa.func.current_timestamp()


def upgrade() -> None:
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trade", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("p_init", sa.Float(), nullable=False),
        sa.Column("p_learn", sa.Float(), nullable=False),
        sa.Column("p_slip", sa.Float(), nullable=False),
        sa.Column("p_guess", sa.Float(), nullable=False),
        sa.Column("fitted_on", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("trade", "name"),
    )
    op.create_table(
        "skill_tags",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("skill_id", sa.Integer(), sa.ForeignKey("skills.id", ondelete="CASCADE"), nullable=False),
        sa.UniqueConstraint("course_id", "kind", "ref", "skill_id"),
    )
    op.create_index("ix_skill_tags_course_id", "skill_tags", ["course_id"])
    op.create_index("ix_skill_tags_skill_id", "skill_tags", ["skill_id"])
    op.create_table(
        "mastery",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("skill_id", sa.Integer(), sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("p_known", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mastery_skill_id", "mastery", ["skill_id"])
    op.create_table(
        "item_stats",
        sa.Column("course_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("difficulty", sa.Float(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
    )
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.UniqueConstraint("username", "course_id", "item_id"),
    )
    op.create_index("ix_review_cards_due", "review_cards", ["username", "due"])
    op.create_table(
        "tiers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trade", sa.String(200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.UniqueConstraint("trade", "rank"),
    )
    op.create_table(
        "paths",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trade", sa.String(200), nullable=False),
        sa.Column("tier", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_paths_trade", "paths", ["trade"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("enterprise", sa.String(200)),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("due", sa.DateTime()),
        sa.Column("assigned_by", sa.String(100)),
        sa.Column("done_at", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_assignments_username", "assignments", ["username"])
    op.create_index("ix_assignments_enterprise_due", "assignments", ["enterprise", "due"])
    op.create_table(
        "worker_stats",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("enterprise", sa.String(200)),
        sa.Column("trade", sa.String(200)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("fails_in_row", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(100)),
        sa.Column("last_at", sa.DateTime()),
    )
    op.create_index("ix_worker_stats_enterprise", "worker_stats", ["enterprise", "last_at"])
    op.create_table(
        "activity_months",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("enterprise", sa.String(200), primary_key=True),
        sa.Column("course_id", sa.String(64), primary_key=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
    )
    op.create_index("ix_activity_months_course", "activity_months", ["course_id", "month"])
    op.create_index("ix_activity_months_enterprise", "activity_months", ["enterprise", "month"])
    op.create_table(
        "course_months",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("course_id", sa.String(64), primary_key=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
    )
    op.create_table(
        "enterprise_months",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("enterprise", sa.String(200), primary_key=True),
        sa.Column("trade", sa.String(200), primary_key=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
    )
    _backfill_totals()


def _backfill_totals() -> None:
    """Fill the totals from the attempts already stored, so the cockpit is right from the first day."""
    # 'YYYY-MM' of a timestamp: SQLite stores text, PostgreSQL a timestamp
    month = ("to_char(a.created_at, 'YYYY-MM')" if op.get_bind().dialect.name == "postgresql"
             else "substr(a.created_at, 1, 7)")
    op.execute(
        "INSERT INTO worker_stats (username, enterprise, trade, attempts, passed, fails_in_row, last_at) "
        "SELECT a.username, u.enterprise, NULL, count(*), sum(CASE WHEN a.passed THEN 1 ELSE 0 END), 0, "
        "max(a.created_at) FROM quiz_attempts a LEFT JOIN users u ON u.username = a.username "
        "GROUP BY a.username, u.enterprise")
    op.execute(
        "INSERT INTO activity_months (month, enterprise, course_id, attempts, passed) "
        f"SELECT {month}, coalesce(u.enterprise, ''), a.course_id, count(*), "
        "sum(CASE WHEN a.passed THEN 1 ELSE 0 END) FROM quiz_attempts a "
        "LEFT JOIN users u ON u.username = a.username "
        f"GROUP BY {month}, coalesce(u.enterprise, ''), a.course_id")
    op.execute(
        "INSERT INTO course_months (month, course_id, attempts, passed) "
        "SELECT month, course_id, sum(attempts), sum(passed) FROM activity_months GROUP BY month, course_id")
    op.execute(
        "INSERT INTO enterprise_months (month, enterprise, trade, attempts, passed) "
        "SELECT m.month, m.enterprise, coalesce(c.trade, ''), sum(m.attempts), sum(m.passed) "
        "FROM activity_months m LEFT JOIN courses c ON c.id = m.course_id "
        "GROUP BY m.month, m.enterprise, coalesce(c.trade, '')")


def downgrade() -> None:
    for table in ("enterprise_months", "course_months", "activity_months", "worker_stats", "assignments", "paths", "tiers", "review_cards",
                  "item_stats", "mastery", "skill_tags", "skills"):
        op.drop_table(table)
