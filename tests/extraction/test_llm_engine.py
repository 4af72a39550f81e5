"""The LLM engine: whatever the model writes is tied back to transcript spans and validated;
poor output is flagged, never passed as valid. End to end against the real llama.cpp server."""

from __future__ import annotations

import pytest
from drafting_kit import corpus

from extraction import llm_engine
from extraction.llm_engine import (
    LLMLesson,
    LLMModule,
    LLMOutline,
    LLMQuiz,
    LLMQuizItem,
    LLMUnit,
    LLMUnits,
)
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


def test_bad_model_output_is_flagged_not_passed(settings, monkeypatch):
    t, chunks = corpus("lineman_safety_en.json")

    def fake_run(self, name, variables, schema, check=None):
        self.versions[name] = "fake"
        if name == "draft_units":
            ids = [s["id"] for s in variables["sentences"]]
            return LLMUnits(units=[LLMUnit(kind="rule", text="Always wear a hard hat.", sentence_ids=["s99"]),
                                   LLMUnit(kind="warning", text=variables["sentences"][0]["text"], sentence_ids=ids[:1])])
        if name == "draft_outline":
            ids = [u["id"] for u in variables["units"]]
            return LLMOutline(title="Line safety", modules=[LLMModule(title="Grounds", lessons=[
                LLMLesson(title="Test first", unit_ids=ids[:3] + ["u404"]), LLMLesson(title="Nothing", unit_ids=[])])])
        ids = [u["id"] for u in variables["units"] if u["text"] != "Always wear a hard hat."]
        return LLMQuiz(items=[
            LLMQuizItem(type="single_choice", stem="What voltage?", options=["7,200", "7,200"], answer=["7,200"],
                        unit_ids=ids[:1]),
            LLMQuizItem(type="single_choice", stem="Which color is the sky?", options=["blue", "green"],
                        answer=["blue"], unit_ids=ids[:1]),
            LLMQuizItem(type="true_false", stem="Grounds are optional.", options=["true", "false"], answer=["true"],
                        unit_ids=["u77"]),
        ])

    monkeypatch.setattr(llm_engine._Calls, "run", fake_run)
    result, _, versions = llm_engine.build_llm_draft(settings, [t], {t.id: chunks})
    draft = result.draft
    assert versions == {"draft_units": "fake", "draft_outline": "fake", "draft_quiz": "fake"}
    lesson, empty = draft.modules[0].lessons
    assert "cites unknown knowledge unit u404" in lesson.flags
    assert "empty lesson" in empty.flags
    assert any("point not supported by its quote" in p.flags or "no citation" in p.flags for p in lesson.points)
    q1, q2, q3 = draft.quiz
    assert "options are not distinct" in q1.flags
    assert "answer not supported by the cited quote" in q2.flags
    assert "cites unknown knowledge unit u77" in q3.flags and "no citation" in q3.flags
    _trusted(draft)


@pytest.mark.llm
@pytest.mark.slow
def test_the_real_local_model_drafts_and_its_poor_output_is_caught(llm_settings, monkeypatch):
    monkeypatch.setattr(llm_engine, "MAX_SEGMENTS", 1)
    monkeypatch.setattr(llm_engine, "MAX_SENTENCES", 4)
    monkeypatch.setattr(llm_engine, "MAX_UNITS_REDUCE", 6)
    monkeypatch.setattr(llm_engine, "MAX_TOKENS", 200)
    monkeypatch.setattr(llm_engine, "MAX_REASKS", 0)  # the tiny model is slow; re-asks are tested in prompts/
    t, chunks = corpus("lineman_safety_en.json")
    result, model, versions = llm_engine.build_llm_draft(llm_settings, [t], {t.id: chunks})
    assert model == "smollm2-135m" and "draft_units" in versions
    draft = result.draft
    # the model's work is either used (and validated) or rejected (and reported); never silently trusted
    print("\n".join(result.report.problems))
    assert result.report.problems
    _trusted(draft)


def test_an_llm_draft_is_stored_with_its_engine_model_and_template_versions(ctx, monkeypatch):
    from drafting_kit import CORPUS

    from extraction.draft import draft_course
    from extraction.publishing import get_course
    from rag.ingest import ingest_file
    from shifu.context import Context
    from shifu.settings import load_settings

    tid = ingest_file(ctx, CORPUS / "lineman_safety_en.json").transcript_id

    def rejected(self, name, variables, schema, check=None):
        self.versions[name] = "v-" + name
        self.rejected.append(f"{name}: the model's output was still invalid")
        return None

    monkeypatch.setattr(llm_engine._Calls, "run", rejected)
    llm = load_settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="some-model")
    course_id, version, draft = draft_course(llm, [tid], engine="llm", created_by="trainer1")
    info, stored = get_course(Context(llm), course_id, version)
    assert (info.engine, info.model) == ("llm", "some-model")
    assert info.template_versions == {"draft_units": "v-draft_units", "draft_outline": "v-draft_outline",
                                      "draft_quiz": "v-draft_quiz"}
    assert "model output(s) rejected (offline content kept there)" in (info.note or "")
    assert stored.quiz and all(not q.flags for q in stored.quiz)  # the offline items it fell back to
