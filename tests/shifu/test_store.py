"""The SQL store: `shifu db upgrade` builds every table on a fresh database and is safe to re-run,
also when several processes start together on an empty one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from backends import sqlite_only
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from shifu import store
from shifu.tables import Base, TranscriptRow


def _db_file(settings) -> Path:
    return Path(settings.db_url.split("///", 1)[1])


def test_upgrade_creates_every_table_and_is_safe_to_rerun(settings) -> None:
    rev = store.upgrade(settings)
    assert rev
    with store.session_scope(settings) as s:
        s.add(TranscriptRow(id="t-keep", title="焊接", text="x", status="ready"))
    assert store.upgrade(settings) == rev  # second run: nothing to do, nothing lost
    tables = set(inspect(store.engine_for(settings)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with store.session_scope(settings) as s:
        assert s.get(TranscriptRow, "t-keep") is not None


def test_migrations_match_the_tables_exactly(settings) -> None:
    store.upgrade(settings)
    with store.engine_for(settings).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "shifu/tables.py and the migrations disagree; add a migration for:\n" + "\n".join(map(str, diff))


def test_migrations_have_one_head() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}; set down_revision of the newest to the other"
    assert heads[0] == store.newest_revision(), (
        "a starting process takes the newest migration file's name for the head (shifu/store.py engine_for): "
        "name the revision after its file, numbered after the others")


@sqlite_only
def test_a_process_on_an_older_schema_still_upgrades_it(settings) -> None:
    assert store.upgrade(settings, "0007_skills_tag") == "0007_skills_tag"  # a database one release behind
    store._upgraded.discard(settings.db_url)
    store.engine_for(settings)  # what a process starting on this database does first
    with store.engine_for(settings).connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == store.newest_revision()
        assert "login_failures" in inspect(conn).get_table_names()


@sqlite_only
def test_sqlite_runs_in_wal_mode(settings) -> None:
    with store.session_scope(settings) as s:
        s.add(TranscriptRow(id="t-wal", title="x", text="x"))
    conn = sqlite3.connect(_db_file(settings))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_failed_transaction_leaves_nothing(settings) -> None:
    with pytest.raises(RuntimeError), store.session_scope(settings) as s:
        s.add(TranscriptRow(id="t-gone", title="x", text="x"))
        s.flush()
        raise RuntimeError("boom")
    with store.session_scope(settings) as s:
        assert s.get(TranscriptRow, "t-gone") is None


def test_db_upgrade_command_on_a_fresh_home(settings) -> None:
    from ui.cli.main import app

    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"], env={"COLUMNS": "250"})
    assert first.exit_code == 0, first.output
    assert "0001_initial" in first.output or "revision" in first.output
    if settings.db_url.startswith("sqlite"):
        assert _db_file(settings).exists()
    again = runner.invoke(app, ["db", "upgrade"], env={"COLUMNS": "250"})
    assert again.exit_code == 0, again.output


_UPGRADE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from shifu.settings import load_settings
from shifu.store import upgrade
folder = Path(sys.argv[1])
(folder / f"ready-{sys.argv[2]}").touch()
while not (folder / "go").exists():
    time.sleep(0.01)
print(upgrade(load_settings()))
"""


def test_three_processes_starting_together_on_an_empty_database_migrate_it_once(
        empty_database_url, tmp_path, monkeypatch) -> None:
    import os
    import subprocess
    import sys
    import time

    monkeypatch.setenv("SHIFU_DATABASE_URL", empty_database_url)
    env = {**os.environ, "PYTHONPATH": str(Path(store.__file__).parent.parent)}
    procs = [subprocess.Popen([sys.executable, "-c", _UPGRADE_WHEN_TOLD, str(tmp_path), str(n)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(3)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    (tmp_path / "go").touch()
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    heads = {out.strip() for _, out, _ in results}
    assert [code for code, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    assert not any("Traceback" in err for _, _, err in results)
    assert len(heads) == 1 and heads != {""}
    with store.engine_for(store.Settings(home=tmp_path, database_url=empty_database_url)).connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [heads.pop()]
