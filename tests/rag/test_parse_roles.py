"""Who is the master: name matching, questions, and the third voice in the room."""

from __future__ import annotations

import pytest

from rag.parse import parse_transcript
from rag.roles import is_question, match_speaker


@pytest.mark.parametrize(
    ("name", "labels", "found"),
    [
        ("张建国", ["问", "张师傅"], "张师傅"),
        ("张建国（高级技师）", ["记者", "老张"], "老张"),
        ("李志强", ["问", "李工"], "李工"),
        ("Mike Thompson", ["MSM", "Thompson"], "Thompson"),
        ("thompson", ["MSM", "Thompson"], "Thompson"),
        ("王五", ["问", "张师傅"], None),
    ],
)
def test_match_speaker_finds_the_master_under_the_name_people_call_him(name: str, labels: list[str], found: str | None) -> None:
    assert match_speaker(name, labels) == found


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("焊缝发蓝是什么原因？", True),
        ("要预热吗", True),
        ("那怎么办", True),
        ("How do you set the gaffs", True),
        ("这个怎么说呢，我干了三十年，焊缝颜色一看就知道热输入大不大，保护气够不够，没什么神秘的，就是多看多练多总结。", False),
        ("Test before you touch, every time.", False),
    ],
)
def test_is_question(text: str, asks: bool) -> None:
    assert is_question(text) is asks


def test_third_speaker_who_chimes_in_is_other_and_the_apprentice_who_asks_is_interviewer() -> None:
    data = """记者：张师傅，焊前为什么要预热？
张师傅：中碳钢容易淬硬，焊完冷得快就裂，所以要预热到一百五十度以上，厚板冬天也要预热，预热范围是坡口两侧各不少于板厚三倍。
小王：对。
记者：预热温度怎么测？
张师傅：用测温笔或者红外测温枪，不要凭手感，手感差几十度很正常，焊完厚件还要用石棉被盖上缓冷，不然一样裂。
小王：好的。
"""
    t = parse_transcript(data.encode(), "panel.txt")
    assert {x.speaker: x.role for x in t.turns} == {"记者": "interviewer", "张师傅": "expert", "小王": "other"}
