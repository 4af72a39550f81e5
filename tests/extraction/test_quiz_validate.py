"""Quiz items come from the master's words and the validators catch what does not."""

from __future__ import annotations

import pytest
from drafting_kit import corpus

from extraction.offline_engine import build_offline_draft
from extraction.quiz import BLANK
from extraction.units import quantities
from extraction.validate import SourceText, supported, validate_draft


@pytest.fixture(scope="module")
def welding():
    t, chunks = corpus("welding_tig_mig_zh_gbk.txt")
    return build_offline_draft([t], {t.id: chunks})


def test_every_item_is_valid_supported_and_quotes_the_transcript(welding):
    quiz, text = welding.draft.quiz, welding.sources["t1"].text
    assert len(quiz) >= 6
    assert {q.type for q in quiz} >= {"single_choice", "true_false"}
    assert len({q.stem for q in quiz}) == len(quiz)
    for q in quiz:
        assert q.flags == [], (q.id, q.flags)
        assert supported(q)
        assert q.citations and all(text[c.start:c.end] == c.quote for c in q.citations)
        assert q.explanation and q.difficulty and q.bloom and q.skills


def test_number_cloze_distractors_are_other_numbers_with_the_same_unit(welding):
    numbers = [q for q in welding.draft.quiz if q.type == "single_choice" and BLANK in q.stem and quantities(q.answer[0])]
    assert numbers
    for q in numbers:
        unit = quantities(q.answer[0])[0][2]
        assert len(q.answer) == 1 and len(set(q.options)) == len(q.options) >= 3
        assert all(quantities(o) and quantities(o)[0][2] == unit for o in q.options)
        assert all(o not in q.citations[0].quote for o in q.options if o not in q.answer)


def test_a_false_statement_differs_from_the_quote_it_cites(welding):
    false = [q for q in welding.draft.quiz if q.type == "true_false" and q.answer == ["false"]]
    assert false
    for q in false:
        assert q.citations[0].quote not in q.stem


def test_validators_flag_broken_items_and_repair_moved_quotes(welding):
    draft = welding.draft.model_copy(deep=True)
    sources = {"t1": SourceText(welding.sources["t1"].transcript, welding.sources["t1"].chunks)}
    single = next(q for q in draft.quiz if q.type == "single_choice")
    single.answer = single.options[:2]  # two keys
    tf = next(q for q in draft.quiz if q.type == "true_false")
    tf.citations[0].quote = "这句话师傅从来没说过。"  # not verbatim
    dup = draft.quiz[-1].model_copy(deep=True)
    dup.id = "copy"
    draft.quiz.append(dup)
    point = draft.modules[0].lessons[0].points[0]
    good = point.citations[0].model_copy()
    point.citations[0].start += 1  # a shifted span: repaired from the verbatim quote
    point.citations[0].end += 1
    draft.modules[0].lessons.append(draft.modules[0].lessons[0].model_copy(update={"points": [], "title": "空"}))
    report = validate_draft(draft, sources)
    assert "single choice needs exactly one key" in single.flags
    assert "quote is not verbatim in the transcript" in tf.flags
    assert any(f.startswith("duplicate of") for f in dup.flags)
    assert point.citations[0].start == good.start and point.flags == []
    assert draft.modules[0].lessons[-1].flags == ["empty lesson"]
    assert report.repaired >= 1 and report.flagged_items >= 3 and not report.ok
    # nothing was dropped
    assert len(draft.quiz) == len(welding.draft.quiz) + 1


def test_an_answer_the_quote_does_not_say_is_unsupported(welding):
    item = next(q for q in welding.draft.quiz if q.type == "single_choice").model_copy(deep=True)
    wrong = next(o for o in item.options if o not in item.answer)
    item.answer = [wrong]
    assert not supported(item)
    report = validate_draft(welding.draft.model_copy(update={"quiz": [item]}, deep=True), welding.sources)
    assert report.flagged_items == 1


def test_same_input_gives_the_same_draft():
    t, chunks = corpus("welding_tig_mig_zh_gbk.txt")
    a = build_offline_draft([t], {t.id: chunks}).draft.model_dump()
    t2, chunks2 = corpus("welding_tig_mig_zh_gbk.txt")
    assert build_offline_draft([t2], {t2.id: chunks2}).draft.model_dump() == a
