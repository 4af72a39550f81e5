"""BM25 over characters, bigrams and jieba words: tokenizing, scoring, filtering, the shared SQL index."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update

from rag.lexical import (
    LexicalSnapshot,
    StoredChunks,
    bigram_tokens,
    char_tokens,
    word_tokens,
)
from rag.lexical_store import LexicalIndex
from shifu.errors import IndexDamaged
from shifu.store import session_factory, transaction
from shifu.tables import LexicalChunkRow, LexicalStateRow

REPO = Path(__file__).resolve().parents[2]
DOCS = [
    ("c1", "t-weld", "焊接前先把坡口打磨干净，再预热到一百五十度，不然容易出气孔。"),
    ("c2", "t-weld", "氩弧焊的钨极要磨尖，电流别开太大。"),
    ("c3", "t-shoe", "顾客试鞋的时候，要让他站起来走两步，看脚后跟是否打滑。"),
    ("c4", "t-cnc", "Check the tool offset before the first cut; a wrong offset breaks the insert."),
]


@pytest.fixture
def index(settings) -> LexicalIndex:
    return LexicalIndex(settings)


def test_bigram_tokens_split_chinese_into_overlapping_pairs_and_latin_into_words():
    assert bigram_tokens("预热到150度 Tool") == ["预热", "热到", "150", "度", "tool"]


def test_char_tokens_add_single_characters_and_weigh_latin_words_twice():
    assert char_tokens("焊工 CNC") == ["焊", "工", "焊工", "cnc", "cnc"]


def test_word_tokens_drop_punctuation():
    words = word_tokens("焊接前，先预热！")
    assert "焊接" in words and "预热" in words and "，" not in words


def test_search_finds_the_chunk_that_answers(index):
    index.add(DOCS)
    assert index.search("预热到多少度？", k=1)[0][0] == "c1"
    assert index.search("顾客试鞋", k=1, analyzer="word")[0][0] == "c3"
    assert index.search("tool offset", k=1)[0][0] == "c4"


def test_bm25_scores_by_hand():
    """Three chunks, query 焊: Lucene idf and length normalisation computed by hand."""
    texts = ["焊焊", "焊工", "车工"]
    snap = _snapshot(texts)
    # chars tokens: 焊焊 -> 焊 焊 焊焊 (len 3), 焊工 -> 焊 工 焊工 (3), 车工 -> 车 工 车工 (3); avg 3
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    expect = [idf * 2 / (2 + 1.2), idf * 1 / (1 + 1.2), 0.0]
    assert np.allclose(snap.scores("chars", "焊"), expect, rtol=1e-5)
    # a longer chunk is normalised down: 焊 once in a 6-token chunk vs once in a 3-token one
    snap = _snapshot(["焊工", "焊工车床"])
    avg = (3 + 7) / 2
    idf = math.log(1 + (2 - 2 + 0.5) / (2 + 0.5))
    expect = [idf / (1 + 1.2 * (0.25 + 0.75 * 3 / avg)), idf / (1 + 1.2 * (0.25 + 0.75 * 7 / avg))]
    assert np.allclose(snap.scores("chars", "焊"), expect, rtol=1e-5)


def test_bm25_ranks_like_bm25s_on_bench_passages():
    import json

    import bm25s

    corpus = REPO.parent / "shared" / "bench" / "cmrc2018" / "corpus.jsonl"
    if not corpus.exists():
        pytest.skip("../shared/bench is not here")
    with open(corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), fh, strict=False)]
    snap = _snapshot(texts)
    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index([char_tokens(t) for t in texts], show_progress=False)
    for query in ("范廷颂是什么时候被任为主教的？", "哪个城市", texts[7][:12], "1990年"):
        ours = snap.scores("chars", query)
        theirs = np.asarray(model.get_scores_from_ids(model.get_tokens_ids(char_tokens(query))))
        assert np.allclose(ours, theirs, rtol=1e-4, atol=1e-5)
        assert list(np.argsort(-ours, kind="stable")[:10]) == list(np.argsort(-theirs, kind="stable")[:10])


def test_transcript_filter_never_returns_other_transcripts(index):
    index.add(DOCS)
    hits = index.search("焊接 预热 顾客 试鞋", k=10, transcript_ids={"t-shoe"})
    assert [cid for cid, _ in hits] == ["c3"]
    assert index.search("焊接", k=10, transcript_ids=set()) == []


def test_published_scope_is_a_flag_on_each_chunk(settings, index):
    index.add(DOCS, published={"t-shoe"})
    assert [cid for cid, _ in index.search("焊接 预热 顾客 试鞋", k=10, published_only=True)] == ["c3"]
    from rag.lexical_store import mark_published

    with transaction(session_factory(settings)()) as s:
        mark_published(s, {"t-shoe", "t-weld"}, {"t-weld"})
    found = {cid for cid, _ in index.refresh(force=True).search("焊接 预热 顾客 试鞋", k=10, published_only=True)}
    assert found == {"c1", "c2"}  # both of t-weld, none of t-shoe


def test_adding_and_removing_step_by_step_scores_like_a_full_load(settings, index):
    index.add(DOCS[:2])
    index.refresh(force=True)
    index.add(DOCS[2:])
    index.add([("c2", "t-weld", "钨极磨尖以后，电流开小一点，焊缝才漂亮。")])  # replaced
    index.remove_transcript("t-cnc")
    stepwise = index.refresh(force=True)
    assert stepwise.n_base == 2 and stepwise.size == 4  # c3 and the new c2 appended, not reloaded
    full = LexicalIndex(settings).refresh()
    assert stepwise.ids_alive() == full.ids_alive() == {"c1", "c2", "c3"}
    for query in ("钨极电流", "顾客 预热", "tool offset"):
        for analyzer in ("chars", "word"):
            a, b = stepwise.search(query, 5, analyzer), full.search(query, 5, analyzer)
            assert [c for c, _ in a] == [c for c, _ in b]
            assert np.allclose([s for _, s in a], [s for _, s in b], rtol=1e-5)


def test_index_survives_reopening_and_removal_persists(settings, index):
    index.add(DOCS)
    index.remove_transcript("t-weld")
    reopened = LexicalIndex(settings)
    assert reopened.ids() == {"c3", "c4"}
    assert reopened.search("顾客试鞋", k=1)[0][0] == "c3"


def test_a_reader_sees_what_another_writer_added_within_a_second(settings):
    reader, writer = LexicalIndex(settings), LexicalIndex(settings)
    assert reader.search("预热", k=1) == []
    writer.add(DOCS[:1])
    time.sleep(1.05)
    assert reader.search("预热", k=1)[0][0] == "c1"


def test_another_process_sees_an_ingest_without_restarting(settings, shifu_home):
    """Two real processes: B keeps searching while A adds; B sees it within seconds."""
    code = ("import sys, time; from shifu.settings import load_settings; from rag.lexical_store import LexicalIndex; "
            "idx = LexicalIndex(load_settings()); idx.refresh(); print('ready', flush=True); "
            "deadline = time.monotonic() + 30\n"
            "while time.monotonic() < deadline:\n"
            "    if idx.search('脚后跟', k=1): print('seen', flush=True); sys.exit(0)\n"
            "    time.sleep(0.05)\n"
            "sys.exit(1)")
    env = {**os.environ, "SHIFU_HOME": str(shifu_home), "PYTHONPATH": str(REPO)}
    LexicalIndex(settings).add(DOCS[:2])
    with subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True) as reader:
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
            started = time.monotonic()
            LexicalIndex(settings).add(DOCS[2:3])
            assert reader.stdout.readline().strip() == "seen"
            assert time.monotonic() - started < 5
            assert reader.wait(timeout=30) == 0
        finally:
            reader.kill()


def test_empty_index_and_unknown_words_return_nothing(index):
    assert index.search("预热", k=5) == []
    index.add(DOCS)
    assert index.search("量子纠缠", k=5) == []
    assert index.search("", k=5) == []


def test_known_terms_are_the_words_some_chunk_writes_and_follow_removals(settings, index):
    assert index.known_terms(["预热"]) == set()
    index.add(DOCS)
    # 钨极 and 脚后跟 are written out; 叉车 nowhere; "Tool" matches "tool" whatever the case
    assert index.known_terms(["钨极", "脚后跟", "叉车", "Tool"]) == {"钨极", "脚后跟", "Tool"}
    # characters that occur, but never together in one chunk, are not a known term
    assert index.known_terms(["钨跟", "坡口打磨"]) == {"坡口打磨"}
    reader = LexicalIndex(settings)  # another process sees the same vocabulary
    assert reader.known_terms(["坡口", "电瓶"]) == {"坡口"}
    index.remove_transcript("t-shoe")
    assert reader.refresh(force=True).known_terms(["脚后跟", "钨极"]) == {"钨极"}


def test_a_garbled_term_list_is_reported_in_one_line(settings, index):
    index.add(DOCS)
    with transaction(session_factory(settings)()) as s:
        s.execute(update(LexicalChunkRow).where(LexicalChunkRow.chunk_id == "c2")
                  .values(chars=b"\xff\xfe\x00garbage\x9c\x80" * 64, generation=99))
        s.execute(update(LexicalStateRow).values(generation=99))
    with pytest.raises(IndexDamaged) as found:
        LexicalIndex(settings).refresh()
    assert "\n" not in str(found.value) and "check --fix" in str(found.value)


def test_many_removals_purge_tombstones_and_readers_reload(settings, index):
    reader = LexicalIndex(settings)
    index.add([(f"x{i}", f"t{i % 3}", f"第{i}号工位的扳手") for i in range(1200)] + DOCS)
    assert len(reader.refresh(force=True).ids_alive()) == 1204
    for t in ("t0", "t1", "t2"):
        index.remove_transcript(t)
    with transaction(session_factory(settings)()) as s:
        assert s.query(LexicalChunkRow).count() == 4  # tombstones purged
    assert reader.refresh(force=True).ids_alive() == {"c1", "c2", "c3", "c4"}


def _snapshot(texts: list[str]) -> LexicalSnapshot:
    chunks = StoredChunks.of_texts([f"d{i}" for i in range(len(texts))], ["t"] * len(texts), texts)
    return LexicalSnapshot.load(1, 0, chunks, "test")
