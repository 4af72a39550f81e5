"""English 'not covered': a worker's off-topic question gets the honest answer and becomes a
knowledge gap; real questions about the interviews keep their cited answers.

Real library (SQLite + Chroma + BM25 in a temp dir) holding the English demo interviews of
corpus/ and one Chinese one; questions come from tests/rag/coverage_en_questions.json, the
set the English rule in rag/answer.py was calibrated on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backends import library_settings

from rag.answer import NOT_COVERED, SAFETY_NOTE, answer_question
from rag.answerability import is_safety_question, judged
from rag.catalog import get_transcript
from rag.coverage import english_coverage
from rag.gaps import list_gaps
from rag.ingest import ingest_file
from rag.sentences import english_words
from shifu.context import Context
from shifu.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = json.loads((Path(__file__).with_name("coverage_en_questions.json")).read_text("utf-8"))["questions"]
DEMO = {"hvac": "hvac_service_en.vtt", "lineman": "lineman_safety_en.json"}
ON_TOPIC = [x for x in QUESTIONS if x["covered"] and x["source"] in DEMO]
OFF_TOPIC = [x["q"] for x in QUESTIONS if x.get("kind") == "off-topic"]
ORAL_HISTORY = ROOT.parent / "shared" / "bench" / "oral_history_en" / "thompson.txt"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """The English demo interviews plus the Chinese welding one, ingested for real."""
    settings = library_settings(request, tmp_path_factory.mktemp("coverage-en"))
    ctx = Context(settings)
    ids = {}
    for key, name in {**DEMO, "welding": "welding_tig_mig_zh_gbk.txt"}.items():
        result = ingest_file(ctx, ROOT / "corpus" / name)
        assert result.ok, result.error
        ids[key] = result.transcript_id
    return settings, ids


@pytest.mark.parametrize("item", ON_TOPIC, ids=[x["q"] for x in ON_TOPIC])
def test_question_the_interview_answers_is_covered_and_cited(library, item: dict) -> None:
    settings, ids = library
    ctx = Context(settings)
    answer = answer_question(ctx, item["q"])
    if judged(item["q"], interview=True) and not answer.covered:
        # The answerability model may refuse a question the evidence does not clearly answer (it
        # keeps ~.9 of them, held-out; see test_most_questions_the_interviews_answer_are_answered):
        # then the nearby material is named, labelled, and a safety question says so first.
        assert answer.citations == [] and get_transcript(ctx, ids[item["source"]]).title in answer.answer
        assert (SAFETY_NOTE["en"] in answer.answer) == is_safety_question(item["q"])
        return
    assert answer.covered, item["q"]
    assert any(c.transcript_id == ids[item["source"]] for c in answer.citations)  # cited from that interview
    text = get_transcript(ctx, ids[item["source"]]).text
    assert all(get_transcript(ctx, c.transcript_id).text[c.start : c.end] == c.quote for c in answer.citations)
    assert item["quote"].lower() in " ".join(text.lower().split())  # the set's gold words are in that interview


def test_most_questions_the_interviews_answer_are_answered(library) -> None:
    settings, _ = library
    ctx = Context(settings)
    answered = [answer_question(ctx, item["q"]).covered for item in ON_TOPIC]
    # .85: the English safety bar (.85, chosen so that safety questions not covered are refused on
    # interviews left out; docs/BENCHMARKS.md, sixth round) refuses some covered safety questions.
    assert sum(answered) / len(answered) >= 0.85


def test_off_topic_questions_are_not_covered_and_become_gaps(library) -> None:
    settings, _ = library
    ctx = Context(settings)
    answered = {}
    for question in OFF_TOPIC:
        answer = answer_question(ctx, question, asked_by="worker-en")
        if answer.covered:
            answered[question] = answer.answer
        else:
            # off-topic: nothing nearby is named; a safety question (a flat tyre, brakes) says so
            safety = ["\n" + SAFETY_NOTE["en"]] if is_safety_question(question) else []
            assert answer.answer == "".join([NOT_COVERED["en"], *safety]) and answer.citations == []
    assert answered == {}  # each of these got an unrelated excerpt before the English rule
    gaps = {g.question for g in list_gaps(ctx) if g.asked_by == "worker-en"}
    assert gaps == set(OFF_TOPIC)


def test_pizza_is_not_covered_even_though_best_and_new_are_in_the_interviews(library) -> None:
    settings, _ = library
    ctx = Context(settings)
    answer = answer_question(ctx, "What is the best pizza in New York?")
    assert not answer.covered and answer.answer == NOT_COVERED["en"]
    gap = [g for g in list_gaps(ctx) if g.question == "What is the best pizza in New York?"]
    assert len(gap) == 1 and gap[0].status == "open" and gap[0].best_score is not None


def test_questions_across_languages_get_an_answer_or_an_honest_no(library) -> None:
    settings, ids = library
    ctx = Context(settings)
    # Chinese question, Chinese interview in a mostly English library: answered from it.
    zh = answer_question(ctx, "焊缝发蓝是什么原因？")
    assert zh.covered and zh.citations[0].transcript_id == ids["welding"]
    # English question about the Chinese interview, Chinese question about an English one:
    # no crash, and the reply is in the asker's language whichever way it goes.
    for question, lang in (("What causes a blue weld in TIG welding?", "en"), ("电容器怎么放电？", "zh")):
        answer = answer_question(ctx, question)
        if not answer.covered:
            assert answer.answer == NOT_COVERED[lang] and answer.citations == []
        else:
            assert answer.citations
    off = answer_question(ctx, "纽约最好的披萨是哪家？")
    assert not off.covered and off.answer == NOT_COVERED["zh"]


def test_english_words_drop_everyday_words_and_meet_at_the_stem() -> None:
    assert english_words("What is the best pizza in New York?") == ["pizza", "york"]
    assert english_words("grounding") == english_words("grounds") == english_words("ground")
    assert english_words("charging the charge") == ["charg", "charg"]
    assert english_words("How do you test it?") == ["test"]
    # Snowball's stems: a light suffix-stripper left "hoses" as "hos" and "bleed" as "ble".
    assert english_words("hose") == english_words("hoses")
    assert english_words("bleed") == english_words("bleeding")
    assert english_words("fire") == english_words("fired") and english_words("pipe") == english_words("piping")
    assert english_words("rating") != english_words("rat")
    # A worker's fillers name nothing the master must have said.
    assert english_words("Can I reach under it real quick, or is somebody supposed to do it anyway?") == ["reach"]
    assert english_coverage("What is the best pizza in New York?", []) == 0.0


@pytest.mark.skipif(not ORAL_HISTORY.exists(), reason="the bench's Unix oral histories are not here")
def test_oral_history_pizza_is_not_covered_but_its_own_questions_are(tmp_path: Path) -> None:
    settings = load_settings()
    ctx = Context(settings)
    assert ingest_file(ctx, ORAL_HISTORY).ok
    pizza = answer_question(ctx, "What is the best pizza in New York?")
    assert not pizza.covered and pizza.answer == NOT_COVERED["en"]
    for question, words in (("Where did Thompson go on sabbatical?", "Berkeley"),
                            ("Who developed BCPL?", "Martin Richards")):
        answer = answer_question(ctx, question)
        assert answer.covered and answer.citations
        assert any(words in c.quote for c in answer.citations), (question, answer.answer)


def test_an_acronym_the_master_spells_out_is_held() -> None:
    from rag.sentences import acronyms, spelled_out

    assert acronyms("Rule of thumb: how many CFM per ton?") == {"cfm"}
    assert spelled_out("cfm", "The system needs roughly 400 cubic feet per minute of airflow per ton.")
    assert spelled_out("ppe", "Wear your personal protective equipment.")
    assert not spelled_out("cfm", "You can for me.")  # everyday words spell nothing


def test_the_masters_amount_answers_a_worker_below_the_word_match(library) -> None:
    """The worker says "a line lying on the ground", the lineman "a downed line": too few shared words for
    the English rule, but the master gives the very amount asked for, after the interviewer's question about
    that line (rag.amount), and his amount is the answer, a safety question too."""
    settings, ids = library
    ctx = Context(settings)
    question = "Found a line lying on the ground after the storm. How far back should I stay?"
    assert is_safety_question(question)
    answer = answer_question(ctx, question)
    assert answer.covered and answer.citations[0].transcript_id == ids["lineman"]
    assert answer.answer.startswith("At least thirty feet")
    # the same words asking for a time he never gives stay refused
    assert not answer_question(ctx, "Found a line lying on the ground after the storm. How long should I wait?").covered


def test_how_many_is_answered_only_by_a_count_of_what_it_names(library) -> None:
    """A worker asking "how many X" is answered by the master's number of X (400 cubic feet per minute for CFM),
    and refused where the master counts no X: these three were answered with whatever passage came first
    (a list of unit types for the filters, the storm-work story for the crew)."""
    settings, ids = library
    ctx = Context(settings)
    answer = answer_question(ctx, "Roughly how many CFM of air per ton does a system need?")
    assert answer.covered and answer.citations[0].transcript_id == ids["hvac"]
    assert "400 cubic feet per minute" in answer.answer
    for question in ("How many filters does a rooftop unit take?", "How many linemen have to be on the crew for storm "
                     "work?", "How many grounds do I put on a dead line before I work it?"):
        assert not answer_question(ctx, question).covered, question
