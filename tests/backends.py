"""The stores the tests run on, picked by SHIFU_TEST_BACKEND (`make test` runs the suite with each).

- `local` (the default): SQLite and embedded Chroma in each test's SHIFU_HOME;
- `server`: one real PostgreSQL and one real Chroma server for the whole session, started on
  loopback by deploy/services.py. Every test gets the session's migrated database emptied
  (TRUNCATE of every table: about 30 ms, where CREATE DATABASE from a template took 1.3 s
  here) and a Chroma database of its own (SHIFU_CHROMA_URL=http://127.0.0.1:PORT/<database>).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKEND = os.environ.get("SHIFU_TEST_BACKEND", "local")
if BACKEND not in ("local", "server"):
    raise pytest.UsageError(f"SHIFU_TEST_BACKEND={BACKEND!r}: use 'local' (SQLite + embedded Chroma) or 'server'")

sqlite_only = pytest.mark.skipif(BACKEND == "server", reason="about SQLite itself (its file, its pragmas)")
embedded_chroma_only = pytest.mark.skipif(
    BACKEND == "server", reason="about the embedded Chroma files in SHIFU_HOME, which a Chroma server does not use")


def header() -> str:
    if BACKEND == "server":
        return "shifu back end: server (PostgreSQL + Chroma server; SHIFU_TEST_BACKEND=server)"
    return "shifu back end: local (SQLite + embedded Chroma; SHIFU_TEST_BACKEND=server for PostgreSQL + Chroma server)"


class Servers:
    """The session's PostgreSQL and Chroma server, and fresh stores on them for each test."""

    def __init__(self, postgres_url: str, chroma_url: str) -> None:
        self.postgres_url, self.chroma_url = postgres_url, chroma_url
        self.database_url = self.url_of("shifu_tests")
        self._numbers = itertools.count(1)
        with self.admin() as conn:
            conn.execute('CREATE DATABASE "shifu_tests"')
        from shifu.store import upgrade

        upgrade(self.settings(self.database_url))
        self._tables = self._table_names()

    def url_of(self, database: str) -> str:
        return self.postgres_url.rsplit("/", 1)[0] + "/" + database

    def settings(self, database_url: str):
        from shifu.settings import Settings

        return Settings(home=Path("."), database_url=database_url)

    def admin(self, database_url: str | None = None):
        import psycopg

        url = (database_url or self.postgres_url).replace("postgresql+psycopg://", "postgresql://")
        return psycopg.connect(url, autocommit=True)

    def _table_names(self) -> list[str]:
        with self.admin(self.database_url) as conn:
            rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                "AND tablename <> 'alembic_version' ORDER BY tablename").fetchall()
        return [r[0] for r in rows]

    def fresh(self) -> tuple[str, str]:
        """(database URL, Chroma URL): the session's database, empty, and a new Chroma database."""
        return self.database_url, f"{self.chroma_url}/t{os.getpid()}-{next(self._numbers):05d}"

    def empty(self) -> str:
        """The URL of a new database with no tables at all (dropped by `drop`)."""
        name = f"empty_{os.getpid()}_{next(self._numbers)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_of(name)

    def drop(self, database_url: str) -> None:
        from shifu.store import release

        release(self.settings(database_url))
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def clean(self, chroma_url: str) -> None:
        """Empty the session's database and delete the test's Chroma database."""
        from shifu.store import release

        release(self.settings(self.database_url))
        tables = ", ".join(f'"{t}"' for t in self._tables)
        with self.admin(self.database_url) as conn:
            conn.execute("SET lock_timeout = '10s'")
            try:
                conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            except Exception:  # a connection the test left in a transaction holds a lock: end it
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        _delete_chroma_database(chroma_url)


def _delete_chroma_database(chroma_url: str) -> None:
    import urllib.error
    import urllib.request

    from rag.chroma_server import parse_address

    address = parse_address(chroma_url)
    request = urllib.request.Request(f"{address.base}/api/v2/tenants/default_tenant/databases/{address.database}",
                                     method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError:  # the test never opened the index: nothing was made
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """PostgreSQL and a Chroma server for the whole session (server back end only)."""
    from deploy.services import start_chroma, start_postgres

    folder = Path(tempfile.mkdtemp(prefix="shifu-test-servers-"))
    folder.chmod(0o755)  # PostgreSQL runs as the postgres user when the tests run as root
    postgres = chroma = None
    try:
        postgres = start_postgres(folder / "postgres", _free_port())
        chroma = start_chroma(folder / "chroma", _free_port())
        yield Servers(postgres.url, chroma.url)
    finally:
        for service in (chroma, postgres):
            if service is not None:
                service.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def empty_database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with no tables yet, on the back end under test."""
    if BACKEND != "server":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    found: Servers = request.getfixturevalue("servers")
    url = found.empty()
    try:
        yield url
    finally:
        found.drop(url)


def library_settings(request: pytest.FixtureRequest, home: Path):
    """Settings for a library a module (or class) of tests shares, on the back end under test.

    On the server back end it gets a database and a Chroma database of its own, dropped when
    the fixture that asked ends."""
    from shifu.settings import load_settings

    if BACKEND != "server":
        return load_settings(environ={}, home=str(home))
    found: Servers = request.getfixturevalue("servers")
    database_url = found.empty()
    chroma_url = f"{found.chroma_url}/{database_url.rsplit('/', 1)[1].replace('_', '-')}"

    def drop() -> None:
        found.drop(database_url)
        _delete_chroma_database(chroma_url)

    request.addfinalizer(drop)
    return load_settings(environ={}, home=str(home), database_url=database_url, chroma_url=chroma_url)


def use_settings(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    """Point the environment (what a CLI command reads) at these settings' stores."""
    monkeypatch.setenv("SHIFU_HOME", str(settings.home))
    for var, value in (("SHIFU_DATABASE_URL", settings.database_url), ("SHIFU_CHROMA_URL", settings.chroma_url)):
        if value:
            monkeypatch.setenv(var, value)
        else:
            monkeypatch.delenv(var, raising=False)
