"""The hybrid index on a real Chroma store and real BM25 files in a temp SHIFU_HOME."""

from __future__ import annotations

import pytest

from rag.index import HybridIndex
from shifu.errors import ConfigError
from shifu.models import Chunk
from shifu.settings import load_settings

WELD = [
    "问：焊接前要做什么准备？\n张师傅：先把坡口打磨干净，油污锈迹都要去掉，再预热到一百五十度，不然容易出气孔。",
    "问：氩弧焊有什么诀窍？\n张师傅：钨极要磨尖，电流别开太大，焊枪角度保持七十度左右。",
    "问：焊完怎么检查？\n张师傅：先看焊缝表面有没有咬边和裂纹，重要的焊缝还要做超声波探伤。",
]
SHOES = [
    "问：顾客试鞋时注意什么？\n李店长：让顾客站起来走两步，看脚后跟是否打滑，脚趾前面留一指宽。",
    "问：怎么处理退换货？\n李店长：先道歉，再看小票和鞋底磨损，没穿过的七天内直接换。",
]
CNC = [
    "Interviewer: What do you check before the first cut?\nMiller: The tool offset. A wrong offset breaks the insert "
    "and can scrap the part, so I touch off every tool after a change.",
    "Interviewer: How do you know a tool is worn?\nMiller: Listen to the spindle. A dull insert squeals, and the "
    "chips turn blue because of the heat.",
]


def chunks(transcript_id: str, texts: list[str], timed: bool = False) -> list[Chunk]:
    return [Chunk(id=f"{transcript_id}-{i}", transcript_id=transcript_id, ord=i, text=t,
                  speakers=["问", t.split("\n")[1].split("：")[0]], char_start=0, char_end=len(t),
                  t_start=float(i * 60) if timed else None, t_end=float(i * 60 + 59) if timed else None)
            for i, t in enumerate(texts)]


@pytest.fixture
def index(settings):
    idx = HybridIndex(settings)
    idx.add(chunks("weld", WELD, timed=True), transcript_titles={"weld": "张师傅谈焊接"})
    idx.add(chunks("shoes", SHOES))
    idx.add(chunks("cnc", CNC))
    yield idx
    idx.close()


def top(idx: HybridIndex, query: str, **kw) -> str:
    return idx.search(query, k=3, **kw)[0][0]


def test_a_question_finds_the_chunk_that_answers_it(index):
    assert top(index, "焊接前工件要预热到多少度？") == "weld-0"
    assert top(index, "钨极要怎么处理") == "weld-1"
    assert top(index, "顾客试鞋的时候看什么") == "shoes-0"
    assert top(index, "how to tell the insert is worn") == "cnc-1"
    assert top(index, "tool offset before cutting") == "cnc-0"


def test_results_are_ranked_best_first_without_duplicates(index):
    hits = index.search("焊缝检查 探伤", k=10)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({cid for cid, _ in hits}) == len(hits) == 7


def test_transcript_filter_never_leaks_other_transcripts(index):
    for query in ["焊接前要预热吗", "tool offset", "顾客试鞋", "检查", "xyz"]:
        for allowed in [{"shoes"}, {"cnc"}, {"weld", "cnc"}]:
            hits = index.search(query, k=10, transcript_ids=allowed)
            assert all(cid.split("-")[0] in allowed for cid, _ in hits)
            dense = index.search_dense(query, k=10, transcript_ids=allowed)
            assert dense and all(cid.split("-")[0] in allowed for cid, _ in dense)
    # the best chunk is withheld, the best allowed one still comes first
    assert top(index, "焊接前工件要预热到多少度？", transcript_ids={"weld"}) == "weld-0"
    assert top(index, "顾客试鞋的时候看什么", transcript_ids={"shoes", "cnc"}) == "shoes-0"
    assert index.search("焊接", k=10, transcript_ids=set()) == []
    assert index.search("焊接", k=10, transcript_ids={"no-such-transcript"}) == []


def test_removing_a_transcript_removes_it_from_chroma_and_bm25(index):
    index.remove_transcript("weld")
    assert index.chroma_ids() == index.bm25_ids() == {"shoes-0", "shoes-1", "cnc-0", "cnc-1"}
    assert all(not cid.startswith("weld") for cid, _ in index.search("焊接前预热", k=10))


def test_adding_the_same_chunks_again_replaces_them(index):
    index.add(chunks("shoes", SHOES))
    assert len(index.chroma_ids()) == len(index.bm25_ids()) == 7


def test_chunk_metadata_is_stored_with_the_vector(index):
    got = index.collection.get(ids=["weld-1"], include=["metadatas"])["metadatas"][0]
    assert got["transcript_id"] == "weld" and got["ord"] == 1
    assert got["t_start"] == 60.0 and got["t_end"] == 119.0
    assert got["speakers"] == "问, 张师傅" and got["title"] == "张师傅谈焊接"
    assert "t_start" not in index.collection.get(ids=["cnc-0"], include=["metadatas"])["metadatas"][0]


def test_reopening_from_disk_finds_the_same(index, settings):
    before = index.search("焊完怎么检查焊缝", k=5)
    with HybridIndex(load_settings()) as reopened:
        assert reopened.search("焊完怎么检查焊缝", k=5) == before
        assert reopened.chroma_ids() == reopened.bm25_ids() == index.chroma_ids()


def test_an_index_built_with_other_embeddings_is_refused(index):
    class Other:
        name = "openai:text-embedding-3-small"

        def embed(self, texts):
            raise AssertionError("never called")

    with pytest.raises(ConfigError, match="SHIFU_EMBEDDINGS"), HybridIndex(load_settings(), embedder=Other()) as other:
        other.search("焊接", k=1)


def test_empty_index_and_empty_query_return_nothing(settings, index):
    with HybridIndex(settings, name="empty-one") as empty:
        assert empty.search("焊接", k=5) == []
    assert index.search("   ", k=5) == []


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` server on a free port, for SHIFU_CHROMA_URL."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    proc = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_chroma_server_from_shifu_chroma_url_works_the_same(chroma_server, monkeypatch, shifu_home):
    monkeypatch.setenv("SHIFU_CHROMA_URL", chroma_server)
    with HybridIndex(load_settings()) as idx:
        idx.add(chunks("weld", WELD) + chunks("shoes", SHOES))
        assert top(idx, "焊接前工件要预热到多少度？") == "weld-0"
        assert all(cid.startswith("shoes") for cid, _ in idx.search("预热", k=5, transcript_ids={"shoes"}))
        idx.remove_transcript("weld")
        assert idx.chroma_ids() == idx.bm25_ids() == {"shoes-0", "shoes-1"}
    assert not (shifu_home / "chroma").exists()  # nothing went to the embedded store


def test_searches_from_several_threads_agree_with_one_thread(index):
    from concurrent.futures import ThreadPoolExecutor

    queries = ["焊接前要预热吗", "tool offset", "顾客试鞋", "退换货怎么办", "钨极", "chips turn blue"] * 3
    alone = [index.search(q, k=3) for q in queries]
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(lambda q: index.search(q, k=3), queries))
    assert [[cid for cid, _ in hits] for hits in together] == [[cid for cid, _ in hits] for hits in alone]
