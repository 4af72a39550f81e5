"""Settings are data: each has a name, an environment variable, a default and help.

Precedence: a command-line flag (passed to :func:`load_settings` as an override)
beats the environment, which beats the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    secret: bool = False
    fallback_env: str | None = None  # read when `env` is unset


SETTINGS: list[Setting] = [
    Setting("home", "SHIFU_HOME", ".shifu", "Data folder: chroma/, shifu.db (with the lexical index), uploads/."),
    Setting("database_url", "SHIFU_DATABASE_URL", None,
            "SQLAlchemy URL; default sqlite:///$SHIFU_HOME/shifu.db (WAL). PostgreSQL: "
            "postgresql+psycopg://user:password@host/db (docs/BACKENDS.md).", secret=True),
    Setting("chroma_url", "SHIFU_CHROMA_URL", None,
            "Chroma server URL (http://host:8000, or http://host:8000/DATABASE for a database of its own) to "
            "share an index; default: embedded store in $SHIFU_HOME/chroma."),
    Setting("embeddings", "SHIFU_EMBEDDINGS", "offline",
            "`offline` (USE multilingual, no network) or `openai` (any OpenAI-compatible /embeddings endpoint)."),
    Setting("embedding_model", "SHIFU_EMBEDDING_MODEL", "text-embedding-3-small",
            "Embedding model name when SHIFU_EMBEDDINGS=openai."),
    Setting("embedding_base_url", "SHIFU_EMBEDDING_BASE_URL", None,
            "Embeddings endpoint base URL; falls back to SHIFU_LLM_BASE_URL, then OPENAI_BASE_URL."),
    Setting("embedding_api_key", "SHIFU_EMBEDDING_API_KEY", None,
            "Key for the embeddings endpoint; falls back to SHIFU_LLM_API_KEY, then OPENAI_API_KEY.", secret=True),
    Setting("llm_base_url", "SHIFU_LLM_BASE_URL", None,
            "OpenAI-compatible chat endpoint (DeepSeek, Qwen, vLLM, Ollama, llama.cpp...).",
            fallback_env="OPENAI_BASE_URL"),
    Setting("llm_model", "SHIFU_LLM_MODEL", None, "Chat model name on that endpoint."),
    Setting("llm_api_key", "SHIFU_LLM_API_KEY", None, "Key for the chat endpoint.", secret=True,
            fallback_env="OPENAI_API_KEY"),
    Setting("llm_timeout_s", "SHIFU_LLM_TIMEOUT_S", 60.0, "Seconds one HTTP request to the LLM may take."),
    Setting("llm_max_retries", "SHIFU_LLM_MAX_RETRIES", 3, "Retries on 429, 5xx and timeouts (never on 400/401)."),
    Setting("llm_budget_s", "SHIFU_LLM_BUDGET_S", 180.0, "Total seconds one LLM request may take, retries included."),
    Setting("llm_context_tokens", "SHIFU_LLM_CONTEXT_TOKENS", 3000,
            "Token budget for retrieved context packed into one prompt."),
    Setting("llm_max_tokens", "SHIFU_LLM_MAX_TOKENS", 800, "Most tokens the LLM may write in one reply."),
    Setting("qa_mode", "SHIFU_QA_MODE", "offline", "`offline` (cited excerpts) or `llm` (answers written by the LLM)."),
    Setting("chunk_tokens", "SHIFU_CHUNK_TOKENS", 400, "Target chunk size in tokens (cl100k_base)."),
    Setting("chunk_overlap", "SHIFU_CHUNK_OVERLAP", 40, "Token overlap between pieces of a long answer."),
    Setting("max_file_mb", "SHIFU_MAX_FILE_MB", 20.0, "Largest transcript file accepted, in MB."),
    Setting("lock_timeout_s", "SHIFU_LOCK_TIMEOUT_S", 600.0,
            "How long a second writer waits for the index lock before giving up."),
]

_BY_NAME = {s.name: s for s in SETTINGS}


class Settings(BaseModel):
    """The effective settings; build with :func:`load_settings`."""

    model_config = ConfigDict(frozen=True)

    home: Path
    database_url: str | None = None
    chroma_url: str | None = None
    embeddings: str = "offline"
    embedding_model: str = "text-embedding-3-small"
    embedding_base_url: str | None = None
    embedding_api_key: str | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 3
    llm_budget_s: float = 180.0
    llm_context_tokens: int = 3000
    llm_max_tokens: int = 800
    qa_mode: str = "offline"
    chunk_tokens: int = 400
    chunk_overlap: int = 40
    max_file_mb: float = 20.0
    lock_timeout_s: float = 600.0

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'shifu.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def lock_path(self) -> Path:
        return self.home / "index.lock"

    def masked(self) -> dict[str, str]:
        """Effective values for display, secrets masked, with where each came from."""
        out: dict[str, str] = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            if value is None:
                shown = "(unset)"
            elif s.secret:
                shown = _mask(str(value))
            else:
                shown = str(value)
            out[s.env] = shown
        return out


class SettingsError(ValueError):
    """A setting has a value shifu cannot use; the message names the variable."""


def _mask(value: str) -> str:
    if "://" in value and "@" in value:  # a database URL with a password
        scheme, rest = value.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:****@{host}"
    if len(value) <= 8:
        return "****"
    return value[:3] + "****" + value[-2:]


def _from_env(s: Setting, environ: dict[str, str]) -> Any:
    raw = environ.get(s.env)
    if raw in (None, "") and s.fallback_env:
        raw = environ.get(s.fallback_env)
    return None if raw in (None, "") else raw


def load_settings(environ: dict[str, str] | None = None, **flags: Any) -> Settings:
    """Flags (non-None) > environment > defaults."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    for s in SETTINGS:
        if flags.get(s.name) is not None:
            values[s.name] = flags[s.name]
            continue
        raw = _from_env(s, env)
        values[s.name] = s.default if raw is None else raw
    for key in flags:
        if key not in _BY_NAME:
            raise SettingsError(f"unknown setting {key!r}")
    if str(values["embeddings"]) not in ("offline", "openai"):
        raise SettingsError(
            f"SHIFU_EMBEDDINGS={values['embeddings']!r} is not supported; set it to 'offline' or 'openai'"
        )
    if str(values["qa_mode"]) not in ("offline", "llm"):
        raise SettingsError(f"SHIFU_QA_MODE={values['qa_mode']!r} is not supported; set it to 'offline' or 'llm'")
    try:
        return Settings(**values)
    except Exception as exc:  # pydantic names the field; we name the variable
        names = ", ".join(_BY_NAME[str(e["loc"][0])].env for e in getattr(exc, "errors", lambda: [])())
        raise SettingsError(f"invalid value for {names or 'a setting'}: {exc}") from exc
