"""Skills in review on the real store: the trainer sees the proposed skills of each point and quiz item,
edits them (a new version, said in its note and in the diff), publishing writes them to the tags, a
worker's answer moves the mastery of the edited skill, and an admin's rename or merge reaches the courses."""

from __future__ import annotations

import pytest
from app_testkit import make_course, make_users

from extraction import learning, review
from extraction.growth import progress, service, skills
from shifu.store import session_scope
from shifu.tables import CourseVersionRow, SkillRow, SkillTagRow, TranscriptRow


@pytest.fixture
def course(settings):
    make_users(settings)
    make_course(settings, "c1", status="draft", trade="")
    with session_scope(settings) as s:  # the trade comes from the source transcript, as for a drafted course
        s.add(TranscriptRow(id="t1", title="王师傅访谈", trade="焊工", consent=True))
        s.add(SkillRow(trade="焊工", name="焊接电流选择"))
    return "c1"


def _publish(ctx, course_id):
    review.move(ctx, course_id, "in_review", "li_trainer")
    review.move(ctx, course_id, "published", "li_trainer")


def test_an_edited_skill_is_versioned_published_and_learnt_by_the_workers_answers(ctx, settings, course):
    assert review.skill_choices(ctx, course, None) == ["焊接电流选择", "坡口"]  # the trade's list, then the draft's
    number, note = review.set_item_skills(ctx, course, None, "q:q5", ["焊接电流选择"], "li_trainer")
    assert (number, note) == (2, "skills q5: 焊接电流选择")
    assert review.open_item(ctx, course, 2, "q:q5").skills == ["焊接电流选择"]
    changed = [c for sec, c in review.diff_items(ctx, course, 1, 2) if sec == "quiz"]
    assert len(changed) == 1 and "焊接电流选择" in str(changed[0])
    _publish(ctx, course)
    with session_scope(settings) as s:
        tags = {(t.kind, t.ref): s.get(SkillRow, t.skill_id).name for t in s.query(SkillTagRow)}
    assert tags[("item", "q5")] == "焊接电流选择" and tags[("item", "q1")] == "坡口" and tags[("point", "0.0.0")] == "坡口"
    learning.submit_quiz(ctx, "wang_worker", course, {"q5": "小电流"})
    states = {st.skill: st for st in progress.growth(ctx, "wang_worker").skills}
    assert states["焊接电流选择"].trade == "焊工" and states["焊接电流选择"].estimate.attempts == 1
    assert "坡口" not in states  # q5 alone was answered, and it no longer carries 坡口


def test_a_republished_version_retags_and_refusals_say_what_to_do(ctx, settings, course):
    _publish(ctx, course)
    review.set_item_skills(ctx, course, None, "p:0.0.0", ["坡口打磨", "  坡口打磨 ", ""], "li_trainer")
    assert review.open_item(ctx, course, None, "p:0.0.0").skills == ["坡口打磨"]
    with session_scope(settings) as s:  # the live version is still the old one until the new one is published
        assert {s.get(SkillRow, t.skill_id).name for t in s.query(SkillTagRow).filter_by(kind="point")} == {"坡口"}
    _publish(ctx, course)
    with session_scope(settings) as s:
        assert {s.get(SkillRow, t.skill_id).name for t in s.query(SkillTagRow).filter_by(kind="point")} == {"坡口打磨"}
    with pytest.raises(review.ReviewRefusal, match="only lesson points and quiz items"):
        review.set_item_skills(ctx, course, None, "l:0.0", ["坡口"], "li_trainer")
    with pytest.raises(review.ReviewRefusal, match="at most 4"):
        review.set_item_skills(ctx, course, None, "q:q1", ["a", "b", "c", "d", "e"], "li_trainer")
    with pytest.raises(review.ReviewRefusal, match="already the item's skills"):
        review.set_item_skills(ctx, course, None, "p:0.0.0", ["坡口打磨"], "li_trainer")


def test_an_admins_rename_and_merge_reach_every_version_of_the_trades_courses(ctx, settings, course):
    review.set_item_skills(ctx, course, None, "q:q5", ["焊接电流选择"], "li_trainer")
    _publish(ctx, course)
    service.rename_skill(ctx, "焊工", "焊接电流选择", "焊接电流调节")
    service.merge_skills(ctx, "焊工", "坡口", "焊接电流调节")
    with session_scope(settings) as s:
        for v in s.query(CourseVersionRow):
            named = [p["skills"] for m in v.data["modules"] for ls in m["lessons"] for p in ls["points"]]
            named += [q.get("skills") or [] for q in v.data["quiz"] if q["id"] in ("q1", "q5")]
            assert "坡口" not in str(named) and "焊接电流选择" not in str(named), (v.number, named)
        assert skills.trade_skill_names(s, "焊工") == ["焊接电流调节"]
    assert review.open_item(ctx, course, None, "q:q5").skills == ["焊接电流调节"]
    assert review.open_item(ctx, course, None, "p:0.0.0").skills == ["焊接电流调节"]
