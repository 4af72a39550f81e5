"""BM25 over characters, bigrams and jieba words: tokenizing, ranking, filtering, persisting."""

from __future__ import annotations

from rag.lexical import LexicalIndex, bigram_tokens, char_tokens, word_tokens

DOCS = [
    ("c1", "t-weld", "焊接前先把坡口打磨干净，再预热到一百五十度，不然容易出气孔。"),
    ("c2", "t-weld", "氩弧焊的钨极要磨尖，电流别开太大。"),
    ("c3", "t-shoe", "顾客试鞋的时候，要让他站起来走两步，看脚后跟是否打滑。"),
    ("c4", "t-cnc", "Check the tool offset before the first cut; a wrong offset breaks the insert."),
]


def test_bigram_tokens_split_chinese_into_overlapping_pairs_and_latin_into_words():
    assert bigram_tokens("预热到150度 Tool") == ["预热", "热到", "150", "度", "tool"]


def test_char_tokens_add_single_characters_and_weigh_latin_words_twice():
    assert char_tokens("焊工 CNC") == ["焊", "工", "焊工", "cnc", "cnc"]


def test_word_tokens_drop_punctuation():
    words = word_tokens("焊接前，先预热！")
    assert "焊接" in words and "预热" in words and "，" not in words


def test_search_finds_the_chunk_that_answers(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.add(DOCS)
    assert index.search("预热到多少度？", k=1)[0][0] == "c1"
    assert index.search("顾客试鞋", k=1, analyzer="word")[0][0] == "c3"
    assert index.search("tool offset", k=1)[0][0] == "c4"


def test_transcript_filter_never_returns_other_transcripts(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.add(DOCS)
    hits = index.search("焊接 预热 顾客 试鞋", k=10, transcript_ids={"t-shoe"})
    assert [cid for cid, _ in hits] == ["c3"]
    assert index.search("焊接", k=10, transcript_ids=set()) == []


def test_index_survives_reopening_and_removal_persists(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.add(DOCS)
    index.remove(lambda d: d.transcript_id == "t-weld")
    reopened = LexicalIndex(tmp_path / "bm25")
    assert reopened.ids() == {"c3", "c4"}
    assert reopened.search("顾客试鞋", k=1)[0][0] == "c3"
    # only the current version is kept on disk
    assert sorted(p.name for p in (tmp_path / "bm25").iterdir() if p.is_dir()) == [
        (tmp_path / "bm25" / "CURRENT").read_text()]


def test_a_reader_sees_what_another_writer_added(tmp_path):
    reader = LexicalIndex(tmp_path / "bm25")
    writer = LexicalIndex(tmp_path / "bm25")
    writer.add(DOCS[:1])
    reader.refresh()
    assert reader.ids() == {"c1"}


def test_empty_index_and_unknown_words_return_nothing(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    assert index.search("预热", k=5) == []
    index.add(DOCS)
    assert index.search("量子纠缠", k=5) == []
    assert index.search("", k=5) == []


def test_known_terms_are_the_words_some_chunk_writes_and_follow_removals(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    assert index.known_terms(["预热"]) == set()
    index.add(DOCS)
    # 钨极 and 脚后跟 are written out; 叉车 nowhere; "Tool" matches "tool" whatever the case
    assert index.known_terms(["钨极", "脚后跟", "叉车", "Tool"]) == {"钨极", "脚后跟", "Tool"}
    reader = LexicalIndex(tmp_path / "bm25")  # another process sees the same vocabulary
    assert reader.known_terms(["坡口", "电瓶"]) == {"坡口"}
    index.remove(lambda d: d.transcript_id == "t-shoe")
    reader.refresh()
    assert reader.known_terms(["脚后跟", "钨极"]) == {"钨极"}
