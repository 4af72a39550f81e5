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
    with pytest.raises(WorkflowError, match="submitted for review"):
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
    assert "fix or remove each in review" in message and "\n" not in message
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


def _publish(ctx, course_id):
    set_status(ctx, course_id, "in_review", "trainer1")
    return set_status(ctx, course_id, "published", "trainer1")


def test_editing_a_published_course_keeps_the_live_version_until_the_new_one_is_published(ctx, drafted):
    from extraction import review

    tid, course_id, _, draft, _ = drafted
    update_metadata(ctx, tid, consent=True)
    _publish(ctx, course_id)
    edited = draft.model_copy(deep=True)
    edited.modules[0].title = "焊缝的保护（修订）"
    assert save_version(ctx, course_id, edited, "trainer1", "fix after publishing") == 2
    live = published_courses(ctx)
    assert [(c.id, c.published_version) for c, _ in live] == [(course_id, 1)]  # workers still see v1
    assert live[0][1].modules[0].title == draft.modules[0].title
    entry = review.course_status(ctx, course_id)
    assert (entry.status, entry.published_version, entry.latest_version, entry.latest_status) == \
        ("published", 1, 2, "draft")
    info = _publish(ctx, course_id)
    assert info.published_version == 2 and info.status == "published"
    assert published_courses(ctx)[0][1].modules[0].title == "焊缝的保护（修订）"
    assert [v.status for v in review.versions(ctx, course_id)] == ["replaced", "published"]
    with pytest.raises(Exception, match="only the trainer"):
        review.move(ctx, course_id, "unpublish", "trainer2", role="trainer")
    assert review.move(ctx, course_id, "unpublish", "trainer1").published_version is None
    assert published_courses(ctx) == []


def test_hard_flags_cannot_be_accepted_and_soft_ones_need_a_reason(ctx, drafted):
    from extraction import review

    _, course_id, _, draft, _ = drafted
    qid = draft.quiz[0].id
    wrong = review.ItemEdit(text="氩弧焊用什么气体保护？", options="氩气\n二氧化碳", answer="氦气")
    number, _ = review.edit_item(ctx, course_id, None, f"q:{qid}", "save", wrong, "trainer1")
    item = review.open_item(ctx, course_id, number, f"q:{qid}")
    assert "an answer is not one of the options" in item.flags
    with pytest.raises(review.ReviewRefusal, match="cannot be accepted") as refused:
        review.edit_item(ctx, course_id, number, f"q:{qid}", "accept", review.ItemEdit(reason="ok"), "trainer1")
    assert "答案不在选项中" in refused.value.zh
    soft = draft.model_copy(deep=True)
    soft.quiz[0].flags = ["answer not supported by the cited quote"]
    number = save_version(ctx, course_id, soft, "trainer1", "a doubt")
    with pytest.raises(review.ReviewRefusal, match="reason"):
        review.edit_item(ctx, course_id, number, f"q:{qid}", "accept", review.ItemEdit(), "trainer1")
    number, note = review.edit_item(ctx, course_id, number, f"q:{qid}", "accept",
                                    review.ItemEdit(reason="师傅在第二段说过"), "trainer1")
    assert "师傅在第二段说过" in note and "answer not supported" in note
    assert review.versions(ctx, course_id)[-1].note == note  # recorded in the version


def test_the_outline_editor_renames_moves_adds_merges_and_splits(ctx, drafted):
    from extraction import review

    _, course_id, _, draft, _ = drafted
    n, _, key = review.change_outline(ctx, course_id, None, "l:0.0", "rename", "保护气体", "trainer1")
    assert key == "l:0.0" and review.load(ctx, course_id, n)[1].modules[0].lessons[0].title == "保护气体"
    n, _, key = review.change_outline(ctx, course_id, n, "c:", "rename", "氩弧焊入门", "trainer1")
    assert review.load(ctx, course_id, n)[1].title == "氩弧焊入门"
    first = review.load(ctx, course_id, n)[1].modules[0].lessons[0]
    n, _, key = review.change_outline(ctx, course_id, n, "p:0.0.0", "add", "收弧前先停送丝", "trainer1")
    after = review.load(ctx, course_id, n)[1].modules[0].lessons[0]
    assert key == "p:0.0.1" and after.points[1].text == "收弧前先停送丝"
    assert "收弧前先停送丝" in after.content_md  # the edit flows into the lesson text
    n, _, key = review.change_outline(ctx, course_id, n, key, "up", "", "trainer1")
    assert key == "p:0.0.0" and review.load(ctx, course_id, n)[1].modules[0].lessons[0].points[0].text == "收弧前先停送丝"
    n, _, key = review.change_outline(ctx, course_id, n, "p:0.0.1", "split", "", "trainer1")
    split = review.load(ctx, course_id, n)[1].modules[0].lessons
    assert key == "l:0.1" and len(split[0].points) == 1 and split[1].title == "保护气体（续）"
    n, _, key = review.change_outline(ctx, course_id, n, "l:0.0", "merge", "", "trainer1")
    merged = review.load(ctx, course_id, n)[1].modules[0].lessons[0]
    assert key == "l:0.0" and len(merged.points) == len(first.points) + 1
    n, _, key = review.change_outline(ctx, course_id, n, f"q:{draft.quiz[0].id}", "add", "", "trainer1")
    new = review.open_item(ctx, course_id, n, key)
    assert "empty stem" in new.flags  # an unwritten item is an error until it is written
    n, _, key2 = review.change_outline(ctx, course_id, n, key, "delete", "", "trainer1")
    assert key2 == f"q:{draft.quiz[0].id}"
    changes = review.diff_items(ctx, course_id, 1, n)
    kinds = {(section, c.change) for section, c in changes}
    assert ("course", "added") in kinds and ("course", "removed") in kinds and ("point", "added") in kinds
    assert ("point", "changed") not in kinds  # a moved point is not an edit


def test_a_readable_diff_pairs_edited_lines_and_marks_the_changed_words():
    from prompts.textdiff import line_changes

    old = "name: qa\nsystem: |\n  回答要简短\n"
    new = "name: qa\nsystem: |\n  回答要简短明了\n  - 用提问的语言\n"
    changes = line_changes(old, new)
    assert [(c.change, c.where) for c in changes] == [("changed", "3"), ("added", "4")]
    assert ("add", "明了") in changes[0].words and changes[1].new == "  - 用提问的语言"


def test_what_selection_left_out_is_one_click_from_a_lesson(ctx, drafted):
    from extraction import review

    _, course_id, _, draft, _ = drafted
    passages = review.more_from_interview(ctx, course_id, None)
    assert passages and len(passages) == len(draft.more_from_interview)
    first = passages[0]
    assert first.speaker == "张师傅"  # who said it (and when, where the transcript has times)
    with pytest.raises(review.ReviewRefusal, match="pick a lesson"):
        review.add_from_interview(ctx, course_id, None, 0, "c:", "trainer1")
    n, note, key = review.add_from_interview(ctx, course_id, None, 0, "l:0.0", "trainer1")
    after = review.load(ctx, course_id, n)[1]
    lesson = after.modules[0].lessons[0]
    added = review.ItemRef(key).get(after)
    assert added.text == first.text and added.citations == draft.more_from_interview[0].citations
    assert added in lesson.points and first.text in lesson.content_md  # the lesson text shows it too
    assert [p.text for p in after.more_from_interview] == [p.text for p in draft.more_from_interview[1:]]
    assert note.startswith("add l:0.0")
