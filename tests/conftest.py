"""Every test gets its own SHIFU_HOME (SQLite file, Chroma store, BM25) in a temp dir.

SHIFU_TEST_BACKEND picks the stores (`make test` runs the suite once with each):
- `local` (the default): SQLite and embedded Chroma in SHIFU_HOME;
- `server`: a real PostgreSQL and a real Chroma server, started once per session on loopback
  (deploy/services.py); each test gets a fresh database copied from a migrated template and
  its own Chroma database (SHIFU_CHROMA_URL=http://127.0.0.1:PORT/<database>).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from chromium_browser import browser  # noqa: F401  (module-scoped, for browser tests)
from llm_server import llama_server, llm_settings  # noqa: F401  (session-wide fixtures)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
BENCH = REPO.parent / "shared" / "bench"


BACKEND = os.environ.get("SHIFU_TEST_BACKEND", "local")
if BACKEND not in ("local", "server"):
    raise pytest.UsageError(f"SHIFU_TEST_BACKEND={BACKEND!r}: use 'local' (SQLite + embedded Chroma) or 'server'")
SERVER_ONLY_SKIP = "about files in SHIFU_HOME, which the server back end does not use"


def pytest_report_header(config: pytest.Config) -> str:
    if BACKEND == "server":
        return "shifu back end: server (PostgreSQL + Chroma server, SHIFU_TEST_BACKEND=server)"
    return "shifu back end: local (SQLite + embedded Chroma; SHIFU_TEST_BACKEND=server for PostgreSQL + Chroma server)"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that selects no test fails: a typo in -k or a path must not read as green."""
    if exitstatus == 0 and session.testscollected - getattr(session.config, "_shifu_deselected", 0) <= 0:
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


def pytest_deselected(items: list[pytest.Item]) -> None:
    config = items[0].config if items else None
    if config is not None:
        config._shifu_deselected = getattr(config, "_shifu_deselected", 0) + len(items)  # type: ignore[attr-defined]


@dataclass
class Servers:
    """The session's PostgreSQL and Chroma server, and how to give a test fresh databases on them."""

    postgres_url: str
    chroma_url: str
    template: str = "shifu_template"

    def __post_init__(self) -> None:
        self._numbers = itertools.count(1)

    def admin(self):
        import psycopg

        return psycopg.connect(self.postgres_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

    def fresh(self) -> tuple[str, str]:
        """(database URL, Chroma URL) of a new, migrated, empty database on each server."""
        name = f"t{os.getpid()}_{next(self._numbers):05d}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.postgres_url.rsplit("/", 1)[0] + "/" + name, f"{self.chroma_url}/{name.replace('_', '-')}"

    def drop(self, database_url: str) -> None:
        from shifu.store import release
        from shifu.settings import Settings

        release(Settings(home=Path("."), database_url=database_url))
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """PostgreSQL and a Chroma server for the whole session, with a migrated template database."""
    from deploy.services import start_chroma, start_postgres
    from shifu.settings import Settings
    from shifu.store import release, upgrade

    folder = Path(tempfile.mkdtemp(prefix="shifu-test-servers-"))
    folder.chmod(0o755)  # PostgreSQL runs as the postgres user when the tests run as root
    postgres = chroma = None
    try:
        postgres = start_postgres(folder / "postgres", _free_port())
        chroma = start_chroma(folder / "chroma", _free_port())
        found = Servers(postgres.url, chroma.url)
        with found.admin() as conn:
            conn.execute(f'CREATE DATABASE "{found.template}"')
        template = Settings(home=folder, database_url=postgres.url.rsplit("/", 1)[0] + "/" + found.template)
        upgrade(template)
        release(template)
        yield found
    finally:
        for service in (chroma, postgres):
            if service is not None:
                service.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def shifu_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Path]:
    home = tmp_path / "shifu-home"
    monkeypatch.setenv("SHIFU_HOME", str(home))
    for var in ("SHIFU_DATABASE_URL", "SHIFU_CHROMA_URL", "SHIFU_LLM_BASE_URL", "SHIFU_LLM_API_KEY",
                "SHIFU_LLM_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "SHIFU_EMBEDDINGS", "SHIFU_QA_MODE"):
        monkeypatch.delenv(var, raising=False)
    if BACKEND != "server":
        yield home
        return
    found: Servers = request.getfixturevalue("servers")
    database_url, chroma_url = found.fresh()
    monkeypatch.setenv("SHIFU_DATABASE_URL", database_url)
    monkeypatch.setenv("SHIFU_CHROMA_URL", chroma_url)
    try:
        yield home
    finally:
        found.drop(database_url)


sqlite_only = pytest.mark.skipif(BACKEND == "server", reason="about SQLite itself (its file, its pragmas)")


@pytest.fixture
def empty_database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with no tables yet, on the back end under test."""
    if BACKEND != "server":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    found: Servers = request.getfixturevalue("servers")
    url = found.postgres_url.rsplit("/", 1)[0] + f"/empty_{os.getpid()}_{next(found._numbers)}"
    with found.admin() as conn:
        conn.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    try:
        yield url
    finally:
        found.drop(url)


@pytest.fixture
def settings(shifu_home: Path):
    from shifu.settings import load_settings

    return load_settings()


@pytest.fixture
def ctx(settings):
    """The application context of the test's SHIFU_HOME (no chat model unless a test hands one)."""
    from shifu.context import Context

    return Context(settings)
