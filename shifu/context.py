"""The application context: built once at the edge (a CLI command, `create_app`) and handed to services.

It holds the settings and the parts every service shares, each opened on first use: the
database sessions (one transaction per user action: :meth:`Context.unit_of_work`), the
embedder, the chat model and the slot that holds the hybrid index for searching (filled by
`rag.retrieve.reader_index`, which knows when a writer changed the index). Tests build one
with a fake chat model instead of patching module internals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shifu.settings import Settings
from shifu.store import session_factory, transaction

# A chat model factory: (timeout_s=..., max_tokens=..., **model options) -> a LangChain chat model.
ChatModels = Callable[..., Any]


class IndexSlot:
    """The long-lived search index of one context and the index stamp it was opened at."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: int | None = None
        self.index: Any = None


class Context:
    """Settings plus the parts services share; cheap to build, every part opened lazily."""

    def __init__(self, settings: Settings, *, chat_model: ChatModels | None = None,
                 embedder: Any = None) -> None:
        self.settings = settings
        self._chat_model = chat_model
        self._embedder = embedder
        self._sessions: sessionmaker[Session] | None = None
        self._local = threading.local()  # the open unit of work, per thread (the app serves many)
        self._guard = threading.Lock()
        self.index_slot = IndexSlot()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for one user action: committed at the end, rolled back on error.

        A service called inside another's unit of work joins it, so one action is one transaction.
        """
        held = getattr(self._local, "session", None)
        if held is not None:
            yield held
            return
        if self._sessions is None:
            self._sessions = session_factory(self.settings)
        session = self._sessions()
        self._local.session = session
        try:
            with transaction(session):
                yield session
        finally:
            self._local.session = None

    @property
    def embedder(self) -> Any:
        """The configured embedder behind its vector cache, loaded on first use."""
        with self._guard:
            if self._embedder is None:
                from shifu.embeddings import get_embedder

                self._embedder = get_embedder(self.settings)
            return self._embedder

    @property
    def llm_configured(self) -> bool:
        """Whether a chat model is at hand (injected, or a server set in the settings)."""
        return self._chat_model is not None or bool(self.settings.llm_base_url or self.settings.llm_api_key)

    @property
    def chat_model(self) -> ChatModels | None:
        """The chat model factory, or None when no LLM is configured."""
        if self._chat_model is not None:
            return self._chat_model
        if not self.llm_configured:
            return None
        from shifu.llm import chat_model

        return partial(chat_model, self.settings)

