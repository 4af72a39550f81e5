"""Knowledge units: the master's sentences, classified by cue words, each cited verbatim."""

from __future__ import annotations

from drafting_kit import corpus, interview

from extraction.segment import segment_transcript
from extraction.units import classify, extract_units


def test_cue_words_decide_the_kind_in_chinese_and_english():
    assert classify("焊完千万别马上走，火星会阴燃起来。") == "warning"
    assert classify("氩气瓶压力低于1兆帕一定要换瓶。") == "rule"
    assert classify("先把坡口打磨干净，然后再点焊固定。") == "step"
    assert classify("钨极伸出喷嘴3到5毫米就可以了。") == "measurement"
    assert classify("所谓咬边，就是焊缝边上被电弧烧出的沟。") == "definition"
    assert classify("我的窍门是听声音，沙沙的声音最稳。") == "tip"
    assert classify("Never touch a conductor you have not tested yourself.") == "warning"
    assert classify("Make sure the grounds go on before anyone climbs.") == "rule"
    assert classify("First you test the line, then you hang the grounds.") == "step"
    assert classify("Keep the hot stick at least 10 feet from the line.") == "measurement"
    assert classify("We call that a back-feed, it means power coming in the wrong way.") == "definition"
    assert classify("I remember back in 1993 we had an ice storm.") == "story"
    assert classify("The co-op covers three counties.") == "fact"


def test_every_unit_quotes_the_master_verbatim_inside_its_chunk():
    t, chunks = corpus("welding_tig_mig_zh_gbk.txt")
    units = extract_units(t, chunks, segment_transcript(t))
    text = t.text
    by_id = {c.id: c for c in chunks}
    assert len(units) >= 20
    for u in units:
        (c,) = u.citations
        assert text[c.start:c.end] == c.quote == u.text
        chunk = by_id[c.chunk_id]
        assert chunk.char_start <= c.start < c.end <= chunk.char_end
        assert t.turns[u.turn_index].role == "expert"
    kinds = {u.kind for u in units}
    assert {"warning", "measurement", "rule"} <= kinds
    assert any("150度" in q for u in units for q in u.quantities)


def test_units_carry_timestamps_when_the_transcript_has_them():
    t, chunks = corpus("lineman_safety_en.json")
    units = extract_units(t, chunks, segment_transcript(t))
    assert units and all(u.citations[0].t_start is not None for u in units)
    assert any(u.kind == "warning" for u in units)


def test_interviewer_questions_never_become_units():
    t, chunks = interview([("问", "您觉得焊接电流一定要怎么调？千万别怎么做？请您详细说说这个问题吧。"),
                           ("张师傅", "薄板一般电流控制在每毫米板厚30到40安培，3毫米的板一百安培左右就够了。")])
    units = extract_units(t, chunks)
    assert [u.text for u in units] == ["薄板一般电流控制在每毫米板厚30到40安培，3毫米的板一百安培左右就够了。"]
    assert units[0].kind == "measurement"
