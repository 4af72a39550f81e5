"""The LLM engine: whatever the model writes is tied back to transcript spans and validated;
poor output is flagged, never passed as valid. End to end against the real llama.cpp server."""

from __future__ import annotations

import pytest
from drafting_kit import corpus
from fake_model import FakeModel, refusing, tagged

from extraction.llm_engine import Limits, build_llm_draft
from extraction.llm_schemas import (
    LLMLesson,
    LLMModule,
    LLMOutline,
    LLMQuiz,
    LLMQuizItem,
    LLMUnit,
    LLMUnits,
)
from extraction.offline_engine import build_offline_draft
from extraction.structured_ask import ConfiguredModel
from extraction.validate import supported


def _trusted(draft) -> None:
    """Nothing unflagged may be ungrounded: every unflagged item cites verbatim quotes that support it."""
    for m in draft.modules:
        for lesson in m.lessons:
            for p in lesson.points:
                if not p.flags:
                    assert p.citations
    for q in draft.quiz:
        if not q.flags:
            assert q.citations and supported(q), q


def test_bad_model_output_is_flagged_not_passed(settings):
    t, chunks = corpus("lineman_safety_en.json")

    def script(prompt, schema):
        if prompt.name == "draft_units":
            sentences = tagged(prompt, "sentence")
            return LLMUnits(units=[LLMUnit(kind="rule", text="Always wear a hard hat.", sentence_ids=["s99"]),
                                   LLMUnit(kind="warning", text=sentences[0][1], sentence_ids=[sentences[0][0]])])
        if prompt.name == "draft_outline":
            ids = [uid for uid, _ in tagged(prompt, "unit")]
            return LLMOutline(title="Line safety", modules=[LLMModule(title="Grounds", lessons=[
                LLMLesson(title="Test first", unit_ids=ids[:3] + ["u404"]), LLMLesson(title="Nothing", unit_ids=[])])])
        ids = [uid for uid, text in tagged(prompt, "unit") if text != "Always wear a hard hat."]
        return LLMQuiz(items=[
            LLMQuizItem(type="single_choice", stem="What voltage?", options=["7,200", "7,200"], answer=["7,200"],
                        unit_ids=ids[:1]),
            LLMQuizItem(type="single_choice", stem="Which color is the sky?", options=["blue", "green"],
                        answer=["blue"], unit_ids=ids[:1]),
            LLMQuizItem(type="true_false", stem="Grounds are optional.", options=["true", "false"], answer=["true"],
                        unit_ids=["u77"]),
        ])

    model = FakeModel(script)
    result, _, versions = build_llm_draft(settings, [t], {t.id: chunks}, ask=model)
    assert set(versions) == {"draft_units", "draft_outline", "draft_quiz"} and versions == model.versions()
    draft = result.draft
    lesson, empty = draft.modules[0].lessons
    assert "cites unknown knowledge unit u404" in lesson.flags
    assert "empty lesson" in empty.flags
    assert any("point not supported by its quote" in p.flags or "no citation" in p.flags for p in lesson.points)
    q1, q2, *offline = draft.quiz
    assert "options are not distinct" in q1.flags
    assert "answer not supported by the cited quote" in q2.flags
    # the item citing nothing known is not offered: an offline item, grounded, takes its place, and the report says so
    assert offline and all(q.citations and not q.id.startswith("llm-") for q in offline)
    assert any("Grounds are optional" in p and "dropped" in p for p in result.report.problems)
    _trusted(draft)


def test_the_offline_selection_stays_whatever_the_model_leaves_out(settings):
    """A weak model's outline keeps one unit: every other point the offline engine selected is still taught."""
    t, chunks = corpus("lineman_safety_en.json")

    def script(prompt, schema):
        if prompt.name == "draft_units":
            sentences = tagged(prompt, "sentence")
            return LLMUnits(units=[LLMUnit(kind="rule", text=text[:300], sentence_ids=[sid]) for sid, text in sentences])
        if prompt.name == "draft_outline":
            ids = [uid for uid, _ in tagged(prompt, "unit")]
            return LLMOutline(title="Line safety", modules=[LLMModule(title="Grounds", lessons=[
                LLMLesson(title="Test first", unit_ids=ids[:1])])])
        return LLMQuiz(items=[])

    offline = build_offline_draft([t], {t.id: chunks}).draft
    draft = build_llm_draft(settings, [t], {t.id: chunks}, ask=FakeModel(script))[0].draft
    taught = {(c.start, c.end) for m in draft.modules for lesson in m.lessons for p in lesson.points
              for c in p.citations}
    for m in offline.modules:
        for lesson in m.lessons:
            for p in lesson.points:
                assert any((c.start, c.end) in taught for c in p.citations), p.text
    assert draft.modules[0].title == "Grounds" and draft.modules[-1].title == "More from the master"
    assert len(draft.quiz) >= 1, "offline items make up a quiz the model left empty"


def test_an_outline_with_no_point_gives_way_to_the_offline_course(settings):
    t, chunks = corpus("lineman_safety_en.json")

    def script(prompt, schema):
        if prompt.name == "draft_outline":
            return LLMOutline(title="Empty", modules=[LLMModule(title="Nothing", lessons=[
                LLMLesson(title="Nothing", unit_ids=["u404"])])])
        return refusing(prompt, schema)

    offline = build_offline_draft([t], {t.id: chunks}).draft
    draft = build_llm_draft(settings, [t], {t.id: chunks}, ask=FakeModel(script))[0].draft
    assert [m.title for m in draft.modules] == [m.title for m in offline.modules]
    assert sum(len(lesson.points) for m in draft.modules for lesson in m.lessons) > 0


def test_the_model_is_asked_once_per_segment_up_to_the_limit(settings):
    t, chunks = corpus("lineman_safety_en.json")
    model = FakeModel(refusing)
    result, _, _ = build_llm_draft(settings, [t], {t.id: chunks}, ask=model, limits=Limits(segments=1))
    assert len(result.plans[0].segments) > 1
    assert [p.name for p in model.asked] == ["draft_units", "draft_outline", "draft_quiz"]
    assert len(result.report.problems) >= 3  # each rejection is reported


@pytest.mark.llm
@pytest.mark.slow
def test_the_real_local_model_drafts_and_its_poor_output_is_caught(llm_settings):
    t, chunks = corpus("lineman_safety_en.json")
    tiny = ConfiguredModel(llm_settings, max_tokens=200, max_reasks=0)  # slow model; re-asks are tested in prompts/
    result, model, versions = build_llm_draft(llm_settings, [t], {t.id: chunks}, ask=tiny,
                                              limits=Limits(segments=1, sentences=4, units_reduce=6))
    assert model == "smollm2-135m" and "draft_units" in versions
    draft = result.draft
    # the model's work is either used (and validated) or rejected (and reported); never silently trusted
    print("\n".join(result.report.problems))
    assert result.report.problems
    _trusted(draft)


def test_an_llm_draft_is_stored_with_its_engine_model_and_template_versions(ctx):
    from drafting_kit import CORPUS

    from extraction.drafting import draft_course
    from extraction.publishing import get_course
    from rag.ingest import ingest_file
    from shifu.context import Context
    from shifu.settings import load_settings

    tid = ingest_file(ctx, CORPUS / "lineman_safety_en.json").transcript_id

    model = FakeModel(refusing)
    llm = load_settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="some-model")
    course_id, version, draft = draft_course(Context(llm), [tid], engine="llm", ask=model, created_by="trainer1")
    info, stored = get_course(Context(llm), course_id, version)
    assert (info.engine, info.model) == ("llm", "some-model")
    assert set(info.template_versions) == {"draft_units", "draft_outline", "draft_quiz"}
    assert info.template_versions == model.versions()
    assert "model output(s) rejected (offline content kept there)" in (info.note or "")
    assert stored.quiz and all(not q.flags for q in stored.quiz)  # the offline items it fell back to
