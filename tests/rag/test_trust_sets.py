"""The question sets of bench/trust/sets/ stand on their interviews: every interview a set names is
in bench/trust/interviews/ and parses, every covered question's quote is there word for word (all
whitespace ignored, as `shifu eval chat` compares quotes), and each set keeps the shape the
answerability data needs (both kinds of question, safety ones, off-topic ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.decode import decode_transcript_bytes
from rag.parse import parse_transcript

REPO = Path(__file__).resolve().parents[2]
INTERVIEWS = REPO / "bench" / "trust" / "interviews"
SETS = sorted((REPO / "bench" / "trust" / "sets").glob("*.json"))


def _flat(text: str) -> str:
    return "".join(text.split())


def _interview_texts(name: str) -> tuple[str, str]:
    """The file as decoded (how ../shared/bench/chat/README.md places a quote: inside one subtitle
    cue) and the turns the parser reads from it (what the chat indexes)."""
    path = INTERVIEWS / name
    assert path.is_file(), f"{name} is named by a question set but is not in bench/trust/interviews/"
    data = path.read_bytes()
    turns = parse_transcript(data, name).turns
    return _flat(decode_transcript_bytes(data, name)), _flat("\n".join(turn.text for turn in turns))


def test_every_interview_has_its_question_set() -> None:
    interviews = sorted(p.stem for p in INTERVIEWS.iterdir())
    assert interviews, "bench/trust/interviews/ is empty"
    assert interviews == [p.stem for p in SETS]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_covered_quote_is_in_its_interview(path: Path) -> None:
    questions = json.loads(path.read_text("utf-8"))["questions"]
    missing = []
    for item in questions:
        if item["covered"]:
            decoded, parsed = _interview_texts(item["source"])
            if _flat(item["quote"]) not in decoded or _flat(item["quote"]) not in parsed:
                missing.append(item["q"])
    assert not missing, f"quotes not found word for word in their interview: {missing}"


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_each_set_mixes_covered_near_topic_safety_and_off_topic(path: Path) -> None:
    questions = json.loads(path.read_text("utf-8"))["questions"]
    covered = [q for q in questions if q["covered"]]
    off_topic = [q for q in questions if not q["covered"] and q["note"].startswith("off-topic")]
    near = [q for q in questions if not q["covered"] and not q["note"].startswith("off-topic")]
    assert 20 <= len(questions) <= 24
    assert len(off_topic) == 3
    assert abs(len(covered) - len(near)) <= 4, "about half covered, half near-topic"
    assert sum(bool(q["safety"]) for q in questions) >= 0.4 * len(questions)
    assert all(q.get("note") for q in near), "a near-topic question says what is near and why it does not answer"
    assert len({q["q"] for q in questions}) == len(questions)


def test_the_bench_asks_every_question_over_a_library_holding_its_interview() -> None:
    from bench.trust_sets import SETS as BENCH_SETS
    from bench.trust_sets import library, questions

    items = questions(BENCH_SETS)
    names = {p.name for p in library()}
    assert len(items) == sum(len(json.loads(p.read_text("utf-8"))["questions"]) for p in SETS)
    assert {q["gold_transcript"] for q in items if q["covered"]} == {p.name for p in INTERVIEWS.iterdir()}
    assert {q["gold_transcript"] for q in items if q["covered"]} <= names
    assert {q["lang"] for q in items if q["id"].endswith("_en-1")} == {"en"}
    assert sum(q["note"].startswith("off-topic") for q in items) == 3 * len(SETS)
