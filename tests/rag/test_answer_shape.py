"""Where an answer starts and stops, as a worker reads it: never on the tail of a sentence, never
running into the interviewer's next question, and — in a transcript recognised without punctuation —
ending where the master's line ends. Real library of the project's speech-recognised kitchen interview
(bench/trust/interviews) and the lineman's; questions written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import library_settings

from rag.answer import answer_question
from rag.catalog import get_transcript
from rag.evaluate_chat import ends_mid_sentence
from rag.ingest import ingest_file
from rag.sentences import whole_sentences, without_dangling_lead_in, without_note_lines
from shifu.context import Context

ROOT = Path(__file__).resolve().parents[2]
KITCHEN = ROOT / "bench" / "trust" / "interviews" / "kitchen_gas_knife_zh.txt"


def test_an_answer_never_opens_on_the_tail_of_a_sentence_it_cannot_take_whole():
    text = "然后看是不是射胶压力太高，或者V/P切换太晚。最后才看锁模力。锁模力按投影面积估算，每平方厘米三四百公斤。"
    tail = text.index("或者")
    start, end = whole_sentences(text, tail, len(text), limit=len(text) - tail, speech=True)
    assert text[start:end].startswith("最后才看锁模力。") and end == len(text)
    # a sentence that fits whole is taken whole, as before
    assert whole_sentences(text, tail, len(text), limit=len(text), speech=True)[0] == 0
    # written text (an encyclopaedia's long sentences) keeps its clause
    assert whole_sentences(text, tail, len(text), limit=len(text) - tail)[0] == tail


def test_a_second_part_from_speech_starts_at_its_sentence():
    from rag.answer import _sentence_start

    text = "电动的看电瓶。起步前先按喇叭，前后左右都看一眼，再慢慢松刹车。电动车扭力上来快。"
    clause = text.index("前后")
    assert _sentence_start(text, clause, room=40) == text.index("起步前")  # the whole sentence fits
    assert _sentence_start(text, clause, room=10) == text.index("电动车扭力")  # it does not: the next one


def test_an_answer_quotes_the_master_not_the_transcribers_note():
    text = "蒸笼布要先浸湿拧干再铺，干布会粘底。\n（中间有人进来找师傅说事，约两分钟）\n"
    start, end = without_note_lines(text, 0, len(text))
    assert text[start:end] == "蒸笼布要先浸湿拧干再铺，干布会粘底。"


@pytest.mark.parametrize("text, kept", [
    ("It reads 41, so it's out of spec. The compressor hums. But here's the safety part.",
     "It reads 41, so it's out of spec. The compressor hums."),
    ("先看余料，再看保压。还有一条要注意：", "先看余料，再看保压。"),
    ("先看余料。再看保压。", "先看余料。再看保压。"),
])
def test_an_answer_does_not_stop_on_a_lead_in_to_what_it_leaves_out(text, kept):
    assert text[: without_dangling_lead_in(text, 0, len(text))] == kept


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("answer-shape")))
    result = ingest_file(ctx, KITCHEN)
    assert result.ok, result.error
    return ctx, get_transcript(ctx, result.transcript_id).text


@pytest.mark.parametrize("question", ["土豆丝一般切多粗？", "磨刀的时候刀跟磨刀石要斜多少度？"])
def test_a_speech_recognised_answer_ends_with_the_masters_line_not_the_next_question(kitchen, question):
    ctx, text = kitchen
    answer = answer_question(ctx, question)
    assert answer.covered, answer.answer
    assert not ends_mid_sentence(answer), answer.answer
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote  # the citation stays verbatim; only the answer shows the stop
        assert text[c.end :].startswith("\n") or c.end == len(text.rstrip()), c.quote[-30:]
    asked = [line for line in text.splitlines() if line.endswith("呢") or "怎么" in line]
    assert not any(line and line in answer.answer for line in asked)  # no interviewer's question inside


def test_another_trades_interview_does_not_back_the_answer() -> None:
    from rag.answer import offline_answer
    from shifu.models import Chunk, SearchHit

    def hit(i: int, text: str, score: float) -> SearchHit:
        return SearchHit(chunk=Chunk(id=f"c{i}", transcript_id=f"t{i}", ord=0, text=text, speakers=["师傅"],
                                     char_start=0, char_end=len(text)), score=score, rank=i + 1, transcript_title=f"访谈{i}")

    hits = [hit(0, "氩弧焊的氩气流量一般8到12升每分钟，小了保护不住，大了反而把空气卷进来。", 1.0),
            hit(1, "叉车液压油的流量开大了，货叉就抖，一般开到一半就合适，流量不对得先查油泵。", 0.9)]
    answer = offline_answer("氩弧焊的氩气流量开多少合适？", hits)
    assert answer.covered and "8到12升" in answer.answer
    # The forklift master says 流量, 开 and 合适 too, but not a word about argon welding.
    assert {c.transcript_id for c in answer.citations} == {"t0"}
