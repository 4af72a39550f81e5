"""Every test gets its own SHIFU_HOME (BM25, uploads; SQLite file and Chroma store too on the
local back end) in a temp dir. SHIFU_TEST_BACKEND=server puts the SQL and the vectors on a real
PostgreSQL and Chroma server instead (tests/backends.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import BACKEND, Servers, empty_database_url, header, servers  # noqa: F401  (fixtures)
from chromium_browser import browser  # noqa: F401  (module-scoped, for browser tests)
from llm_server import llama_server, llm_settings  # noqa: F401  (session-wide fixtures)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
BENCH = REPO.parent / "shared" / "bench"


def pytest_report_header(config: pytest.Config) -> str:
    return header()


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND == "server":
        # Chroma's HTTP client leaves its keep-alive connections to the Chroma server for the garbage
        # collector to close; on the local back end there are no such connections to leave.
        config.addinivalue_line("filterwarnings", "ignore:unclosed <socket.socket [^>]*raddr=\\('127.0.0.1':ResourceWarning")
        config.addinivalue_line("filterwarnings", "ignore:Exception ignored in. <socket.socket [^>]*raddr=\\('127.0.0.1'"
                                ":pytest.PytestUnraisableExceptionWarning")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that selects no test fails: a typo in -k or a path must not read as green."""
    if exitstatus == 0 and session.testscollected == 0:  # counted after -k / -m deselect
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


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
        found.clean(chroma_url)


@pytest.fixture
def settings(shifu_home: Path):
    from shifu.settings import load_settings

    return load_settings()


@pytest.fixture
def ctx(settings):
    """The application context of the test's SHIFU_HOME (no chat model unless a test hands one)."""
    from shifu.context import Context

    return Context(settings)
