"""Selection on interviews nobody here wrote (skipped when ../shared is absent), and whole points that
span the cues of one speaker: what a trainer notices when a draft keeps or loses know-how."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from drafting_kit import BENCH, interview

from extraction.evaluate_knowhow import Case, decode, evaluate_case, find_cases
from extraction.offline_engine import build_offline_draft
from extraction.segment import segment_transcript
from extraction.selection import passages, select_units, weights
from extraction.units import extract_units

KNOWHOW = BENCH / "knowhow"
needs_bench = pytest.mark.skipif(not (KNOWHOW / "zh_trade").is_dir(), reason="bench data not present")

# every mark of punctuation a speech recogniser leaves out (the speaker's "问：" / "答：" stays: it names the turn)
_PUNCT = re.compile(r"[，。！？、；：“”‘’（）《》…—·,.!?;:()\"']")


def _unpunctuated(line: str) -> str:
    head = re.match(r"^\s*[^\s:：]{1,12}[:：]", line)
    cut = head.end() if head else 0
    return line[:cut] + _PUNCT.sub("", line[cut:])


def _asr_case(case: Case, folder: Path) -> Case:
    """The case as a speech recogniser would have written it: no punctuation, references stripped alike."""
    text = "\n".join(_unpunctuated(line) for line in decode(case.transcript.read_bytes()).splitlines())
    path = folder / case.transcript.name
    path.write_text(text, encoding="utf-8")
    reference = json.loads(json.dumps(case.reference))
    for item in reference["items"]:
        item["quotes"] = [_PUNCT.sub("", q) for q in item["quotes"]]
    return Case(case.collection, case.name, path, reference)


@needs_bench
def test_an_interview_without_punctuation_keeps_its_know_how(settings, tmp_path):
    case = next(c for c in find_cases(KNOWHOW) if c.name == "dough_proofing")
    punctuated = evaluate_case(case, settings)
    asr = evaluate_case(_asr_case(case, tmp_path), settings)
    # no collapse into a few giant points or a handful of fragments: know-how found about as well as with punctuation
    assert asr["points"] >= 0.5 * punctuated["points"]
    assert asr["f1"] >= 0.8 * punctuated["f1"] and asr["recall_weighted"] >= 0.7
    assert asr["point_precision"] >= 0.6


@needs_bench
@pytest.mark.parametrize("name", ["forklift", "injection_molding"])
def test_trade_interviews_beat_the_longest_sentences(settings, name):
    case = next(c for c in find_cases(KNOWHOW) if c.name == name)
    row = evaluate_case(case, settings)
    assert row["f1"] >= 1.2 * row["baseline_f1"] and row["point_precision"] >= 0.6
    assert row["quiz_on_knowhow"] >= 0.7


def test_cues_of_one_speaker_make_one_whole_point():
    # a subtitle file cuts one answer into cues; nobody spoke between them
    turns = [("问", "模温怎么定？"), ("王师傅", "模温先按料的推荐值来定，不要自己乱改。"),
             ("王师傅", "PP一般放在四十度左右就可以了，模温太低了制品表面就会有流痕。")]
    t, chunks = interview(turns, title="注塑")
    units = extract_units(t, chunks, segment_transcript(t, None))
    groups = passages(t, units, list(range(len(units))), weights()["join_chars"])
    assert len(groups) == 1
    kept = select_units(t, chunks, [u.model_copy() for u in units], cfg={**weights(), "min_points": 1}).kept
    joined = next(u for u in kept if len(u.citations) == 2)
    assert [c.quote for c in joined.citations] == [units[0].text, units[-1].text]
    assert joined.text.startswith("模温先按") and joined.text.endswith("流痕。")


def test_an_interruption_keeps_two_points_apart():
    turns = [("问", "模温怎么定？"), ("王师傅", "模温先按料的推荐值来定，不要自己乱改。"), ("问", "PP呢？"),
             ("王师傅", "PP一般放在四十度左右就可以了，模温太低了制品表面就会有流痕。")]
    t, chunks = interview(turns, title="注塑")
    units = extract_units(t, chunks, segment_transcript(t, None))
    assert len(passages(t, units, list(range(len(units))), weights()["join_chars"])) == 2


@needs_bench
def test_every_quiz_item_tests_a_taught_point():
    from rag.chunk import chunk_transcript
    from rag.parse import parse_transcript

    case = next(c for c in find_cases(KNOWHOW) if c.name == "injection_molding")
    t = parse_transcript(case.transcript.read_bytes(), case.transcript.name)
    t.id = "t1"
    draft = build_offline_draft([t], {t.id: chunk_transcript(t)}).draft
    taught = [(c.start, c.end) for m in draft.modules for lesson in m.lessons for p in lesson.points
              for c in p.citations]
    assert draft.quiz
    for item in draft.quiz:
        assert all(any(a <= c.start and c.end <= b for a, b in taught) for c in item.citations), item.stem


@needs_bench
@pytest.mark.parametrize("name", ["dough_proofing", "forklift", "injection_molding"])
def test_a_safety_rule_in_the_interview_is_taught(settings, name):
    from extraction.evaluate_knowhow import course_quotes, draft_case, locate, matches, scoring_text
    from extraction.selection import states_safety_rule

    case = next(c for c in find_cases(KNOWHOW) if c.name == name)
    text = scoring_text(case.transcript)
    rules = [q for item in case.reference["items"] for q in item["quotes"] if states_safety_rule(q)]
    assert rules  # each of these interviews states one (steam, hydrogen, hands in the mould)
    points, _ = course_quotes(draft_case(case, settings).draft)
    taught = [s for quotes in points for s in (locate(q, text) for q in quotes) if s]
    for rule in rules:
        span = locate(rule, text)
        assert span and any(matches(span, s) for s in taught), rule


def test_the_demo_welders_confined_space_rule_is_a_lesson_point():
    from drafting_kit import corpus

    t, chunks = corpus("welding_tig_mig_zh_gbk.txt")
    draft = build_offline_draft([t], {t.id: chunks}).draft
    points = [p.text for m in draft.modules for lesson in m.lessons for p in lesson.points]
    assert any("受限空间焊，必须先通风" in p for p in points)  # taught, not only in "more from this interview"


def test_what_makes_a_safety_rule():
    from extraction.selection import states_safety_rule

    assert states_safety_rule("充电间里严禁抽烟、严禁明火。")
    assert states_safety_rule("Never open the cylinder valve near an open flame.")
    assert not states_safety_rule("面团一定要揉到表面光滑。")  # a rule, but no danger in it
    assert not states_safety_rule("The fire was in 1975, I remember.")  # a danger, but no rule


def test_a_point_cut_by_a_chunk_border_stays_one_point():
    from extraction.selection import _join
    from shifu.models import Chunk

    turns = [("问", "模温怎么定？"), ("王师傅", "模温先按料的推荐值来定，不要自己乱改。PP一般放在四十度左右就可以了。"
                                   "模温太低了制品表面就会有流痕，太高了冷却时间就长。")]
    t, chunks = interview(turns, title="注塑")
    units = extract_units(t, chunks, segment_transcript(t, None))
    assert len(units) == 3
    border = units[2].citations[0].start  # the answer's third sentence opens a new chunk
    answer = t.turns[1]
    cut = [Chunk(id=f"c{n}", transcript_id=t.id, ord=n, text=t.text[a:b], char_start=a, char_end=b)
           for n, (a, b) in enumerate([(0, answer.char_start - 1), (answer.char_start, border),
                                       (border, answer.char_end)])]
    point = _join(t, cut, units)
    # one point a trainer reads whole, cited once on each side of the border
    assert len(point) == 1
    assert [c.quote for c in point[0].citations] == [t.text[units[0].citations[0].start:border], units[2].text]
    assert point[0].citations[0].chunk_id == "c1"


@needs_bench
def test_an_oral_history_teaches_know_how_and_quizzes_on_the_best_points(settings):
    from extraction.evaluate_knowhow import draft_case
    from extraction.selection import tells_a_story

    case = next(c for c in find_cases(KNOWHOW) if c.name == "thompson")
    row = evaluate_case(case, settings)
    # more than half the points are know-how a reader of the whole interview marked, well above the
    # longest sentences of the same count, and the core of the interview is taught
    assert row["point_precision"] >= 0.55 and row["f1"] >= 1.25 * row["baseline_f1"]
    assert row["recall_top"] >= 0.75
    draft = draft_case(case, settings).draft
    assert len(draft.quiz) >= 12
    points = [p for m in draft.modules for lesson in m.lessons for p in lesson.points]
    asked = [next(p for p in points if any(c.start <= item.citations[0].start < c.end for c in p.citations))
             for item in draft.quiz if len(item.citations) == 1]  # items on one point (not "which of these")
    assert len(asked) >= 6
    # one item per point; only when the points a quiz can check cannot fill it is a point asked about twice
    times = Counter(id(p) for p in asked)
    assert max(times.values()) <= 2 and len(times) >= 0.8 * len(asked)
    for point in asked:
        assert point.kind != "story" and not tells_a_story(point.text), point.text
