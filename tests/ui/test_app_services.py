"""Accounts, worker learning services and the dashboard, on a real SQLite store."""

from __future__ import annotations

import pytest
from app_testkit import PASSWORD, make_course, make_users

from extraction import cockpit, learning
from shifu import auth
from shifu.errors import NotFoundError, PermissionDenied, ShifuError
from shifu.store import session_scope
from shifu.tables import QuizAttemptRow, UserRow


def test_passwords_are_hashed_and_checked(ctx, settings):
    auth.add_user(ctx, "张三", "longenough", "trainer", enterprise="温州鞋厂")
    with session_scope(settings) as s:
        stored = s.query(UserRow).one().password_hash
    assert "longenough" not in stored and stored.startswith("$argon2")
    assert auth.authenticate(ctx, "张三", "longenough")
    assert not auth.authenticate(ctx, "张三", "wrong-password")
    assert not auth.authenticate(ctx, "nobody", "longenough")
    assert auth.role_of(ctx, "张三") == "trainer"
    auth.set_password(ctx, "张三", "another-one")
    assert auth.authenticate(ctx, "张三", "another-one") and not auth.authenticate(ctx, "张三", "longenough")
    auth.remove_user(ctx, "张三")
    assert auth.role_of(ctx, "张三") is None


@pytest.mark.parametrize("username,password,role,fragment", [
    ("ok_name", "short", "worker", "too short"),
    ("ok_name", "longenough", "boss", "role 'boss'"),
    ("a b", "longenough", "worker", "not valid"),
])
def test_bad_accounts_are_refused_in_words(ctx, username, password, role, fragment):
    with pytest.raises(ShifuError, match=fragment):
        auth.add_user(ctx, username, password, role)


def test_duplicate_user_and_role_requirement(ctx, settings):
    make_users(settings)
    with pytest.raises(ShifuError, match="already exists"):
        auth.add_user(ctx, "boss", PASSWORD, "admin")
    with pytest.raises(PermissionDenied):
        auth.require_role(ctx, "wang_worker", "admin")
    with pytest.raises(PermissionDenied, match="log in"):
        auth.require_role(ctx, None, "worker")
    assert auth.require_role(ctx, "boss", "admin").role == "admin"


def test_catalogue_lists_published_courses_only(ctx, settings):
    make_course(settings, "pub", status="published")
    make_course(settings, "draft1", status="draft", title="草稿课程")
    make_course(settings, "review1", status="in_review", title="审核中课程")
    assert [c.course_id for c in learning.catalogue(ctx)] == ["pub"]
    assert learning.catalogue(ctx, trade="焊工")[0].quiz_items == 5
    assert learning.catalogue(ctx, trade="钳工") == []
    assert learning.catalogue(ctx, enterprise="别的厂") == []
    with pytest.raises(NotFoundError, match="not published"):
        learning.published_course(ctx, "draft1")


def test_quiz_is_scored_stored_and_passes_at_60_percent(ctx, settings):
    make_course(settings, "pub")
    answers = {"q1": "打磨坡口", "q2": ["false"], "q3": ["铁锈", "油污"], "q4": "要把坡口打磨干净", "q5": "大电流"}
    result = learning.submit_quiz(ctx, "wang", "pub", answers)
    assert (result.score, result.total, result.passed) == (4, 5, True)
    assert [r.right for r in result.items] == [True, True, True, True, False]
    assert result.items[0].explanation.startswith("王师傅")
    low = learning.submit_quiz(ctx, "wang", "pub", {"q1": "喷水", "q2": ["true"], "q5": "小电流"})
    assert (low.score, low.passed) == (1, False)
    with session_scope(settings) as s:
        assert s.query(QuizAttemptRow).count() == 2
    assert [a["score"] for a in learning.attempts_of(ctx, "wang")] == [1, 4]


def test_three_of_five_passes(ctx, settings):
    make_course(settings, "pub")
    result = learning.submit_quiz(ctx, "wang", "pub", {"q1": "打磨坡口", "q2": "false", "q5": "小电流"})
    assert (result.score, result.passed) == (3, True)


def test_drafts_cannot_be_rated_or_quizzed(ctx, settings):
    make_course(settings, "draft1", status="draft")
    with pytest.raises(NotFoundError):
        learning.submit_quiz(ctx, "wang", "draft1", {})
    with pytest.raises(NotFoundError):
        learning.rate_course(ctx, "wang", "draft1", 5)


def test_ratings_replace_and_feedback_is_stored(ctx, settings):
    make_course(settings, "pub")
    learning.rate_course(ctx, "wang", "pub", 3, "还行")
    learning.rate_course(ctx, "wang", "pub", 5, "很实用")
    learning.rate_course(ctx, "li", "pub", 4)
    with pytest.raises(ShifuError, match="1 to 5"):
        learning.rate_course(ctx, "wang", "pub", 6)
    learning.record_feedback(ctx, "wang", "焊缝发蓝怎么办？", "降低电流", True)
    d = cockpit.dashboard(ctx)
    assert d.ratings == 2 and d.average_rating == pytest.approx(4.5)


def test_dashboard_counts_what_the_programme_reached(ctx, settings):
    make_users(settings)
    make_course(settings, "pub")
    make_course(settings, "d1", status="draft", title="草稿")
    learning.submit_quiz(ctx, "wang_worker", "pub", {"q1": "打磨坡口", "q2": "false", "q5": "小电流"})
    learning.submit_quiz(ctx, "wang_worker", "pub", {"q1": "喷水"})
    with pytest.raises(ShifuError, match="no question is answered"):
        learning.submit_quiz(ctx, "wang_worker", "pub", {"q1": [], "q4": "  "})  # refused, not counted
    from rag.gaps import record_gap

    record_gap(ctx, "气瓶怎么存放？", asked_by="wang_worker", scope="published")
    d = cockpit.dashboard(ctx)
    assert (d.trainers, d.workers, d.workers_reached, d.quiz_attempts) == (1, 1, 1, 2)
    assert d.pass_rate == pytest.approx(0.5)
    assert d.courses_by_status == {"draft": 1, "in_review": 0, "published": 1}
    assert d.open_gaps == 1
    assert {r["course"]: r["attempts"] for r in d.per_course} == {"TIG 焊接入门": 2, "草稿": 0}
    assert cockpit.drafts_by_template(ctx, "draft_units") == {"abc123": ["TIG 焊接入门 v1", "草稿 v1"]}
