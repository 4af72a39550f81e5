"""BM25 (bm25s) over character bigrams and over jieba words, persisted under SHIFU_HOME/bm25.

Chinese has no spaces, so a lexical index needs its own idea of a "word". Two are kept:
overlapping character bigrams (robust to segmentation errors and unknown trade jargon)
and jieba words (sharper on multi-character terms). Latin text is lowercased words in both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class BM25Params:
    """BM25 saturation (k1) and length normalisation (b) for one analyzer."""

    k1: float = 1.2
    b: float = 0.75


class LexicalRanking:
    """One BM25 model over one analyzer; scores every document for a query."""

    def __init__(self, analyzer: str, params: BM25Params, model, n_docs: int) -> None:
        self.analyzer = analyzer
        self.params = params
        self._model = model  # None when there are no documents
        self.n_docs = n_docs

    @classmethod
    def build(cls, analyzer: str, docs_tokens: Sequence[list[str]], params: BM25Params) -> LexicalRanking:
        import bm25s

        if not docs_tokens:
            return cls(analyzer, params, None, 0)
        model = bm25s.BM25(k1=params.k1, b=params.b, method="lucene")
        model.index([list(t) for t in docs_tokens], show_progress=False)
        return cls(analyzer, params, model, len(docs_tokens))

    def save(self, folder: Path) -> None:
        if self._model is not None:
            self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, analyzer: str, folder: Path, params: BM25Params, n_docs: int) -> LexicalRanking:
        import bm25s

        if n_docs == 0:
            return cls(analyzer, params, None, 0)
        model = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(analyzer, params, model, n_docs)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (0 where no query token occurs)."""
        if self._model is None:
            return np.zeros(0, dtype=np.float32)
        ids = self._model.get_tokens_ids([t for t in ANALYZERS[self.analyzer](query) if t])
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)


@dataclass
class LexicalDoc:
    """What the lexical side keeps per chunk; jieba's words are stored because segmenting is the slow part."""

    id: str
    transcript_id: str
    text: str
    words: list[str] = field(default_factory=list)

    @classmethod
    def from_text(cls, id: str, transcript_id: str, text: str) -> LexicalDoc:
        return cls(id, transcript_id, text, word_tokens(text))

    def tokens(self, analyzer: str) -> list[str]:
        return self.words if analyzer == "word" else ANALYZERS[analyzer](self.text)


DEFAULT_ANALYZERS: dict[str, BM25Params] = {"chars": BM25Params(), "word": BM25Params()}


class LexicalSnapshot:
    """One version of the documents and their rankings; never changes, so a search sees one state."""

    def __init__(self, docs: list[LexicalDoc], rankings: dict[str, LexicalRanking], version: str | None) -> None:
        self.docs = docs
        self.rankings = rankings
        self.version = version
        self._pos = {d.id: i for i, d in enumerate(docs)}
        self._ids = [d.id for d in docs]
        self._library: str | None = None  # every text, lowercased and joined (known_terms builds it)
        self._words: set[str] = set()

    def ids(self) -> set[str]:
        return set(self._pos)

    def position(self, chunk_id: str) -> int | None:
        return self._pos.get(chunk_id)

    def mask(self, transcript_ids: Collection[str] | None) -> np.ndarray | None:
        """Boolean per document: may it come back for this caller? None means all may."""
        if transcript_ids is None:
            return None
        allowed = set(transcript_ids)
        return np.fromiter((d.transcript_id in allowed for d in self.docs), dtype=bool, count=len(self.docs))

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        """The terms some document holds: written out in its text, or among its jieba words.

        Matched case-insensitively on the running text, so a Chinese noun counts wherever
        its characters stand together, whatever jieba made of them there ("叉车" is unknown
        only if no chunk writes 叉车). The text is joined once per snapshot (it never changes).
        """
        if self._library is None:  # words first: a thread that sees the text sees both
            self._words = {w for d in self.docs for w in d.words}
            self._library = "\x00".join(d.text.lower() for d in self.docs)
        return {t for t in terms if t and (t.lower() in self._words or t.lower() in self._library)}

    def scores(self, analyzer: str, query: str) -> np.ndarray:
        """BM25 score of every document under one analyzer."""
        return self.rankings[analyzer].scores(query)

    def search(self, query: str, k: int = 10, analyzer: str = "chars",
               transcript_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score, only from the allowed transcripts."""
        return top_k(self.scores(analyzer, query), self._ids, k, self.mask(transcript_ids))

    def top(self, scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[str, float]]:
        return top_k(scores, self._ids, k, allowed)


def damaged(where: object, why: str) -> IndexDamaged:
    """The one-line report of a search index that cannot be read."""
    return IndexDamaged(f"搜索索引 {where} 已损坏（{why}）；请运行 `shifu transcripts check --fix` 从资料库重建。 / "
                        f"the search index in {where} is damaged ({why}); run `shifu transcripts check --fix` "
                        "to rebuild it from the library.")


class LexicalIndex:
    """BM25 rankings (one per analyzer) over the same documents, persisted atomically under one folder.

    Layout: ``<folder>/CURRENT`` names a version folder holding docs.jsonl and one bm25s
    index per analyzer. A change writes a new version folder, then swaps CURRENT with
    os.replace, so a crash mid-write leaves the previous version intact.
    """

    def __init__(self, folder: Path, analyzers: dict[str, BM25Params] | None = None) -> None:
        self.folder = Path(folder)
        self.params = dict(analyzers or DEFAULT_ANALYZERS)
        self.state = self._build([], None)
        self._load()

    @property
    def docs(self) -> list[LexicalDoc]:
        return self.state.docs

    # ---------- reading ----------
    def _current(self) -> str | None:
        try:
            return (self.folder / "CURRENT").read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _load(self) -> None:
        for _ in range(3):  # a writer may swap versions while we read; the next CURRENT is whole
            try:
                self.state = self._read_or_report(self._current())
                return
            except FileNotFoundError:
                continue
        self.state = self._read_or_report(self._current())

    def _read_or_report(self, version: str | None) -> LexicalSnapshot:
        """The version's snapshot; a garbled file is reported in one line, never as a codec traceback."""
        try:
            return self._read(version)
        except FileNotFoundError:
            if self._current() != version:
                raise  # a writer swapped versions under us: read the new CURRENT
            raise damaged(self.folder, "a file is missing") from None
        except Exception as exc:  # UnicodeDecodeError, JSONDecodeError, KeyError, numpy/bm25s errors ...
            raise damaged(self.folder, type(exc).__name__) from exc

    def _read(self, version: str | None) -> LexicalSnapshot:
        if version is None:
            return self._build([], None)
        vdir = self.folder / version
        docs = []
        with open(vdir / "docs.jsonl", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                docs.append(LexicalDoc(d["id"], d["transcript_id"], d["text"], d["words"]))
        built = json.loads((vdir / "analyzers.json").read_text(encoding="utf-8"))
        rankings = {}
        for name, p in self.params.items():
            if name in built and BM25Params(**built[name]) == p:
                rankings[name] = LexicalRanking.load(name, vdir / name, p, len(docs))
            else:  # an analyzer this version did not persist: build it in memory
                rankings[name] = LexicalRanking.build(name, [d.tokens(name) for d in docs], p)
        return LexicalSnapshot(docs, rankings, version)

    def _build(self, docs: list[LexicalDoc], version: str | None) -> LexicalSnapshot:
        rankings = {name: LexicalRanking.build(name, [d.tokens(name) for d in docs], p)
                    for name, p in self.params.items()}
        return LexicalSnapshot(docs, rankings, version)

    def refresh(self) -> LexicalSnapshot:
        """The current state, reloaded first when another process has written a newer version."""
        if self._current() != self.state.version:
            self._load()
        return self.state

    def ids(self) -> set[str]:
        return self.state.ids()

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        """The terms the library mentions anywhere (see LexicalSnapshot.known_terms)."""
        return self.refresh().known_terms(terms)

    # ---------- writing ----------
    def add(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Add or replace (chunk id, transcript id, text) entries, then persist."""
        new = {cid: LexicalDoc.from_text(cid, tid, text) for cid, tid, text in entries}
        kept = [d for d in self.state.docs if d.id not in new]
        self._persist(self._build(kept + list(new.values()), None))

    def remove(self, predicate: Callable[[LexicalDoc], bool]) -> int:
        """Drop every document the predicate picks, persist, and say how many went."""
        kept = [d for d in self.state.docs if not predicate(d)]
        gone = len(self.state.docs) - len(kept)
        if gone:
            self._persist(self._build(kept, None))
        return gone

    def _persist(self, state: LexicalSnapshot) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        version = f"v-{uuid.uuid4().hex[:12]}"
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
        with open(tmp / "docs.jsonl", "w", encoding="utf-8") as fh:
            for d in state.docs:
                fh.write(json.dumps({"id": d.id, "transcript_id": d.transcript_id,
                                     "text": d.text, "words": d.words}, ensure_ascii=False))
                fh.write("\n")
        for name, ranking in state.rankings.items():
            (tmp / name).mkdir()
            ranking.save(tmp / name)
        params = {name: {"k1": p.k1, "b": p.b} for name, p in self.params.items()}
        (tmp / "analyzers.json").write_text(json.dumps(params), encoding="utf-8")
        os.replace(tmp, self.folder / version)
        pointer = self.folder / f".CURRENT-{version}"
        pointer.write_text(version, encoding="utf-8")
        os.replace(pointer, self.folder / "CURRENT")
        state.version = version
        self.state = state
        self._clean_old(version)

    def _clean_old(self, keep: str) -> None:
        for entry in self.folder.iterdir():
            if entry.name in (keep, "CURRENT"):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    # ---------- searching ----------
    def search(self, query: str, k: int = 10, analyzer: str = "chars",
               transcript_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score, only from the allowed transcripts."""
        return self.refresh().search(query, k, analyzer, transcript_ids)


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
