"""The hybrid chunk index: Chroma (dense vectors) plus BM25 (characters and jieba words), fused.

How the ranking is fused, and why (measured with `shifu eval retrieval`, BEIR files in
../shared/bench, each record one chunk; bigram BM25 = bm25s over character bigrams alone):

    visible split, same run          R@1    R@5    R@10   MRR    p95 ms (2 shared cores)
    cmrc2018  bigram BM25 (baseline) .735   .932   .954   .820   0.3
              jieba BM25             .726   .923   .944   .814   1.2
              USE dense              .491   .748   .813   .610   35
              hybrid (this file)     .778   .948   .969   .853   11-20
    webqa     bigram BM25 (baseline) .686   .876   .932   .773   0.2
              jieba BM25             .691   .895   .932   .779   1.7
              USE dense              .527   .766   .828   .637   18
              hybrid (this file)     .752   .948   .971   .837   13-17
    (Chroma's HNSW is approximate: hybrid numbers move by about .001 between runs.)
    Indexing CMRC (4,189 chunks): 11 s with cached vectors, 109 s cold (USE on 2 shared
    cores); peak RSS 390 MB warm, 510 MB cold (USE model loaded). Query p95 includes
    embedding the query with USE (one BLAS thread; see shifu/embeddings.py).

Fused score of a chunk = chars / max(chars) + 0.25 * words / max(words) + 1.0 * cosine
  - chars: BM25 (k1 1.2, b .75) over CJK characters *and* their overlapping bigrams
    (latin words and numbers counted twice, to weigh like a character). Adding unigrams
    to bigrams was the largest single gain (WebQA MRR .773 -> .833 alone): short
    questions often hinge on one character (省, 市, 谁).
  - words: BM25 over jieba words. Weaker alone, a small weight still helps on CMRC.
  - cosine: USE multilingual, from Chroma's top 100 (chunks outside it get the 100th
    cosine, a floor). Dense alone is far weaker, but as a tie-breaker among lexical
    candidates it adds recall on both sets.
  Each BM25 is divided by its best score for the query, so the weights mean the same for
  every query; cosine is used raw (already 0..1). Reciprocal-rank fusion was tried and was
  worse on both sets (it throws away how far ahead the top lexical hit is). The weights were
  picked where both sets agree (tuned on one, checked on the other): 3 numbers, no per-set
  tuning, and a flat optimum: any word weight in 0..0.5 with cosine weight 0.5..1.5 lands
  within .005 MRR of these on both sets.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from rag.chroma_server import http_client
from rag.lexical import LexicalIndex, LexicalSnapshot, damaged
from shifu.embeddings import Embedder, chroma_embedding_function, get_embedder
from shifu.errors import ConfigError
from shifu.models import Chunk
from shifu.settings import Settings

WEIGHTS = {"chars": 1.0, "word": 0.25, "dense": 1.0}
DENSE_CANDIDATES = 100
_BATCH = 1000  # rows per Chroma upsert (its limit is a few thousand)


def chroma_client(settings: Settings):
    """Chroma server when SHIFU_CHROMA_URL is set, else the embedded store in SHIFU_HOME/chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        return http_client(settings.chroma_url, chroma_settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class HybridIndex:
    """Chunks of every transcript, searchable by meaning and by wording; Chroma and BM25 kept in step."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, name: str = "chunks") -> None:
        self.settings = settings
        self.name = name
        self.embedder = embedder or get_embedder(settings)
        self.lexical = LexicalIndex(settings.bm25_dir / name)
        self._client = None
        self._collection = None

    def close(self) -> None:
        """Release Chroma (its files, or its HTTP connections); the index reopens on next use."""
        if self._client is not None:
            _close_client(self._client)
        self._client = self._collection = None

    def __enter__(self) -> HybridIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------- stores ----------
    @property
    def collection(self):
        if self._collection is None:
            try:
                self._client = client = chroma_client(self.settings)
                collection = client.get_or_create_collection(
                    self.name,
                    embedding_function=chroma_embedding_function(self.embedder),
                    metadata={"hnsw:space": "cosine", "embedder": self.embedder.name},
                )
            except ConfigError:
                raise
            except Exception as exc:  # a garbled chroma.sqlite3 or HNSW file
                raise damaged(self.settings.chroma_url or self.settings.chroma_dir, type(exc).__name__) from exc
            built_with = (collection.metadata or {}).get("embedder")
            if built_with and built_with != self.embedder.name:
                where = self.settings.chroma_url or self.settings.chroma_dir
                raise ConfigError(f"the index in {where} was built with embeddings {built_with!r}, not "
                                  f"{self.embedder.name!r}; set SHIFU_EMBEDDINGS back, or use a new SHIFU_HOME "
                                  "and ingest the transcripts again")
            self._collection = collection
        return self._collection

    def chroma_ids(self) -> set[str]:
        """Every chunk id in Chroma (for consistency checks)."""
        collection = self.collection
        try:
            return set(collection.get(include=[])["ids"])
        except Exception as exc:
            raise damaged(self.settings.chroma_url or self.settings.chroma_dir, type(exc).__name__) from exc

    def bm25_ids(self) -> set[str]:
        """Every chunk id in the BM25 index (for consistency checks)."""
        return self.lexical.refresh().ids()

    def count(self) -> int:
        return self.collection.count()

    # ---------- writing ----------
    def add(self, chunks: Sequence[Chunk], transcript_titles: dict[str, str] | None = None) -> None:
        """Index chunks on both sides (a chunk id already there is replaced)."""
        if not chunks:
            return
        titles = transcript_titles or {}
        vectors = self.embedder.embed([c.text for c in chunks])
        for i in range(0, len(chunks), _BATCH):
            part = chunks[i : i + _BATCH]
            self.collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=vectors[i : i + _BATCH],
                metadatas=[_metadata(c, titles.get(c.transcript_id)) for c in part],
            )
        self.lexical.refresh()  # another writer may have added since we opened
        self.lexical.add((c.id, c.transcript_id, c.text) for c in chunks)

    def remove_transcript(self, transcript_id: str) -> None:
        """Remove every chunk of one transcript from both sides."""
        self.collection.delete(where={"transcript_id": transcript_id})
        self.lexical.refresh()
        self.lexical.remove(lambda d: d.transcript_id == transcript_id)

    def remove_chunks(self, chunk_ids: Collection[str]) -> None:
        """Remove chunks by id from both sides (repairs after an interrupted ingest)."""
        ids = set(chunk_ids)
        if not ids:
            return
        listed = sorted(ids)
        for i in range(0, len(listed), _BATCH):
            self.collection.delete(ids=listed[i : i + _BATCH])
        self.lexical.refresh()
        self.lexical.remove(lambda d: d.id in ids)

    # ---------- searching ----------
    def known_terms(self, terms: Collection[str]) -> set[str]:
        """The terms some chunk of the library mentions (a noun outside this set is never discussed)."""
        return self.lexical.known_terms(terms)

    def search(self, query: str, k: int = 10,
               transcript_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Best k (chunk id, fused score); with transcript_ids, only chunks of those transcripts."""
        lexical = self.lexical.refresh()  # one snapshot for the whole search
        allowed = lexical.mask(transcript_ids)
        if not lexical.docs or not query.strip() or (allowed is not None and not allowed.any()):
            return []
        fused = np.zeros(len(lexical.docs), dtype=np.float32)
        for analyzer in ("chars", "word"):
            fused += WEIGHTS[analyzer] * _by_best(lexical.scores(analyzer, query))
        fused += WEIGHTS["dense"] * self._dense_scores(query, lexical, transcript_ids)
        # The mask is applied here, whatever Chroma returned: other transcripts never leak.
        return lexical.top(fused, k, allowed)

    def search_dense(self, query: str, k: int = 10,
                     transcript_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Best k (chunk id, cosine) by meaning alone, from Chroma (the dense baseline)."""
        allowed = self.lexical.refresh().mask(transcript_ids)
        if not query.strip() or (allowed is not None and not allowed.any()):
            return []
        collection = self.collection
        where = {"transcript_id": {"$in": sorted(transcript_ids)}} if transcript_ids is not None else None
        found = collection.query(query_embeddings=[_query_vector(self.embedder, query)],
                                      n_results=k, where=where, include=["distances", "metadatas"])
        allowed_ids = set(transcript_ids) if transcript_ids is not None else None
        return [(cid, 1.0 - float(dist))
                for cid, dist, meta in zip(found["ids"][0], found["distances"][0], found["metadatas"][0], strict=True)
                if allowed_ids is None or (meta or {}).get("transcript_id") in allowed_ids]

    def _dense_scores(self, query: str, lexical: LexicalSnapshot,
                      transcript_ids: Collection[str] | None) -> np.ndarray:
        """Cosine per lexical document for Chroma's top candidates; the rest get the lowest cosine seen."""
        collection = self.collection  # opened first: it refuses an index built with other embeddings
        query_vec = _query_vector(self.embedder, query)
        where = {"transcript_id": {"$in": sorted(transcript_ids)}} if transcript_ids is not None else None
        found = collection.query(query_embeddings=[query_vec], n_results=DENSE_CANDIDATES,
                                      where=where, include=["distances"])
        ids, distances = found["ids"][0], found["distances"][0]
        dense = np.zeros(len(lexical.docs), dtype=np.float32)
        if not ids:
            return dense
        cosines = 1.0 - np.asarray(distances, dtype=np.float32)
        if len(ids) >= DENSE_CANDIDATES:
            dense[:] = max(float(cosines.min()), 0.0)
        for chunk_id, cosine in zip(ids, cosines, strict=True):
            pos = lexical.position(chunk_id)
            if pos is not None:
                dense[pos] = cosine
        return dense


def _close_client(client) -> None:
    """client.close(), plus the HTTP sessions Chroma leaves open once its last clients are gone."""
    clients = [client, getattr(client, "_admin_client", None)]
    servers = [(c._identifier, getattr(c, "_server", None)) for c in clients if hasattr(c, "_identifier")]
    client.close()
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        for identifier, server in servers:
            session = getattr(server, "_session", None)
            if session is not None and identifier not in SharedSystemClient._identifier_to_system:
                session.close()
    except ImportError:  # another Chroma version: its own close has to do
        pass


def _by_best(scores: np.ndarray) -> np.ndarray:
    """Scores divided by the query's best, so 1.0 is the top hit for every query."""
    best = float(scores.max(initial=0.0))
    return scores / best if best > 0 else scores


def _query_vector(embedder: Embedder, query: str) -> np.ndarray:
    embed_query = getattr(embedder, "embed_query", None)
    return embed_query(query) if embed_query else embedder.embed([query])[0]


def _metadata(chunk: Chunk, title: str | None) -> dict:
    meta: dict = {
        "transcript_id": chunk.transcript_id,
        "ord": chunk.ord,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "speakers": ", ".join(chunk.speakers),
    }
    if chunk.t_start is not None:
        meta["t_start"] = chunk.t_start
    if chunk.t_end is not None:
        meta["t_end"] = chunk.t_end
    if title:
        meta["title"] = title
    return meta
