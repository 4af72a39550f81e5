"""Skills on existing courses (issue 13): every stored course version's lesson points and quiz items that
have no skills get them, and every published course without skill tags gets its tags, so workers'
answers on courses made before drafting proposed skills count toward mastery too.

The names come from one stable function, `shifu.skill_names.fill_course` — the proposal drafting
uses (the trade's curated skills first, else the point's key noun phrase) — and, where a published
course was already tagged on first use, from those tags. The tables are read and written through this
file's own light table definitions, not the ORM models (which change). Idempotent: what has skills
keeps them, a course with tags keeps them. SQLite and PostgreSQL alike (plain SQL Core, JSON column).
Downgrade leaves the data as it is: skills in a course's JSON are harmless to older code.

Revision ID: 0007_skills_tag
Revises: 0006_sessions
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shifu.skill_names import fill_course

revision = "0007_skills_tag"
down_revision = "0006_sessions"
branch_labels = None
depends_on = None

_courses = sa.table("courses", sa.column("id", sa.String), sa.column("trade", sa.String),
                    sa.column("published_version", sa.Integer))
_versions = sa.table("course_versions", sa.column("id", sa.Integer), sa.column("course_id", sa.String),
                     sa.column("number", sa.Integer), sa.column("data", sa.JSON),
                     sa.column("transcript_ids", sa.JSON))
_transcripts = sa.table("transcripts", sa.column("id", sa.String), sa.column("trade", sa.String))
_skills = sa.table("skills", sa.column("id", sa.Integer), sa.column("trade", sa.String), sa.column("name", sa.String),
                   sa.column("p_init", sa.Float), sa.column("p_learn", sa.Float), sa.column("p_slip", sa.Float),
                   sa.column("p_guess", sa.Float), sa.column("fitted_on", sa.Integer),
                   sa.column("created_at", sa.DateTime))
_tags = sa.table("skill_tags", sa.column("course_id", sa.String), sa.column("kind", sa.String),
                 sa.column("ref", sa.String), sa.column("skill_id", sa.Integer))
# a new skill's Bayesian Knowledge Tracing parameters as of 0004_growth (until `shifu skills fit`)
_DEFAULTS = {"p_init": 0.2, "p_learn": 0.15, "p_slip": 0.1, "p_guess": 0.2, "fitted_on": 0}


def upgrade() -> None:
    conn = op.get_bind()
    for course_id, trade, published in conn.execute(sa.select(_courses.c.id, _courses.c.trade,
                                                              _courses.c.published_version)).all():
        versions = conn.execute(sa.select(_versions.c.id, _versions.c.number, _versions.c.data,
                                          _versions.c.transcript_ids)
                                .where(_versions.c.course_id == course_id).order_by(_versions.c.number)).all()
        if not versions:
            continue
        trade = trade or _source_trade(conn, versions[-1].transcript_ids or [])
        known = list(conn.scalars(sa.select(_skills.c.name).where(_skills.c.trade == trade).order_by(_skills.c.name)))
        tagged = _tagged(conn, course_id)
        for v in versions:
            data = v.data if isinstance(v.data, dict) else {}
            if v.number == published and tagged:
                data = _from_tags(data, tagged)
            filled = fill_course(data, known)
            if filled != v.data:
                conn.execute(sa.update(_versions).where(_versions.c.id == v.id).values(data=filled))
            if v.number == published and not tagged:
                _write_tags(conn, course_id, trade, filled)


def downgrade() -> None:
    pass  # the proposed skills stay in the courses' JSON; older code ignores them


def _source_trade(conn, transcript_ids: list) -> str:
    if not transcript_ids:
        return ""
    trades = conn.scalars(sa.select(_transcripts.c.trade).where(_transcripts.c.id.in_(list(transcript_ids)))).all()
    return next((t for t in trades if t), "")


def _tagged(conn, course_id: str) -> dict[tuple[str, str], list[str]]:
    """(kind, ref) -> skill names of a course's existing tags."""
    rows = conn.execute(sa.select(_tags.c.kind, _tags.c.ref, _skills.c.name)
                        .select_from(_tags.join(_skills, _skills.c.id == _tags.c.skill_id))
                        .where(_tags.c.course_id == course_id).order_by(_skills.c.name)).all()
    out: dict[tuple[str, str], list[str]] = {}
    for kind, ref, name in rows:
        out.setdefault((kind, ref), []).append(name)
    return out


def _holders(data: dict) -> list[tuple[str, str, dict]]:
    """(kind, ref, the point or quiz item) of a course's JSON, refs as the tags write them."""
    out = [("point", f"{i}.{j}.{k}", p) for i, m in enumerate(data.get("modules") or [])
           for j, lesson in enumerate(m.get("lessons") or []) for k, p in enumerate(lesson.get("points") or [])]
    return out + [("item", str(q.get("id")), q) for q in data.get("quiz") or []]


def _from_tags(data: dict, tagged: dict[tuple[str, str], list[str]]) -> dict:
    import copy

    data = copy.deepcopy(data)
    for kind, ref, holder in _holders(data):
        if not holder.get("skills") and tagged.get((kind, ref)):
            holder["skills"] = list(tagged[(kind, ref)])
    return data


def _write_tags(conn, course_id: str, trade: str, data: dict) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = set()
    for kind, ref, holder in _holders(data):
        for name in holder.get("skills") or []:
            sid = conn.scalar(sa.select(_skills.c.id).where(_skills.c.trade == trade, _skills.c.name == name))
            if sid is None:
                conn.execute(sa.insert(_skills).values(trade=trade, name=name, created_at=now, **_DEFAULTS))
                sid = conn.scalar(sa.select(_skills.c.id).where(_skills.c.trade == trade, _skills.c.name == name))
            rows.add((kind, ref, sid))
    if rows:
        conn.execute(sa.insert(_tags), [{"course_id": course_id, "kind": k, "ref": r, "skill_id": sid}
                                        for k, r, sid in sorted(rows)])
