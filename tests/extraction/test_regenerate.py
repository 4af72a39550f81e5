"""Regenerating one item of a drafted course: only that item changes, it stays grounded in the
master's words, and what cannot be grounded is flagged or refused with a clear message."""

from __future__ import annotations

import pytest
from drafting_kit import CORPUS
from fake_model import FakeModel, refusing

from extraction.course import CourseDraft, QuizItem
from extraction.drafting import draft_course
from extraction.llm_schemas import LLMPoint, LLMQuizItem
from extraction.regenerate import MAX_TOKENS, RegenerateError, regenerate_item
from extraction.structured_ask import ConfiguredModel
from extraction.validate import supported
from rag.catalog import get_transcript
from shifu.context import Context
from shifu.settings import load_settings


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A stored offline draft of the Chinese welding interview (GBK file), ingested once for the module."""
    from rag.ingest import ingest_file

    settings = load_settings(environ={"SHIFU_HOME": str(tmp_path_factory.mktemp("regen-home"))})
    ctx = Context(settings)
    tid = ingest_file(ctx, CORPUS / "welding_tig_mig_zh_gbk.txt").transcript_id
    _, _, draft = draft_course(Context(settings), [tid])
    return settings, draft, get_transcript(ctx, tid).text


def _without(draft: CourseDraft, item_id: str) -> dict:
    data = draft.model_dump()
    data["quiz"] = [q for q in data["quiz"] if q["id"] != item_id]
    return data


def _quiz(draft: CourseDraft, item_id: str) -> QuizItem:
    return next(q for q in draft.quiz if q.id == item_id)


def _grounded(item, text: str) -> None:
    assert item.citations
    for c in item.citations:
        assert text[c.start:c.end] == c.quote


def test_offline_regeneration_changes_that_quiz_item_only(course):
    settings, draft, text = course
    before = draft.model_dump()
    for old in draft.quiz:
        new_draft = regenerate_item(Context(settings), draft, f"q:{old.id}")
        assert draft.model_dump() == before  # the draft handed in is untouched
        assert _without(new_draft, old.id) == _without(draft, old.id)  # every other item as it was
        new = _quiz(new_draft, old.id)
        assert (new.stem, new.type) != (old.stem, old.type)
        assert new.stem not in {q.stem for q in draft.quiz}
        assert not new.flags and supported(new)  # passes the validators
        assert new.skills == old.skills and new.skills  # it teaches the same skills, as drafting or review named them
        _grounded(new, text)
        # it came from the same words of the master
        assert {c.quote for c in new.citations} <= {c.quote for c in old.citations}


def test_regenerating_again_gives_yet_another_version(course):
    settings, draft, _ = course
    item_id = draft.quiz[0].id
    once = regenerate_item(Context(settings), draft, f"q:{item_id}")
    twice = regenerate_item(Context(settings), once, f"q:{item_id}")
    stems = {_quiz(d, item_id).stem for d in (draft, once, twice)}
    assert len(stems) == 3
    assert regenerate_item(Context(settings), draft, f"q:{item_id}") == once  # offline is deterministic


def test_an_edited_point_is_rederived_from_its_quote(course):
    settings, draft, text = course
    point = draft.modules[0].lessons[0].points[0]
    with pytest.raises(RegenerateError, match="no other version of item p:0.0.0 can be made offline; "
                                              "configure an LLM"):
        regenerate_item(Context(settings), draft, "p:0.0.0")  # offline points already are the master's words
    edited = draft.model_copy(deep=True)
    edited.modules[0].lessons[0].points[0].text = "随便写的一句话"
    again = regenerate_item(Context(settings), edited, "p:0.0.0").modules[0].lessons[0].points[0]
    assert again.text == point.text and not again.flags and again.skills == point.skills
    _grounded(again, text)


def test_unknown_items_and_offline_follow_ups_are_refused_clearly(course):
    settings, draft, _ = course
    for key in ("q:nope", "p:9.0.0", "p:x", "f:99", "z:1", ""):
        with pytest.raises(RegenerateError, match=f"item '{key}' is not in this draft"):
            regenerate_item(Context(settings), draft, key)
    if draft.follow_up_questions:
        with pytest.raises(RegenerateError, match="no other version of item f:0 can be made offline"):
            regenerate_item(Context(settings), draft, "f:0")


# --- LLM engine -------------------------------------------------------------------------------


def _llm(settings, base_url: str = "http://127.0.0.1:9/v1", model: str = "some-model", **more):
    return settings.model_copy(update={"llm_base_url": base_url, "llm_model": model, **more})


def test_an_ungrounded_model_item_is_flagged_and_a_failure_keeps_the_item(course):
    settings, draft, text = course
    old = draft.quiz[0]

    def script(prompt, schema):
        if schema is LLMQuizItem:
            return LLMQuizItem(type="single_choice", stem="天空是什么颜色？", options=["蓝色", "绿色"],
                               answer=["蓝色"], unit_ids=["u1"])
        return LLMPoint(kind="tip", text="焊工每天要喝八杯水。", unit_ids=["u1"])

    model = FakeModel(script)
    new = _quiz(regenerate_item(Context(_llm(settings)), draft, f"q:{old.id}", ask=model), old.id)
    assert old.citations[0].quote in model.asked[-1].messages[-1]["content"]  # the model saw the grounded source
    assert new.stem == "天空是什么颜色？" and "answer not supported by the cited quote" in new.flags
    _grounded(new, text)
    point = regenerate_item(Context(_llm(settings)), draft, "p:0.0.0", ask=model).modules[0].lessons[0].points[0]
    assert "point not supported by its quote" in point.flags
    with pytest.raises(RegenerateError, match=f"could not regenerate item q:{old.id}, so it was kept as it was"):
        regenerate_item(Context(_llm(settings)), draft, f"q:{old.id}", ask=FakeModel(refusing))


@pytest.mark.llm
@pytest.mark.slow
def test_the_real_local_model_regenerates_a_quiz_item_flagged_or_refused(course, llm_settings):
    settings, draft, text = course
    llm = _llm(settings, llm_settings.llm_base_url, llm_settings.llm_model, llm_timeout_s=llm_settings.llm_timeout_s,
               llm_budget_s=llm_settings.llm_budget_s, llm_max_retries=llm_settings.llm_max_retries)
    old = draft.quiz[0]
    try:
        tiny = ConfiguredModel(llm, max_tokens=MAX_TOKENS, max_reasks=0)  # slow; re-asks are tested in prompts/
        new_draft = regenerate_item(Context(llm), draft, f"q:{old.id}", ask=tiny)
    except RegenerateError as exc:
        assert f"item q:{old.id}, so it was kept as it was" in str(exc) and "\n" not in str(exc)
        return
    assert _without(new_draft, old.id) == _without(draft, old.id)
    new = _quiz(new_draft, old.id)
    _grounded(new, text)
    assert new.flags or supported(new)  # never valid-but-ungrounded
    print(new.model_dump_json(indent=1), new.flags)
