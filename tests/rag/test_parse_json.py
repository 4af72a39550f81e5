"""The shifu JSON transcript format: the documented shape works, anything else names the bad field."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rag.parse import parse_transcript
from shifu.errors import TranscriptError

DOC = {
    "title": "Test, ground, then work",
    "language": "en",
    "expert": {"name": "Tom Becker", "trade": "Electrical lineman", "enterprise": "Northern Valley Co-op", "years": 31, "title": "Crew foreman"},
    "turns": [
        {"speaker": "Sarah", "text": "What do you teach first?", "start": 0.0, "end": 3.5},
        {"speaker": "Tom", "text": "Test before you touch, every time.", "start": 4.0, "end": 9.0},
        {"speaker": "Sarah", "text": "And then?", "role": "interviewer"},
        {"speaker": "Tom", "text": "Ground it, ground end first.", "role": "other"},
    ],
}


def _parse(doc: object, **kwargs):
    return parse_transcript(json.dumps(doc, ensure_ascii=False).encode(), "lineman.json", **kwargs)


def test_documented_shape_parses_with_times_metadata_and_roles() -> None:
    t = _parse(DOC)
    assert (t.title, t.language, t.expert, t.trade, t.enterprise) == (
        "Test, ground, then work", "en", "Tom Becker", "Electrical lineman", "Northern Valley Co-op")
    assert [(x.speaker, x.start, x.end) for x in t.turns[:2]] == [("Sarah", 0.0, 3.5), ("Tom", 4.0, 9.0)]
    # An explicit role wins over inference; the others are inferred (Tom is the expert by name).
    assert [x.role for x in t.turns] == ["interviewer", "expert", "interviewer", "other"]
    for turn in t.turns:
        assert t.text[turn.char_start : turn.char_end] == turn.text


def test_minimal_shape_title_and_turns_only() -> None:
    t = _parse({"title": "焊工访谈", "turns": [{"speaker": "问", "text": "焊缝发蓝怎么办？"}, {"speaker": "张师傅", "text": "加大氩气保护。"}],
                "date": "2024-03-12"})
    assert t.language == "zh" and t.expert == "张师傅" and t.interview_date == date(2024, 3, 12)


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ([{"speaker": "A", "text": "x"}], "not a list"),
        ({"turns": [{"speaker": "A", "text": "x"}]}, "title is missing"),
        ({"title": "t", "turns": []}, "turns"),
        ({"title": "t", "turns": [{"speaker": "A"}]}, "turns[0].text is missing"),
        ({"title": "t", "turns": [{"speaker": "A", "text": "  "}]}, "turns[0].text"),
        ({"title": "t", "turns": [{"speaker": "A", "text": "x", "role": "boss"}]}, "turns[0].role"),
        ({"title": "t", "turns": [{"speaker": "A", "text": "x", "start": 5, "end": 2}]}, "turns[0]"),
        ({"title": "t", "language": "fr", "turns": [{"speaker": "A", "text": "x"}]}, "language"),
        ({"title": "t", "expert": {"name": "A", "age": 50}, "turns": [{"speaker": "A", "text": "x"}]}, "expert.age is not a field"),
        ({"title": "t", "utterances": [], "turns": [{"speaker": "A", "text": "x"}]}, "utterances is not a field"),
    ],
)
def test_json_not_in_the_format_names_the_wrong_field(doc: object, field: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        _parse(doc)
    message = str(caught.value)
    assert "lineman.json" in message and field in message and "corpus/FORMAT.md" in message


def test_invalid_json_says_where() -> None:
    with pytest.raises(TranscriptError, match=r"lineman.json is not valid JSON \(line 2"):
        parse_transcript(b'{"title": "t",\n "turns": [}', "lineman.json")
