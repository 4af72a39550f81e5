"""Growth logic without a database: the BKT update, Elo, tier rules, FSRS-free next steps, the evaluation."""

from __future__ import annotations

import pytest

from extraction.growth import mastery, tiers
from extraction.growth.evaluate import auc, run
from extraction.growth.mastery import DEFAULT, Estimate, SkillParams, update
from extraction.growth.progress import PathProgress, SkillState, next_steps


def test_bkt_update_is_bayes_then_learning():
    p = SkillParams(p_init=0.2, p_learn=0.15, p_slip=0.1, p_guess=0.2)
    post = 0.2 * 0.9 / (0.2 * 0.9 + 0.8 * 0.2)
    assert update(0.2, True, p) == pytest.approx(post + (1 - post) * 0.15)
    post = 0.2 * 0.1 / (0.2 * 0.1 + 0.8 * 0.8)
    assert update(0.2, False, p) == pytest.approx(post + (1 - post) * 0.15)
    known = 0.2
    for _ in range(3):
        known = update(known, True, p)
    assert known > mastery.PROFICIENT  # three right answers in a row convince BKT with the defaults


def test_too_few_answers_say_not_enough_evidence_and_the_band_narrows():
    thin, rich = Estimate(0.97, 3, 3), Estimate(0.97, 40, 38)
    assert not thin.enough and not thin.proficient and "证据不足" in thin.label()
    assert rich.proficient and rich.band < thin.band
    assert "not enough evidence" in thin.label("en")


def test_elo_makes_an_item_harder_when_workers_fail_it():
    d = 0.0
    for n in range(20):
        d = mastery.elo_update(d, n, 0.0, right=False)
    assert d > 1.0
    assert mastery.elo_update(0.0, 0, 0.0, right=True) < 0.0


def test_fit_keeps_defaults_on_thin_data_and_recovers_the_direction_of_learning():
    assert mastery.fit([[1, 0, 1]]) == DEFAULT
    from random import Random

    from extraction.growth.evaluate import simulate

    true = SkillParams(p_init=0.1, p_learn=0.3, p_slip=0.05, p_guess=0.1)
    got = mastery.fit(simulate(true, 200, 10, Random(1)))
    assert got.p_learn >= 0.2 and got.p_guess <= 0.2 and got.p_slip <= 0.1


def test_evaluation_beats_the_share_so_far_baseline_in_the_same_run():
    r = run(seed=3, skills=2, learners=160, answers=10)
    assert r["bkt_fitted"]["auc"] > r["share_so_far"]["auc"]
    assert r["bkt_fitted"]["ece"] < r["share_so_far"]["ece"]
    assert auc(__import__("numpy").array([0, 1]), __import__("numpy").array([0.1, 0.9])) == 1.0


def test_tier_rules_skills_or_count_with_required():
    rungs = [tiers.Rung(1, "新手", {}), tiers.Rung(2, "熟练", {"skills": ["背面充氩", "电光性眼炎防护"]}),
             tiers.Rung(3, "骨干", {"count": 4, "required": ["焊接电流选择"]})]
    st = tiers.standing(rungs, "焊工", {"背面充氩"})
    assert (st.tier, st.next_tier) == ("新手", "熟练")
    assert st.explain() == "升熟练还差：电光性眼炎防护"
    st = tiers.standing(rungs, "焊工", {"背面充氩", "电光性眼炎防护"}, closest=["坡口清理"])
    assert st.tier == "熟练" and st.missing == ["焊接电流选择"] and st.more == 1
    assert "焊接电流选择" in st.explain() and "再掌握 1 项技能（最接近：坡口清理）" in st.explain()
    st = tiers.standing(rungs, "焊工", {"背面充氩", "电光性眼炎防护", "焊接电流选择", "坡口清理"})
    assert st.tier == "骨干" and st.next_tier is None


def test_default_ladder_is_the_national_eight_levels():
    rungs = tiers.default_ladder([f"s{i}" for i in range(14)])
    assert [r.name for r in rungs] == list(tiers.NATIONAL)
    assert [r.rule.get("count", 0) for r in rungs] == [0, 2, 4, 6, 8, 10, 12, 14]
    assert tiers.standing(rungs, "焊工", set()).tier == "学徒工"


def test_next_steps_put_assignments_reviews_and_weak_skills_before_the_path():
    states = [SkillState("坡口", "焊工", Estimate(0.4, 6, 2)), SkillState("面罩", "焊工", Estimate(0.99, 8, 8)),
              SkillState("氩气", "焊工", Estimate(0.5, 2, 1))]
    paths = [PathProgress(1, "焊工入门", "初级工", 1, 2, "c2")]
    assigned = [{"title": "安全课", "due": "2026-12-01", "done": False}]
    steps = next_steps(states, [object()], paths, {"c2": "氩弧焊"}, assigned)  # type: ignore[list-item]
    assert steps == ["完成指派：《安全课》（2026-12-01 截止）", "今日复习 1 题", "加强薄弱技能：坡口",
                     "多做几题以判断：氩气", "学习路径「焊工入门」下一步：《氩弧焊》"]
