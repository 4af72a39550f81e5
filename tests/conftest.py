"""Every test gets its own SHIFU_HOME (SQLite file, Chroma store, BM25) in a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chromium_browser import browser  # noqa: F401  (module-scoped, for browser tests)
from llm_server import llama_server, llm_settings  # noqa: F401  (session-wide fixtures)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
BENCH = REPO.parent / "shared" / "bench"


@pytest.fixture(autouse=True)
def shifu_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "shifu-home"
    monkeypatch.setenv("SHIFU_HOME", str(home))
    for var in ("SHIFU_DATABASE_URL", "SHIFU_CHROMA_URL", "SHIFU_LLM_BASE_URL", "SHIFU_LLM_API_KEY",
                "SHIFU_LLM_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "SHIFU_EMBEDDINGS", "SHIFU_QA_MODE"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def settings(shifu_home: Path):
    from shifu.settings import load_settings

    return load_settings()


@pytest.fixture
def ctx(settings):
    """The application context of the test's SHIFU_HOME (no chat model unless a test hands one)."""
    from shifu.context import Context

    return Context(settings)
