"""A course from two masters of one trade says where they disagree."""

from __future__ import annotations

from drafting_kit import interview

from extraction.offline_engine import build_offline_draft

A = ["氩弧焊的钨极伸出喷嘴3毫米就够了，伸长了保护不好，焊缝会发黑。",
     "层间温度不能超过150度，焊完一层要等它凉下来，用测温枪测一下再焊下一层。",
     "收弧的时候一定要填满弧坑，滞后送气设5秒，让氩气把焊缝罩住。",
     "不锈钢焊缝发蓝说明氧化了，千万不要糊弄过去，必须打磨掉重焊。"]
B = ["我们车间钨极伸出喷嘴6毫米，角焊缝看得清楚，保护气流量给大一点就行。",
     "层间温度我们控制在100度以下，测温枪每层都要测，不测不许焊下一层。",
     "滞后送气我一般设8秒，管子细的时候更要多罩一会儿，不然焊缝会氧化。",
     "打底焊的时候先点焊四个点固定，然后从下往上焊，不要一口气焊到头。"]


def _interview(expert, answers, tid):
    turns = []
    for a in answers:
        turns += [("问", "这个您是怎么做的？有什么讲究吗？"), (expert, a)]
    return interview(turns, title=f"{expert}谈氩弧焊", tid=tid, expert=expert)


def test_different_numbers_for_the_same_thing_are_laid_side_by_side():
    ta, ca = _interview("王师傅", A * 2, "ta")
    tb, cb = _interview("李师傅", B * 2, "tb")
    draft = build_offline_draft([ta, tb], {"ta": ca, "tb": cb}).draft
    assert [s.transcript_id for s in draft.sources] == ["ta", "tb"]
    assert draft.modules[-1].title == "师傅们说法不同的地方"
    points = draft.modules[-1].lessons[0].points
    assert points and all(p.kind == "disagreement" for p in points)
    both = [p for p in points if {c.transcript_id for c in p.citations} == {"ta", "tb"}]
    assert any("毫米" in p.text and "王师傅" in p.text and "李师傅" in p.text for p in both)
    assert "说法不同" in draft.modules[-1].lessons[0].content_md
