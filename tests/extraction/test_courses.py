"""The drafting service on stored transcripts: a draft becomes version 1 of a course, every
save is a version, and the review workflow guards publishing with the master's consent."""

from __future__ import annotations

import pytest
from drafting_kit import CORPUS

from extraction.drafting import draft_course
from extraction.publishing import (
    WorkflowError,
    diff_versions,
    get_course,
    list_courses,
    published_courses,
    save_version,
    set_status,
)
from rag.catalog import update_metadata
from rag.ingest import ingest_file
from shifu.context import Context
from shifu.store import session_scope
from shifu.tables import CourseVersionRow, KnowledgeGapRow


@pytest.fixture
def drafted(ctx, settings):
    result = ingest_file(ctx, CORPUS / "welding_tig_mig_zh_gbk.txt")
    assert result.ok, result.error
    with session_scope(settings) as s:
        s.add(KnowledgeGapRow(question="氩弧焊的钨极怎么磨？", status="open"))
    steps: list[str] = []
    course_id, version, draft = draft_course(Context(settings), [result.transcript_id], progress=steps.append,
                                             created_by="trainer1")
    return result.transcript_id, course_id, version, draft, steps


def test_a_draft_is_stored_as_version_one_with_its_engine(ctx, settings, drafted):
    tid, course_id, version, draft, steps = drafted
    assert version == 1 and steps  # progress was reported
    info, stored = get_course(ctx, course_id)
    assert stored == draft
    assert info.status == "draft" and info.engine == "offline" and info.transcript_ids == [tid]
    assert [c.id for c in list_courses(ctx)] == [course_id]
    assert draft.sources[0].transcript_id == tid and draft.sources[0].sha256
    # the open knowledge gap became a question for the next interview
    assert any(q.question == "氩弧焊的钨极怎么磨？" for q in draft.follow_up_questions)
    with session_scope(settings) as s:
        row = s.query(CourseVersionRow).one()
        assert row.engine == "offline" and row.created_by == "trainer1"


def test_every_save_is_a_version_and_diffs_show_the_edit(ctx, drafted):
    _, course_id, _, draft, _ = drafted
    edited = draft.model_copy(deep=True)
    edited.modules[0].title = "焊缝的保护"
    assert save_version(ctx, course_id, edited, "trainer1", "renamed a module") == 2
    _, v1 = get_course(ctx, course_id, 1)
    assert v1 == draft
    diff = diff_versions(ctx, course_id, 1, 2)
    assert "+## 焊缝的保护" in diff and f"-## {draft.modules[0].title}" in diff
    assert diff_versions(ctx, course_id, 2, 2) == ""


def test_publishing_needs_review_and_the_masters_consent(ctx, drafted):
    tid, course_id, _, _, _ = drafted
    with pytest.raises(WorkflowError, match="submit it for review"):
        set_status(ctx, course_id, "published", "trainer1")
    set_status(ctx, course_id, "in_review", "trainer1")
    with pytest.raises(WorkflowError, match="consent"):
        set_status(ctx, course_id, "published", "trainer1")
    assert published_courses(ctx) == []
    update_metadata(ctx, tid, consent=True)
    info = set_status(ctx, course_id, "published", "trainer1")
    assert info.status == "published" and info.published_version == 1
    assert [c.id for c, _ in published_courses(ctx)] == [course_id]
    set_status(ctx, course_id, "draft", "trainer1")  # unpublish
    assert published_courses(ctx) == []
    assert list_courses(ctx, status="draft")[0].published_version is None


def test_a_version_with_flagged_items_is_never_published_until_they_are_reviewed(ctx, drafted):
    tid, course_id, _, draft, _ = drafted
    update_metadata(ctx, tid, consent=True)
    flagged = draft.model_copy(deep=True)
    flagged.quiz[0].flags = ["no key"]
    flagged.modules[0].lessons[0].flags = ["empty lesson"]
    save_version(ctx, course_id, flagged, "trainer1", "kept the validator's findings")
    set_status(ctx, course_id, "in_review", "trainer1")  # review may start with flags open
    with pytest.raises(WorkflowError) as refused:
        set_status(ctx, course_id, "published", "trainer1")
    message = str(refused.value)
    assert "2 item(s) still carry validator flags" in message
    assert f"{flagged.quiz[0].id}: no key" in message and "lesson 1.1: empty lesson" in message
    assert "accept them in review" in message and "\n" not in message
    assert published_courses(ctx) == []
    reviewed = flagged.model_copy(deep=True)  # what accepting both items in the review screen saves
    reviewed.quiz[0].flags, reviewed.modules[0].lessons[0].flags = [], []
    save_version(ctx, course_id, reviewed, "trainer1", "accepted q1 and lesson 1.1")
    set_status(ctx, course_id, "in_review", "trainer1")
    assert set_status(ctx, course_id, "published", "trainer1").published_version == 3


def test_courses_show_dates_each_version_when_it_was_saved(ctx, settings, drafted):
    from datetime import datetime

    from typer.testing import CliRunner

    from ui.cli.main import app

    _, course_id, _, draft, _ = drafted
    save_version(ctx, course_id, draft, "trainer2", "second look")
    with session_scope(settings) as s:
        for row in s.query(CourseVersionRow).filter_by(course_id=course_id):
            row.created_at = datetime(2024, 5, row.number, 9, 30)
    out = CliRunner().invoke(app, ["courses", "show", course_id], env={"COLUMNS": "200"}).output
    assert "v1 draft 2024-05-01 09:30" in out and "v2 draft 2024-05-02 09:30 trainer2" in out
