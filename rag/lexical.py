"""BM25 over CJK characters (+ bigrams) and over jieba words, held in memory and scored with numpy.

Chinese has no spaces, so a lexical index needs its own idea of a "word". Two are kept:
characters with their overlapping bigrams (robust to segmentation errors and unknown trade
jargon) and jieba words (sharper on multi-character terms). Latin text is lowercased words.

A chunk's terms are stored once, tokenised and hashed (crc32 of the term, its count), by
rag/lexical_store.py in SQL; a process loads them into a :class:`LexicalSnapshot` without
tokenising again and appends what changed. Scoring is Lucene's BM25 (k1 1.2, b .75):
idf = ln(1 + (N - df + .5) / (df + .5)), tf part = tf / (tf + k1 (1 - b + b len / avg len)),
with N, df and the average length over the chunks still in the index.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shifu.errors import IndexDamaged

# CJK ideographs, kana and hangul: scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_RUNS = re.compile(rf"([{_CJK}]+)|((?:(?![{_CJK}])[^\W_])+)")
_WORDLIKE = re.compile(r"[^\W_]")


def bigram_tokens(text: str) -> list[str]:
    """CJK runs as overlapping character bigrams (a lone character as itself), latin as lowercased words."""
    tokens: list[str] = []
    for cjk, word in _RUNS.findall(text):
        if word:
            tokens.append(word.lower())
        elif len(cjk) == 1:
            tokens.append(cjk)
        else:
            tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
    return tokens


def char_tokens(text: str) -> list[str]:
    """CJK characters alone and as overlapping bigrams; latin words (and numbers) twice.

    Short questions often hinge on one character, hence the unigrams. A CJK character
    then yields two tokens, so a latin word or a number counts twice to weigh the same.
    """
    tokens: list[str] = []
    for cjk, word in _RUNS.findall(text):
        if word:
            tokens += [word.lower()] * 2
            continue
        tokens.extend(cjk)
        tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
    return tokens


def word_tokens(text: str) -> list[str]:
    """jieba words (search mode adds the short words inside long ones), lowercased, punctuation dropped."""
    import jieba

    jieba.setLogLevel(60)  # its "Building prefix dict" chatter goes to stderr otherwise
    return [w.lower() for w in jieba.lcut_for_search(text) if _WORDLIKE.search(w)]


ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    "bigram": bigram_tokens,
    "chars": char_tokens,
    "word": word_tokens,
}
INDEXED = ("chars", "word")  # the analyzers the index keeps (bigram alone is the bench baseline)
K1, B = 1.2, 0.75
# One stored posting: the term's crc32 and its count in the chunk (6 bytes, little-endian).
POSTING = np.dtype([("term", "<u4"), ("tf", "<u2")])


def term_hash(token: str) -> int:
    """A stable 32-bit id for a term (crc32 of its UTF-8), the same in every process and run."""
    return zlib.crc32(token.encode("utf-8"))


def pack_terms(tokens: Sequence[str]) -> bytes:
    """The chunk's terms as stored: one POSTING per distinct term."""
    counts = Counter(term_hash(t) for t in tokens)
    packed = np.empty(len(counts), dtype=POSTING)
    packed["term"] = np.fromiter(counts.keys(), dtype=np.uint32, count=len(counts))
    packed["tf"] = np.minimum(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)), 65535)
    return packed.tobytes()


def analyse(text: str) -> dict[str, tuple[bytes, int]]:
    """Per indexed analyzer: the packed terms of the text and its length in tokens."""
    out = {}
    for name in INDEXED:
        tokens = ANALYZERS[name](text)
        out[name] = (pack_terms(tokens), len(tokens))
    return out


def damaged(where: object, why: str) -> IndexDamaged:
    """The one-line report of a search index that cannot be read."""
    return IndexDamaged(f"the search index in {where} is damaged ({why}); run `shifu transcripts check --fix` "
                        "to rebuild it from the library.",
                        zh=f"搜索索引 {where} 已损坏（{why}）；请运行 `shifu transcripts check --fix` 从资料库重建。")


def unpack_terms(blobs: Sequence[bytes], lengths: Sequence[int], first: int,
                 where: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, terms, counts) of stored chunks numbered from `first`; a garbled blob is reported."""
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    if (sizes % POSTING.itemsize).any():
        raise damaged(where, "a term list has a broken length")
    packed = np.frombuffer(b"".join(blobs), dtype=POSTING)
    counts = sizes // POSTING.itemsize
    docs = np.repeat(np.arange(first, first + len(blobs), dtype=np.int32), counts)
    tfs = packed["tf"].copy()
    if len(blobs) and (np.bincount(docs - first, weights=tfs, minlength=len(blobs))
                       > np.asarray(lengths, dtype=np.float64)).any():
        raise damaged(where, "term counts do not add up to the chunk's length")
    return docs, packed["term"].copy(), tfs


@dataclass(frozen=True)
class Segment:
    """Postings of some chunks grouped by term bucket, so a query reads only its terms' entries.

    Entries keep the full 32-bit term, so two terms in one bucket never mix; the bucket count
    grows with the segment (about four entries a bucket, at most 2^22 buckets).
    """

    mask: int
    starts: np.ndarray  # bucket -> its first entry (one more than buckets)
    docs: np.ndarray  # int32 chunk positions
    terms: np.ndarray  # uint32
    tfs: np.ndarray  # uint16

    @classmethod
    def build(cls, docs: np.ndarray, terms: np.ndarray, tfs: np.ndarray) -> Segment:
        import scipy.sparse as sp

        n = len(terms)
        bits = min(22, max(8, n.bit_length() - 2))
        buckets = (terms & np.uint32((1 << bits) - 1)).astype(np.int32)
        # scipy's CSR -> CSC conversion is a stable counting sort by column, in C: entries of one row,
        # numbered 1..n, come out grouped by bucket in their original order.
        grouped = sp.csr_matrix((np.arange(1, n + 1, dtype=np.int32), buckets, np.array([0, n])),
                                shape=(1, 1 << bits)).tocsc()
        order = grouped.data - 1
        return cls((1 << bits) - 1, grouped.indptr, docs[order], terms[order], tfs[order])

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        bucket = term & self.mask
        lo, hi = self.starts[bucket], self.starts[bucket + 1]
        hit = self.terms[lo:hi] == term
        return self.docs[lo:hi][hit], self.tfs[lo:hi][hit]


@dataclass
class Postings:
    """The raw (position, term, count) entries of consecutive chunks, in chunk order."""

    docs: np.ndarray
    terms: np.ndarray
    tfs: np.ndarray

    @classmethod
    def empty(cls) -> Postings:
        return cls(np.zeros(0, np.int32), np.zeros(0, np.uint32), np.zeros(0, np.uint16))

    def __add__(self, other: Postings) -> Postings:
        return Postings(np.concatenate([self.docs, other.docs]), np.concatenate([self.terms, other.terms]),
                        np.concatenate([self.tfs, other.tfs]))


@dataclass
class StoredChunks:
    """Chunks as the lexical table holds them, column by column (a row object per chunk costs seconds at 100k)."""

    ids: list[str]
    transcripts: list[str]
    published: list[bool]
    added: list[int]
    terms: dict[str, tuple[list[bytes], list[int]]]  # analyzer -> (packed terms, lengths)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> StoredChunks:
        """From (id, transcript, published, added, chars, chars length, words, words length) rows."""
        if not rows:
            return cls([], [], [], [], {name: ([], []) for name in INDEXED})
        ids, tids, shown, added, chars, clen, words, wlen = (list(col) for col in zip(*rows, strict=True))
        return cls(ids, tids, [bool(x) for x in shown], added,
                   {"chars": ([bytes(b) for b in chars], clen), "word": ([bytes(b) for b in words], wlen)})

    @classmethod
    def of_texts(cls, ids: list[str], transcripts: list[str], texts: list[str], added: int = 1) -> StoredChunks:
        """Chunks analysed now (tests and small tools)."""
        analysed = [analyse(t) for t in texts]
        return cls(ids, transcripts, [True] * len(ids), [added] * len(ids),
                   {name: ([a[name][0] for a in analysed], [a[name][1] for a in analysed]) for name in INDEXED})

    def __len__(self) -> int:
        return len(self.ids)


class LexicalSnapshot:
    """One state of the index in memory: never changed once built, so a search sees one state.

    Chunks have positions; a removed chunk keeps its position, masked, until the next full load.
    The chunks of the last full load form the base segment; chunks added since form a small
    tail segment, rebuilt at each change.
    """

    def __init__(self, generation: int, floor: int, ids: list[str], transcripts: list[str],
                 added: np.ndarray, alive: np.ndarray, published: np.ndarray,
                 lengths: dict[str, np.ndarray], base: dict[str, Segment], n_base: int,
                 tail: dict[str, Postings]) -> None:
        self.generation, self.floor = generation, floor
        self.ids, self.transcripts = ids, transcripts
        self.added, self.alive, self.published = added, alive, published
        self.lengths, self.base, self.n_base, self.tail_postings = lengths, base, n_base, tail
        self.tail = {name: Segment.build(p.docs, p.terms, p.tfs) for name, p in tail.items() if len(p.terms)}
        self._pos: dict[str, int] | None = None
        self._by_transcript: dict[str, list[int]] | None = None
        self.n_alive = int(alive.sum())
        self.avg_len = {name: float(lengths[name][alive].mean()) if self.n_alive else 1.0 for name in INDEXED}

    # ---------- building ----------
    @classmethod
    def load(cls, generation: int, floor: int, chunks: StoredChunks, where: object) -> LexicalSnapshot:
        """A snapshot of every stored chunk (the base segment), from their packed terms."""
        lengths, base = {}, {}
        for name in INDEXED:
            blobs, lens = chunks.terms[name]
            docs, terms, tfs = unpack_terms(blobs, lens, 0, where)
            lengths[name] = np.asarray(lens, dtype=np.float32)
            base[name] = Segment.build(docs, terms, tfs)
        n = len(chunks)
        return cls(generation, floor, chunks.ids, chunks.transcripts, np.asarray(chunks.added, dtype=np.int64),
                   np.ones(n, dtype=bool), np.asarray(chunks.published, dtype=bool), lengths, base, n,
                   {name: Postings.empty() for name in INDEXED})

    def changed(self, generation: int, floor: int, flags: Iterable[tuple[str, bool, bool]],
                new: StoredChunks, where: object) -> LexicalSnapshot:
        """The next snapshot: (chunk id, published, removed) flags applied, new chunks appended to the tail."""
        alive, published = self.alive.copy(), self.published.copy()
        pos = self.positions()
        for chunk_id, shown, removed in flags:
            at = pos.get(chunk_id)
            if at is not None:
                published[at] = shown
                alive[at] = alive[at] and not removed
        for chunk_id in new.ids:  # a re-added chunk replaces its old position
            at = pos.get(chunk_id)
            if at is not None:
                alive[at] = False
        first = len(self.ids)
        lengths, tail = dict(self.lengths), dict(self.tail_postings)
        for name in INDEXED:
            blobs, lens = new.terms[name]
            docs, terms, tfs = unpack_terms(blobs, lens, first, where)
            lengths[name] = np.concatenate([self.lengths[name], np.asarray(lens, dtype=np.float32)])
            tail[name] = self.tail_postings[name] + Postings(docs, terms, tfs)
        n = len(new)
        return LexicalSnapshot(
            generation, floor, self.ids + new.ids, self.transcripts + new.transcripts,
            np.concatenate([self.added, np.asarray(new.added, dtype=np.int64)]),
            np.concatenate([alive, np.ones(n, dtype=bool)]),
            np.concatenate([published, np.asarray(new.published, dtype=bool)]),
            lengths, self.base, self.n_base, tail)

    def wants_reload(self) -> bool:
        """Whether the tail or the removed chunks have grown enough that a full load is cheaper to search."""
        tail = len(self.ids) - self.n_base
        return tail > max(2000, self.n_base // 10) or len(self.ids) - self.n_alive > max(2000, len(self.ids) // 4)

    # ---------- reading ----------
    def positions(self) -> dict[str, int]:
        """Chunk id -> its live position (a re-added chunk's newest one)."""
        if self._pos is None:
            self._pos = {cid: i for i, cid in enumerate(self.ids) if self.alive[i]}
        return self._pos

    def ids_alive(self) -> set[str]:
        return set(self.positions())

    def position(self, chunk_id: str) -> int | None:
        return self.positions().get(chunk_id)

    @property
    def size(self) -> int:
        return len(self.ids)

    def allowed(self, transcript_ids: Collection[str] | None = None, published_only: bool = False) -> np.ndarray:
        """Boolean per position: may it come back for this caller (live, and in the scope asked for)?"""
        allowed = self.alive & self.published if published_only else self.alive.copy()
        if transcript_ids is not None:
            if self._by_transcript is None:
                by: dict[str, list[int]] = {}
                for i, t in enumerate(self.transcripts):
                    by.setdefault(t, []).append(i)
                self._by_transcript = by
            scope = np.zeros(len(self.ids), dtype=bool)
            for t in set(transcript_ids):
                scope[self._by_transcript.get(t, [])] = True
            allowed &= scope
        return allowed

    def _postings(self, analyzer: str, term: int) -> tuple[np.ndarray, np.ndarray]:
        found = [seg.postings(term) for seg in (self.base.get(analyzer), self.tail.get(analyzer)) if seg is not None]
        if len(found) == 1:
            docs, tfs = found[0]
        else:
            docs, tfs = np.concatenate([d for d, _ in found]), np.concatenate([t for _, t in found])
        keep = self.alive[docs]
        return docs[keep], tfs[keep]

    def scores(self, analyzer: str, query: str) -> np.ndarray:
        """BM25 score of every position for the query (0 where no query term occurs, or removed)."""
        scores = np.zeros(len(self.ids), dtype=np.float32)
        if not self.n_alive:
            return scores
        lengths, avg = self.lengths[analyzer], self.avg_len[analyzer]
        for term, times in Counter(term_hash(t) for t in ANALYZERS[analyzer](query) if t).items():
            docs, tfs = self._postings(analyzer, term)
            if not len(docs):
                continue
            idf = np.log1p((self.n_alive - len(docs) + 0.5) / (len(docs) + 0.5))
            tf = tfs.astype(np.float32)
            scores[docs] += np.float32(times * idf) * tf / (tf + K1 * (1 - B + B * lengths[docs] / avg))
        return scores

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        """The terms some live chunk holds: as a jieba word, or all its characters and bigrams in one chunk.

        Case-insensitive, and a Chinese noun counts wherever its characters stand together in a
        chunk, whatever jieba made of them there ("叉车" is unknown only if no chunk writes 叉车).
        Read from the postings, so no process keeps the library's text in memory.
        """
        known = set()
        for term in terms:
            lowered = term.lower() if term else ""
            if not lowered:
                continue
            if len(self._postings("word", term_hash(lowered))[0]):
                known.add(term)
                continue
            parts = {term_hash(t) for t in char_tokens(lowered)}
            common: np.ndarray | None = None
            for part in parts:
                docs = self._postings("chars", part)[0]
                common = docs if common is None else np.intersect1d(common, docs, assume_unique=False)
                if not len(common):
                    break
            if common is not None and len(common):
                known.add(term)
        return known

    def top(self, scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[str, float]]:
        return top_k(scores, self.ids, k, allowed)

    def search(self, query: str, k: int = 10, analyzer: str = "chars",
               transcript_ids: Collection[str] | None = None,
               published_only: bool = False) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score, only from the allowed chunks."""
        return top_k(self.scores(analyzer, query), self.ids, k, self.allowed(transcript_ids, published_only))


def top_k(scores: np.ndarray, ids: Sequence[str], k: int,
          allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
    """Best k (id, score) with score > 0, skipping documents not allowed."""
    if len(scores) == 0 or k <= 0:
        return []
    s = np.where(allowed, scores, 0.0) if allowed is not None else scores
    candidates = np.flatnonzero(s > 0)
    if len(candidates) > k:
        part = np.argpartition(-s[candidates], k - 1)[:k]
        candidates = candidates[part]
    order = candidates[np.argsort(-s[candidates], kind="stable")]
    return [(ids[i], float(s[i])) for i in order]
