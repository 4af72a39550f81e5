"""Growth services on the real SQL store: quiz answers move mastery and tier, FSRS schedules reviews,
paths and assignments give next steps, profiles obey who may see what, the cockpit filters and exports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_testkit import PASSWORD, make_course, make_users

from extraction import cockpit, learning
from extraction.growth import profiles, progress, reviews, tiers
from shifu import auth
from shifu.errors import ShifuError
from shifu.store import session_scope
from shifu.tables import CourseRow, ReviewCardRow, utcnow

RIGHT = {"q1": "打磨坡口", "q2": "false", "q3": ["油污", "铁锈"], "q4": "坡口", "q5": "小电流"}


def _ladder(settings):
    with session_scope(settings) as s:
        tiers.set_ladder(s, "焊工", [("新手", {}), ("熟练", {"skills": ["坡口"]}),
                                     ("骨干", {"count": 2, "required": ["坡口"]})])


def test_a_right_quiz_makes_the_skill_proficient_and_the_tier_change(ctx, settings):
    make_users(settings)
    make_course(settings, "pub")
    _ladder(settings)
    learning.submit_quiz(ctx, "wang_worker", "pub", {"q1": "喷水"})
    g = progress.growth(ctx, "wang_worker")
    assert [s.skill for s in g.skills] == ["坡口"] and not g.skills[0].estimate.enough
    assert g.standings[0].tier == "新手" and g.standings[0].explain() == "升熟练还差：坡口"
    learning.submit_quiz(ctx, "wang_worker", "pub", RIGHT)
    assert cockpit.tier_distribution(ctx, cockpit.CockpitFilter()) == [{"tier": "熟练", "workers": 1}]
    g = progress.growth(ctx, "wang_worker")
    assert g.skills[0].estimate.proficient
    assert g.standings[0].tier == "熟练" and "再掌握 1 项技能" in g.standings[0].explain()
    assert g.certificates and progress.certificate(ctx, "wang_worker", "pub")["course"] == "TIG 焊接入门"


def test_fsrs_schedules_right_later_than_wrong_and_the_queue_shows_what_is_due(ctx, settings):
    make_users(settings)
    make_course(settings, "pub")
    learning.submit_quiz(ctx, "wang_worker", "pub", {"q1": "打磨坡口", "q5": "大电流"})
    with session_scope(settings) as s:
        due = {r.item_id: r.due for r in s.query(ReviewCardRow)}
    assert set(due) == {"q1", "q5"} and due["q1"] > due["q5"]
    later = utcnow() + timedelta(days=30)
    with session_scope(settings) as s:
        assert {d.item_id for d in reviews.due(s, "wang_worker", later)} == {"q1", "q5"}
        assert [d.item_id for d in reviews.due(s, "wang_worker", utcnow() + timedelta(days=1))] == ["q5"]
    assert progress.review_answer(ctx, "wang_worker", "pub", "q5", ["小电流"]) is True
    with pytest.raises(ShifuError, match="empty answer"):
        progress.review_answer(ctx, "wang_worker", "pub", "q5", [""])


def test_paths_and_assignments_give_next_steps_and_overdue_shows_in_the_cockpit(ctx, settings):
    make_users(settings)
    make_course(settings, "c1")
    make_course(settings, "c2", title="氩弧焊进阶")
    path = progress.add_path(ctx, "焊工", "初级工", "焊工入门", ["c1", "c2"], by="li_trainer")
    assert progress.assign(ctx, "li_trainer", "path", str(path), ["wang_worker"], due_in_days=7) == 1
    progress.assign(ctx, "li_trainer", "course", "c2", ["wang_worker"], due_in_days=-1)
    with pytest.raises(ShifuError, match="no such worker"):
        progress.assign(ctx, "li_trainer", "course", "c1", ["nobody"], 3)
    auth.add_user(ctx, "far_worker", PASSWORD, "worker", enterprise="乐清电器")
    with pytest.raises(ShifuError, match="another enterprise"):
        progress.assign(ctx, "li_trainer", "course", "c1", ["far_worker"], 3)
    assert progress.assign(ctx, "boss", "course", "c1", ["far_worker"], 3) == 1
    assert progress.assign(ctx, "li_trainer", "course", "c1", [], 3, enterprise="温州鞋厂") == 1  # its one worker
    learning.submit_quiz(ctx, "wang_worker", "c1", RIGHT)
    g = progress.growth(ctx, "wang_worker")
    assert g.paths[0].done == 1 and g.paths[0].next_course == "c2"
    assert g.next_steps[:2] == ["完成指派：《氩弧焊进阶》（" + (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d") + " 截止）",
                             "完成指派：《焊工入门》（" + (utcnow() + timedelta(days=7)).strftime("%Y-%m-%d") + " 截止）"]
    assert "学习路径「焊工入门」下一步：《氩弧焊进阶》" in g.next_steps
    late = cockpit.overdue(ctx, cockpit.CockpitFilter(enterprise="温州鞋厂"))
    assert [(r["worker"], r["target"]) for r in late] == [("wang_worker", "c2")]


def test_profiles_are_visible_only_to_who_may_see_them(ctx, settings):
    make_users(settings)
    auth.add_user(ctx, "other_worker", PASSWORD, "worker", enterprise="温州鞋厂")
    auth.add_user(ctx, "far_worker", PASSWORD, "worker", enterprise="乐清电器")
    auth.add_user(ctx, "zhao_trainer", PASSWORD, "trainer", enterprise="温州鞋厂")
    make_course(settings, "pub")
    with session_scope(settings) as s:
        s.get(CourseRow, "pub").created_by = "li_trainer"
    for w in ("wang_worker", "far_worker"):
        learning.submit_quiz(ctx, w, "pub", RIGHT)
    learning.rate_course(ctx, "wang_worker", "pub", 5)
    learning.rate_course(ctx, "far_worker", "pub", 3)
    user = {u.username: u for u in auth.list_users(ctx)}
    assert profiles.worker_profile(ctx, user["wang_worker"], "wang_worker")["strengths"] == ["坡口"]
    assert profiles.worker_profile(ctx, user["li_trainer"], "wang_worker")["attempts"] == 1
    assert profiles.worker_profile(ctx, user["boss"], "far_worker")["enterprise"] == "乐清电器"
    for viewer, target in (("other_worker", "wang_worker"), ("zhao_trainer", "wang_worker"),
                           ("li_trainer", "far_worker"), ("li_trainer", "other_worker")):
        with pytest.raises(profiles.NotVisible):
            profiles.worker_profile(ctx, user[viewer], target)
    tp = profiles.trainer_profile(ctx, user["li_trainer"], "li_trainer")
    assert tp["good_rating_share"] == 0.5 and tp["workers_reached"] == 2 and tp["pass_rate"] == 1.0
    assert tp["learners"] == ["wang_worker"]  # far_worker learns from them too, in another enterprise
    with pytest.raises(profiles.NotVisible):
        profiles.trainer_profile(ctx, user["zhao_trainer"], "li_trainer")
    ep = profiles.enterprise_profile(ctx, user["zhao_trainer"], "温州鞋厂")
    assert ep["workers"] == 2 and ep["engaged_workers"] == 1 and ep["pass_rate"] == 1.0
    with pytest.raises(profiles.NotVisible):
        profiles.enterprise_profile(ctx, user["wang_worker"], "温州鞋厂")


def test_cockpit_filters_by_enterprise_lists_at_risk_and_exports_csv(ctx, settings):
    make_users(settings)
    auth.add_user(ctx, "far_worker", PASSWORD, "worker", enterprise="乐清电器")
    make_course(settings, "pub")
    for _ in range(3):
        learning.submit_quiz(ctx, "far_worker", "pub", {"q1": "喷水"})
    learning.submit_quiz(ctx, "wang_worker", "pub", RIGHT)
    every = cockpit.by_enterprise(ctx, cockpit.CockpitFilter())
    assert every == cockpit.naive_by_enterprise(ctx, cockpit.CockpitFilter())
    one = cockpit.by_enterprise(ctx, cockpit.CockpitFilter(enterprise="温州鞋厂"))
    assert one == [{"enterprise": "温州鞋厂", "attempts": 1, "pass_rate": 1.0}]
    risk = cockpit.at_risk(ctx, cockpit.CockpitFilter())
    assert [r["worker"] for r in risk] == ["far_worker"] and "连续 3 次" in risk[0]["why"]
    assert cockpit.trends(ctx, cockpit.CockpitFilter(trade="焊工"))[0]["attempts"] == 4
    csv = cockpit.to_csv(every)
    assert csv.splitlines()[0] == "enterprise,attempts,pass_rate" and "乐清电器,3,0.0" in csv
    rows = [{"enterprise": f"企业{i:03d}", "attempts": i} for i in range(190)]
    top = cockpit.top_n(rows, "attempts", "enterprise", n=15)
    assert len(top) == 16 and top[-1]["enterprise"].startswith("其他 175 项")
    assert sum(r["attempts"] for r in top) == sum(range(190))
