"""Chunking: a question stays with its answer, long answers split at sentence ends, spans exact."""

from __future__ import annotations

from rag.chunk import chunk_transcript
from shifu.models import Transcript, Turn


def _transcript(*turns: tuple[str, str, str], times: bool = False) -> Transcript:
    out = []
    for i, (speaker, role, text) in enumerate(turns):
        start, end = (i * 10.0, i * 10.0 + 9.0) if times else (None, None)
        out.append(Turn(index=i, speaker=speaker, role=role, text=text, start=start, end=end))  # type: ignore[arg-type]
    return Transcript(id="t-test", title="焊接访谈", turns=out)


WELDING = _transcript(
    ("问", "interviewer", "张师傅，焊接前您第一件事检查什么？"),
    ("张师傅", "expert", "先看气瓶和减压阀有没有漏气。用肥皂水抹一圈接头，冒泡就是漏了，绝对不能开焊。"),
    ("问", "interviewer", "焊缝出现气孔一般是什么原因？"),
    ("张师傅", "expert", "多半是焊条受潮了。焊条用之前要在烘箱里烘干，三百五十度烘一个小时。"),
    times=True,
)


def test_every_chunk_is_an_exact_span_of_the_text() -> None:
    long_answer = "".join(f"第{i}步要把工件夹紧，再检查一遍角度。" for i in range(80))
    t = _transcript(("问", "interviewer", "装夹有什么讲究？"), ("李师傅", "expert", long_answer),
                    ("Q", "interviewer", "And in English?"), ("Li", "expert", "Clamp it tight. Check the angle! Then weld? Yes. " * 40))
    chunks = chunk_transcript(t, chunk_tokens=120, overlap=20)
    assert len(chunks) > 4
    for c in chunks:
        assert c.text == t.text[c.char_start:c.char_end]
        assert c.text == c.text.strip()
        assert c.n_tokens <= 120
    assert [c.ord for c in chunks] == list(range(len(chunks)))


def test_question_stays_with_its_answer() -> None:
    chunks = chunk_transcript(WELDING, chunk_tokens=150, overlap=0)
    first = next(c for c in chunks if "第一件事" in c.text)
    assert "肥皂水" in first.text
    assert first.speakers == ["问", "张师傅"]
    assert not any("第一件事" in c.text and "烘箱" in c.text for c in chunks)


def test_long_answer_splits_at_sentence_ends_with_overlap() -> None:
    sentences = [f"第{i}条经验是焊前一定要清理坡口的油污和铁锈。" for i in range(60)]
    t = _transcript(("问", "interviewer", "还有什么经验？"), ("张师傅", "expert", "".join(sentences)))
    chunks = chunk_transcript(t, chunk_tokens=100, overlap=40)
    assert len(chunks) >= 5
    for c in chunks[:-1]:
        assert c.text.endswith("。")  # never cut inside a sentence
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.char_start < a.char_end  # consecutive pieces share a sentence
    no_overlap = chunk_transcript(t, chunk_tokens=100, overlap=0)
    assert all(b.char_start > a.char_end - 1 for a, b in zip(no_overlap, no_overlap[1:], strict=False))


def test_english_sentences_split_at_full_stops() -> None:
    answer = " ".join(f"Rule {i} is to purge the torch before you strike an arc." for i in range(50))
    t = _transcript(("Interviewer", "interviewer", "Any rules?"), ("Thompson", "expert", answer))
    chunks = chunk_transcript(t, chunk_tokens=80, overlap=15)
    assert len(chunks) > 3
    assert all(c.text.endswith(".") for c in chunks)


def test_unpunctuated_speech_is_still_cut_to_size() -> None:
    t = _transcript(("王师傅", "expert", "这个东西你要慢慢来" * 300))
    chunks = chunk_transcript(t, chunk_tokens=50, overlap=0)
    assert len(chunks) > 10
    assert all(c.n_tokens <= 50 for c in chunks)
    assert "".join(c.text for c in chunks) == t.text


def test_timestamps_and_ids_are_stable() -> None:
    a = chunk_transcript(WELDING)
    b = chunk_transcript(WELDING.model_copy(deep=True))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert a[0].t_start == 0.0 and a[-1].t_end == 39.0
    other = chunk_transcript(WELDING.model_copy(update={"id": "t-other"}))
    assert not {c.id for c in a} & {c.id for c in other}


def test_small_exchanges_join_a_neighbour() -> None:
    t = _transcript(("问", "interviewer", "您好。"), ("张师傅", "expert", "你好。"),
                    ("问", "interviewer", "先说说您干了多少年？"), ("张师傅", "expert", "干了二十年了，一直在车间。"))
    chunks = chunk_transcript(t)
    assert len(chunks) == 1
    assert chunks[0].text == t.text


def test_chunk_size_is_configurable() -> None:
    answer = "".join(f"第{i}点：电流调到一百二十安。" for i in range(100))
    t = _transcript(("问", "interviewer", "电流怎么调？"), ("张师傅", "expert", answer))
    assert len(chunk_transcript(t, chunk_tokens=100)) > len(chunk_transcript(t, chunk_tokens=400))
