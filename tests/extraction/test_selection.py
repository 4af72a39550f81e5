"""Selection of the masters' know-how: the budget, joining whole points, warnings kept, and (when the
bench is present) drafts of interviews nobody here wrote scored against outside references."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
from drafting_kit import KNOWHOW, interview, needs_knowhow

from extraction.evaluate_knowhow import (
    bigram_f1,
    find_cases,
    locate,
    matches,
    norm,
    score_course,
    scoring_text,
)
from extraction.segment import segment_transcript
from extraction.selection import choose, companions, passages, select_units, weights
from extraction.units import extract_units

ANSWERS = [
    "我是1998年进的厂，那时候还在老厂区，家里人都不太同意我干这一行。",
    "发面的水温一定要控制在三十五度左右，水太烫会把酵母烫死，面就发不起来了。",
    "酵母和盐不能直接放在一起，盐会杀酵母，要分开放在面粉的两边再加水。",
    "和面机转的时候千万别把手伸进去，去年隔壁店就有人被卷进去伤了手指。",
    "谢谢你们今天来，我们这边平时也挺忙的，难得有时间坐下来聊一聊。",
    "判断发好没有，用手指按一下，坑慢慢回弹一半就是正好，不回弹就是发过了。",
]


def _units():
    turns = []
    for a in ANSWERS:
        turns += [("问", "还有呢？"), ("王师傅", a)]
    t, chunks = interview(turns, title="发面")
    return t, chunks, extract_units(t, chunks, segment_transcript(t, None))


def test_biography_and_pleasantries_score_below_know_how():
    t, chunks, units = _units()
    sel = select_units(t, chunks, [u.model_copy() for u in units])
    score = {u.text[:6]: u.score for u in units}
    by_text = {u.text[:6]: u for u in [*sel.kept, *sel.left_out]}
    assert by_text["发面的水温一"].score > by_text["谢谢你们今天"].score
    assert by_text["酵母和盐不能"].score > by_text["我是1998"].score
    assert score  # every candidate was scored


def test_a_warning_is_never_dropped_silently():
    t, chunks, units = _units()
    sel = select_units(t, chunks, [u.model_copy() for u in units], cfg={**weights(), "min_points": 1,
                                                                          "max_per_10k": 0, "min_per_10k": 0})
    kept = [u for u in sel.kept if "千万" in u.text]
    left = [u for u in sel.left_out if "千万" in u.text]
    assert kept or (left and sel.left_out[0].kind == "warning")  # taught, or first in "more from this interview"


def test_everything_left_out_stays_for_review():
    t, chunks, units = _units()
    sel = select_units(t, chunks, [u.model_copy() for u in units], cfg={**weights(), "min_points": 2, "max_per_10k": 0})
    taught = "".join(u.text for u in sel.kept)
    left = {u.id for u in sel.left_out}
    assert all(u.text in taught or u.id in left for u in units)


def test_adjacent_sentences_of_one_turn_become_one_whole_point():
    turns = [("问", "模温怎么定？"), ("王师傅", "模温先按料的推荐值来定，不要自己乱改。PP一般放在四十度左右就可以了。模温太低了制品表面就会有流痕。")]
    t, chunks = interview(turns, title="注塑")
    units = extract_units(t, chunks, segment_transcript(t, None))
    groups = passages(t, units, list(range(len(units))), weights()["join_chars"])
    assert len(groups) == 1 and len(groups[0]) == len(units) >= 2


def test_a_list_keeps_its_header_and_an_effect_its_cause():
    turns = [("问", "新手常犯什么错？"), ("王师傅", "新手最常犯的错有这么三个。第一个是水温太高，酵母直接就被烫死了。"
                                   "面发不起来的时候不要急着加酵母。所以水温一定要先用手腕试一下再倒。")]
    t, chunks = interview(turns, title="发面")
    units = extract_units(t, chunks, segment_transcript(t, None))
    texts = [u.text[:4] for u in units]
    first, effect = texts.index("第一个是"), texts.index("水温一定")  # "所以" trimmed off the quote
    assert first - 1 in companions(t.text, units, [first])  # the header comes with the first item
    assert effect - 1 in companions(t.text, units, [effect])  # "所以…" comes with what it follows from


def test_the_budget_takes_the_best_first():
    t, chunks, units = _units()
    scores = np.linspace(0.1, 0.9, len(units))
    picked = choose(t, units, scores, {**weights(), "min_points": 2, "max_per_10k": 0, "keep_warning": 2.0,
                                       "join_chars": 0})
    rule = next(i for i, u in enumerate(units) if "千万别把手" in u.text)
    # the safety rule (hands kept out of the mixer) comes first, then the best: two points in all
    assert picked == [rule, len(units) - 1]


def test_a_safety_rule_is_taught_even_when_it_scores_lowest():
    t, chunks, units = _units()
    rule = next(i for i, u in enumerate(units) if "千万别把手" in u.text)
    scores = np.full(len(units), 0.9)
    scores[rule] = 0.0
    picked = choose(t, units, scores, {**weights(), "min_points": 1, "max_per_10k": 0, "keep_warning": 2.0})
    assert rule in picked


# --- the matching rule agrees with the bench's reference scorer -------------------------------


def test_matching_rule_on_a_small_case():
    text = norm("Aho: Always write the grammar first. Then the lexer follows.")
    a, b = locate("write the grammar first", text), locate("Always write the", text)
    assert a and b and matches(a, b)  # overlap is at least half of the shorter
    assert not matches(a, locate("the lexer follows", text))
    ref = {"items": [{"id": "k1", "importance": 3, "quotes": ["write the grammar first"]},
                     {"id": "k2", "importance": 1, "quotes": ["the lexer follows"]}]}
    got = score_course([["Always write the grammar first."]], [], ref, text)
    assert got["recall_weighted"] == 0.75 and got["recall_top"] == 1.0 and got["point_precision"] == 1.0


def test_title_f1_counts_shared_character_bigrams():
    assert bigram_f1("公链的瓶颈", "公链的瓶颈及问题") == 2 * 4 / (4 + 7)
    assert bigram_f1("Gotta", "公链") == 0.0


@needs_knowhow
# the bench's reference scorer (shared/bench/knowhow/score_knowhow.py) reads its JSON without closing the file
@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning",
                            "ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning")
def test_scores_agree_with_the_reference_scorer(tmp_path):
    spec = importlib.util.spec_from_file_location("score_knowhow", KNOWHOW / "score_knowhow.py")
    ref_scorer = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(ref_scorer)  # type: ignore[union-attr]
    case = next(c for c in find_cases(KNOWHOW) if c.name == "vcsum_32")
    turns = json.loads(case.transcript.read_text(encoding="utf-8"))["turns"]
    quotes = [turn["text"][:40] for turn in turns[::3]]
    course = {"modules": [{"lessons": [{"points": [{"citations": [{"quote": q}]} for q in quotes]}]}],
              "quiz": [{"citations": [{"quote": quotes[0]}]}]}
    text = scoring_text(case.transcript)
    theirs = ref_scorer.score(course, case.reference, ref_scorer.norm(ref_scorer.transcript_text(str(case.transcript))))
    ours = score_course([[q] for q in quotes], [[quotes[0]]], case.reference, text)
    assert {k: ours[k] for k in ours} == {k: theirs[k] for k in ours}


@needs_knowhow
def test_a_chinese_trade_interview_beats_the_longest_sentences(settings):
    from extraction.evaluate_knowhow import evaluate_case

    case = next(c for c in find_cases(KNOWHOW) if c.name == "dough_proofing")
    row = evaluate_case(case, settings)
    assert row["f1"] >= 1.2 * row["baseline_f1"] and row["point_precision"] >= 0.7
    assert row["quiz_on_knowhow"] >= 0.7


def test_a_short_sentence_grows_into_a_whole_explanation():
    from extraction.selection import whole

    turns = [("问", "面怎么判断发好了？"),
             ("王师傅", "先用手指在面团中间按一个小坑。坑慢慢回弹一半，这个面就是正好发到位了。"
                       "要是一点都不回弹，就是发过了，蒸出来的馒头会塌。我们店里的老师傅都是这么看的。")]
    t, chunks = interview(turns, title="发面")
    units = extract_units(t, chunks, segment_transcript(t, None))
    assert len(units) == 4
    scores = np.array([0.3, 0.9, 0.6, 0.1])
    assert whole(t.text, units, scores, 1, 0) == [1]
    # too short to teach alone: it takes its better neighbour first (the effect, not the finger), then the next
    assert whole(t.text, units, scores, 1, 30) == [1, 2]
    assert whole(t.text, units, scores, 1, 50) == [0, 1, 2]


def test_a_doubtful_point_is_kept_only_while_the_course_is_under_its_floor():
    t, chunks, units = _units()
    cfg = {**weights(), "min_points": 2, "min_per_10k": 0, "max_per_10k": 10000, "keep_warning": 2.0,
           "min_point_size": 0, "join_chars": 0}
    doubtful = choose(t, units, np.full(len(units), 0.2), cfg)
    sure = choose(t, units, np.full(len(units), 0.8), cfg)
    rule = next(i for i, u in enumerate(units) if "千万别把手" in u.text)
    assert rule in doubtful and len(doubtful) == 2  # the safety rule, then one more to reach the floor
    assert len(sure) == len(units)  # every point likely to hold know-how, up to the ceiling
