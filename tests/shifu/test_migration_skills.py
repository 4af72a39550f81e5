"""Migration 0007_skills_tag on a database of courses made before drafting proposed skills: every version's
points and quiz items get skills, a published course gets its tags (those it had are kept and written into
its JSON), and running it again changes nothing. SQLite always; PostgreSQL when SHIFU_TEST_POSTGRES_URL names one."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert, select, text

from shifu import store
from shifu.settings import load_settings
from shifu.tables import Base, CourseRow, CourseVersionRow, SkillRow, SkillTagRow, TranscriptRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from app_testkit import sample_draft  # noqa: E402

URLS = ["sqlite"] + ([os.environ["SHIFU_TEST_POSTGRES_URL"]] if os.environ.get("SHIFU_TEST_POSTGRES_URL") else [])


@pytest.fixture(params=URLS)
def settings(request, tmp_path, monkeypatch):
    if request.param != "sqlite":
        monkeypatch.setenv("SHIFU_DATABASE_URL", request.param)
        engine = create_engine(request.param)
        with engine.begin() as conn:  # a clean database for each run
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    else:  # a file of its own, whichever back end the rest of the run uses
        monkeypatch.setenv("SHIFU_DATABASE_URL", f"sqlite:///{tmp_path / 'migrate.db'}")
    return load_settings(home=tmp_path)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    return cfg


# the revision before this one (0004_growth when it was written; wherever the chain puts it now)
BEFORE = ScriptDirectory.from_config(_config()).get_revision("0007_skills_tag").down_revision


def _alembic(settings, action, revision: str) -> None:
    cfg = _config()
    engine = create_engine(settings.db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg, revision)
    engine.dispose()


def _old_courses(settings) -> None:
    """Three courses as the revision before left them: none carries skills in its JSON."""
    bare = sample_draft().model_dump(mode="json")
    bare["modules"][0]["lessons"][0]["points"][0]["skills"] = []
    engine = create_engine(settings.db_url)
    with engine.begin() as conn:
        conn.execute(insert(TranscriptRow.__table__).values(id="t1", title="王师傅访谈", trade="焊工", consent=True,
                                                             source_name="", sha256="", text="", status="ready"))
        conn.execute(insert(SkillRow.__table__).values(trade="焊工", name="焊前清理", p_init=0.2, p_learn=0.15,
                                                       p_slip=0.1, p_guess=0.2, fitted_on=0))
        sid = conn.scalar(select(SkillRow.id))
        for cid, status, trade in (("plain", "published", None), ("tagged", "published", "焊工"), ("draft", "draft", None)):
            conn.execute(insert(CourseRow.__table__).values(id=cid, title="TIG", language="zh", trade=trade, status=status,
                                                            published_version=1 if status == "published" else None))
            for n in (1, 2) if cid == "plain" else (1,):
                conn.execute(insert(CourseVersionRow.__table__).values(
                    course_id=cid, number=n, status="replaced" if n == 2 else status, data=bare,
                    engine="offline", template_versions={}, transcript_ids=["t1"]))
        conn.execute(insert(SkillTagRow.__table__), [{"course_id": "tagged", "kind": "item", "ref": "q1", "skill_id": sid}])
    engine.dispose()


def _state(settings) -> tuple[dict, list]:
    engine = create_engine(settings.db_url)
    with engine.connect() as conn:
        data = {(c, n): d for c, n, d in conn.execute(select(CourseVersionRow.course_id, CourseVersionRow.number,
                                                             CourseVersionRow.data))}
        tags = sorted(conn.execute(select(SkillTagRow.course_id, SkillTagRow.kind, SkillTagRow.ref, SkillRow.name)
                                   .join(SkillRow, SkillRow.id == SkillTagRow.skill_id)).all())
    engine.dispose()
    return data, [tuple(t) for t in tags]


def test_existing_courses_are_tagged_once_and_rerunning_changes_nothing(settings):
    _alembic(settings, command.upgrade, BEFORE)
    _old_courses(settings)
    _alembic(settings, command.upgrade, "0007_skills_tag")
    data, tags = _state(settings)
    for (cid, n), d in data.items():
        holders = [*d["modules"][0]["lessons"][0]["points"], *d["quiz"]]
        assert all(h.get("skills") for h in holders), (cid, n)
    point = data[("plain", 1)]["modules"][0]["lessons"][0]["points"][0]["skills"]
    assert point == ["坡口打磨"]  # the point's key noun and the action done to it
    assert data[("tagged", 1)]["quiz"][0]["skills"] == ["焊前清理"]  # the tag it had, now in its JSON too
    assert ("plain", "item", "q1", "坡口打磨") in tags and ("plain", "point", "0.0.0", "坡口打磨") in tags
    assert [t for t in tags if t[0] == "tagged"] == [("tagged", "item", "q1", "焊前清理")]  # its tags kept as they were
    assert not [t for t in tags if t[0] == "draft"]  # unpublished: skills in its JSON, tags when it is published
    _alembic(settings, command.downgrade, BEFORE)
    _alembic(settings, command.upgrade, "0007_skills_tag")
    assert _state(settings) == (data, tags)
