"""The demo corpus: every interview parses into a real conversation with a master."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.parse import is_transcript_name, parse_transcript

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and is_transcript_name(p.name))


def test_corpus_has_six_interviews_in_every_format_and_both_languages() -> None:
    assert len(FILES) >= 6
    assert {p.suffix for p in FILES} >= {".txt", ".docx", ".srt", ".json", ".vtt", ".md"}
    languages = [parse_transcript(p.read_bytes(), p.name).language for p in FILES]
    assert languages.count("zh") >= 4 and languages.count("en") >= 2
    gbk = next(p for p in FILES if p.name.endswith("_gbk.txt")).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # the demo really is a GBK file
    utf16 = next(p for p in FILES if p.name.endswith("_utf16.txt")).read_bytes()
    assert utf16.startswith(b"\xff\xfe")  # and this one is what Notepad calls "Unicode"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_corpus_file_is_a_substantial_interview_with_an_expert(path: Path) -> None:
    t = parse_transcript(path.read_bytes(), path.name)
    assert len(t.turns) >= 10
    assert t.expert and t.title
    roles = {turn.role for turn in t.turns}
    assert roles == {"interviewer", "expert"}
    size = len(t.text) if t.language == "zh" else len(t.text.split())
    assert size >= (2300 if t.language == "zh" else 1500)
    for turn in t.turns:
        assert t.text[turn.char_start : turn.char_end] == turn.text
    if path.suffix in {".srt", ".vtt", ".json"}:
        assert all(turn.start is not None for turn in t.turns)


def test_welding_interview_answers_why_the_weld_turns_blue() -> None:
    path = next(p for p in FILES if "welding" in p.name)
    t = parse_transcript(path.read_bytes(), path.name)
    asked = next(i for i, turn in enumerate(t.turns) if "焊缝发蓝是什么原因" in turn.text)
    answer = t.turns[asked + 1]
    assert answer.role == "expert" and "氧化" in answer.text and "保护气" in answer.text
