"""Embedding providers: offline USE, an OpenAI-compatible endpoint, the content-hash cache, the Chroma adapter."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from shifu.embeddings import (
    USE_NAME,
    CachedEmbedder,
    UseEmbedder,
    VectorCache,
    chroma_embedding_function,
    get_embedder,
)
from shifu.errors import ConfigError
from shifu.settings import load_settings


class Counting:
    """Wraps an embedder and counts the texts it really had to embed."""

    def __init__(self, inner):
        self.inner, self.name, self.texts = inner, inner.name, []

    def embed(self, texts):
        self.texts.extend(texts)
        return self.inner.embed(texts)


def test_offline_vectors_are_normalised_and_closer_for_the_same_meaning():
    vecs = UseEmbedder().embed(["焊接前要先预热工件", "焊之前工件得预热", "顾客试鞋要走两步"])
    assert vecs.shape == (3, 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


def test_get_embedder_is_offline_by_default(settings):
    assert get_embedder(settings).name == USE_NAME


def test_unchanged_text_is_not_embedded_again(settings, tmp_path):
    counting = Counting(UseEmbedder())
    cache = VectorCache(tmp_path / "cache")
    first = CachedEmbedder(counting, cache).embed(["预热到一百五十度", "钨极要磨尖"])
    # a new process: new embedder object, same cache folder
    again = CachedEmbedder(counting, VectorCache(tmp_path / "cache")).embed(["钨极要磨尖", "预热到一百五十度", "新句子"])
    assert counting.texts == ["预热到一百五十度", "钨极要磨尖", "新句子"]
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], first[0])


def test_openai_without_endpoint_or_key_names_the_variable():
    with pytest.raises(ConfigError, match="SHIFU_EMBEDDING_BASE_URL"):
        get_embedder(load_settings(embeddings="openai"))
    with pytest.raises(ConfigError, match="SHIFU_EMBEDDING_API_KEY"):
        get_embedder(load_settings(embeddings="openai", embedding_base_url="http://127.0.0.1:9/v1"))


class _Embeddings(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible /v1/embeddings endpoint: vector = (length, 1, 0)."""

    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
                for i, t in enumerate(body["input"])]
        out = json.dumps({"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def test_openai_compatible_endpoint_gets_plain_text_and_vectors_come_back_normalised():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = load_settings(embeddings="openai", embedding_model="bge-m3",
                                 embedding_base_url=f"http://127.0.0.1:{server.server_port}/v1",
                                 embedding_api_key="sk-test")
        embedder = get_embedder(settings)
        vecs = embedder.embed(["钨极", "预热到一百五十度"])
    finally:
        server.shutdown()
        server.server_close()
    assert embedder.name == "openai:bge-m3"
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    sent = _Embeddings.seen[-1]
    assert sent["path"] == "/v1/embeddings" and sent["auth"] == "Bearer sk-test"
    assert sent["input"] == ["钨极", "预热到一百五十度"]  # text, not tiktoken ids


def test_chroma_uses_our_embedding_function(tmp_path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    fn = chroma_embedding_function(UseEmbedder())
    collection = client.create_collection("tips", embedding_function=fn)
    collection.add(ids=["a", "b"], documents=["焊接前要先预热工件", "顾客试鞋要走两步"])
    found = collection.query(query_texts=["焊之前工件得预热"], n_results=1)
    assert found["ids"][0] == ["a"]
    assert len(fn(["x"])[0]) == 512
