"""Context packing: whole chunks in ranking order, never a prompt over the token limit."""

from __future__ import annotations

import pytest

from prompts.budget import PromptTooLong, pack, prompt_tokens, truncate_to_tokens
from prompts.registry import render_template, shipped
from shifu.tokens import count_tokens

QA = shipped("qa")
CHUNKS = [f"第{i}段：焊缝发蓝一般是电流太大、焊速太慢，热输入过高，金属表面氧化了。" * 3 for i in range(30)]


def render_qa(texts: list[str]):
    sources = [{"n": n, "title": "焊工访谈", "speaker": "王师傅", "text": t} for n, t in enumerate(texts, 1)]
    return render_template(QA, {"question": "焊缝发蓝是什么原因？", "sources": sources})


@pytest.mark.parametrize("limit", [450, 800, 1500, 3000])
def test_packed_prompt_is_never_over_the_limit(limit: int) -> None:
    packed = pack(render_qa, CHUNKS, limit)
    assert packed.tokens == prompt_tokens(packed.prompt) <= limit
    n = len(packed.texts)
    assert n >= 1 and CHUNKS[0].startswith(packed.texts[0])  # the best chunk always goes in
    assert packed.texts[1:] == CHUNKS[1:n] and (packed.cut or packed.texts[0] == CHUNKS[0])  # whole, in order
    assert packed.dropped == len(CHUNKS) - len(packed.texts)
    bigger = pack(render_qa, CHUNKS, limit + 400)
    assert len(bigger.texts) > len(packed.texts)  # and the room is used


def test_everything_fits_when_there_is_room() -> None:
    packed = pack(render_qa, CHUNKS[:2], 3000)
    assert packed.texts == CHUNKS[:2] and packed.dropped == 0 and not packed.cut


def test_a_first_chunk_too_long_is_cut_not_dropped() -> None:
    huge = "热输入过高会让焊缝发蓝。" * 400
    packed = pack(render_qa, [huge, "短的一段"], 600)
    assert packed.cut and len(packed.texts) == 1 and huge.startswith(packed.texts[0])
    assert packed.tokens <= 600


def test_a_prompt_too_long_without_any_chunk_says_which_setting_to_raise() -> None:
    with pytest.raises(PromptTooLong, match="SHIFU_LLM_CONTEXT_TOKENS"):
        pack(render_qa, CHUNKS, 50)


def test_truncate_to_tokens_keeps_whole_characters() -> None:
    text = "焊缝发蓝是什么原因？" * 20
    cut = truncate_to_tokens(text, 17)
    assert text.startswith(cut) and count_tokens(cut) <= 17 < count_tokens(text[: len(cut) + 1])
    assert truncate_to_tokens(text, 0) == ""
