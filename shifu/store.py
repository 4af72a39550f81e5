"""The SQL store: one engine per database URL, sessions, and Alembic upgrades.

SQLite runs in WAL mode so the app can read while an ingest writes. Processes that start
together on an empty database migrate it once: the first takes a lock (a PostgreSQL advisory
lock, or a file lock beside the SQLite file), the others wait and find the schema current.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from filelock import FileLock
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shifu.settings import Settings

_MIGRATIONS = Path(__file__).parent / "migrations"
# The key of the PostgreSQL advisory lock held while migrating (any fixed 64-bit number; "shifu").
MIGRATION_LOCK_KEY = 0x7368_6966_75


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(settings: Settings, revision: str = "head") -> str:
    """Bring the database schema up to `revision`; safe to run again, and from several processes at once.

    Returns the revision."""
    from alembic.runtime.migration import MigrationContext

    engine = _engine(settings.db_url)
    with _migration_lock(engine):
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # held until this transaction ends
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            _alembic_upgrade(conn, revision)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def _alembic_upgrade(conn: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """SQLite: a file lock beside the database file (PostgreSQL locks inside its transaction)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with FileLock(f"{path}.migrate.lock", timeout=600):
        yield


def release(settings: Settings) -> None:
    """Close the idle database connections of these settings; the engine reconnects on next use."""
    _engine(settings.db_url).dispose()


_upgraded: set[str] = set()


def engine_for(settings: Settings) -> Engine:
    """The engine for these settings, with the schema upgraded once per process."""
    url = settings.db_url
    if url not in _upgraded:
        # A process starting on a current schema (every app process after the first, every command)
        # reads one row instead of loading Alembic and its scripts (at 10k chunks: 0.15 s of the 2.2 s of
        # CPU and about 0.5 s of the wall time of a start to the first answer, same machine, same run).
        if _recorded_revision(_engine(url)) != newest_revision():
            upgrade(settings)
        _upgraded.add(url)
    return _engine(url)


def newest_revision() -> str:
    """The newest migration's revision: each is named after its file (0008_login_failures), in order."""
    return max(p.stem for p in (_MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def _recorded_revision(engine: Engine) -> str | None:
    """The revision the database records, or None (no schema yet, or not readable)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def session_factory(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the database of these settings (objects stay readable after commit)."""
    return sessionmaker(bind=engine_for(settings), expire_on_commit=False)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit the session when the block ends, roll it back on error, close it either way."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error.

    Services use `Context.unit_of_work` instead; this stays for code below the context.
    """
    with transaction(session_factory(settings)()) as session:
        yield session
