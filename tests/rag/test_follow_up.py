"""The master's reply to the interviewer's follow-up is part of his answer (rag/follow_up.py): "说明书上写的是
两千小时换一次。" — "您觉得够吗？" — "我们这种灰大的库，一千小时就得换。" is one answer, not its first line."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import library_settings

from rag.answer import answer_question
from rag.follow_up import follow_up
from rag.ingest import ingest_file
from shifu.context import Context

ROOT = Path(__file__).resolve().parents[2]

ZH = "液压油多久换？\n说明书上写的是两千小时换一次。\n您觉得够吗？\n我们这种灰大的库，我觉得一千小时就得换。\n怎么判断该换了？\n抽一点出来看。"
EN = "How often do you change it?\nThe book says every two thousand hours.\nWhy is that?\nDust. In a dusty shop it goes black in half that.\n"


def _roles(text: str, asks: tuple[int, ...]):
    """role_at for a text whose lines numbered in `asks` are the interviewer's."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def role_at(at: int) -> str:
        line = max(n for n, s in enumerate(starts) if s <= at)
        return "interviewer" if line in asks else "expert"
    return role_at


def test_a_follow_up_brings_the_masters_next_reply() -> None:
    end = ZH.index("换一次。") + 4
    found = follow_up(ZH, end, _roles(ZH, (0, 2, 4)), "zh", room=200)
    assert found is not None
    asked, a, b = found
    assert asked == "您觉得够吗？" and ZH[a:b] == "我们这种灰大的库，我觉得一千小时就得换。"
    end = EN.index("hours.") + 6
    found = follow_up(EN, end, _roles(EN, (0, 2)), "en", room=200)
    assert found is not None and EN[found[1]:found[2]] == "Dust. In a dusty shop it goes black in half that."


def test_a_new_question_is_no_follow_up() -> None:
    end = ZH.index("就得换。") + 4
    # "怎么判断该换了？" asks something new: the answer stops where the master stopped
    assert follow_up(ZH, end, _roles(ZH, (0, 2, 4)), "zh", room=200) is None
    # the interviewer naming a thing of his own asks about that thing
    text = "说明书上写的是两千小时换一次。\n那机油呢？\n机油五百小时。"
    assert follow_up(text, text.index("\n"), _roles(text, (1,)), "zh", room=200) is None
    # a reply too long for the room left is not cut: it is left out
    end = ZH.index("换一次。") + 4
    assert follow_up(ZH, end, _roles(ZH, (0, 2, 4)), "zh", room=10) is None


@pytest.fixture(scope="module")
def pump_room(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Context:
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("follow-up")))
    for path in (ROOT / "tests" / "data" / "pump_room_zh.txt", ROOT / "corpus" / "welding_tig_mig_zh_gbk.txt"):
        assert ingest_file(ctx, path).ok
    return ctx


def test_the_chat_answers_with_the_reply_to_the_follow_up(pump_room: Context) -> None:
    # The master gives the manual's two years, then, asked "够吗？", his own one year for sandy water.
    answer = answer_question(pump_room, "我们这儿水里沙子多，机械密封还照说明书两年一换吗？")
    assert answer.covered
    assert answer.answer.startswith("厂家说明书上写的是两年换一次。（问：够吗？）我们这边河水沙子多，我觉得一年就得换")
    assert [c.quote for c in answer.citations[:2]] == [
        "厂家说明书上写的是两年换一次。", "我们这边河水沙子多，我觉得一年就得换，沙子把动环静环磨花了就开始漏。"]
