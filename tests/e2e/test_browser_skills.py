"""Skills in headless Chromium: a course drafted from the welding interview shows the skills drafting
proposed for its points and quiz items; the trainer replaces one item's skill with a new name (a new
version, seen in the diff), publishes, and a worker's answer to that item moves their mastery of the
renamed skill on 我的学习. Screenshots go to test-artifacts/screenshots/skills-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium_browser import UserPage, served_app

from shifu.auth import add_user
from shifu.context import Context
from shifu.settings import load_settings
from shifu.store import session_scope
from shifu.tables import SkillRow

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PW = "secret-pw-1"
NEW_SKILL = "氩弧焊收弧操作"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A trainer, a worker, the welding trade's curated list, and a course drafted from the welding interview."""
    from extraction.drafting import draft_course
    from rag.catalog import update_metadata
    from rag.ingest import ingest_file

    settings = load_settings(home=tmp_path_factory.mktemp("skills-home"))
    ctx = Context(settings)
    add_user(ctx, "li_trainer", PW, "trainer", enterprise="温州瓯江阀门")
    add_user(ctx, "wang_worker", PW, "worker", enterprise="温州瓯江阀门")
    with session_scope(settings) as s:
        s.add(SkillRow(trade="焊工", name="焊接电流选择"))
    result = ingest_file(ctx, REPO / "corpus" / "welding_tig_mig_zh_gbk.txt")
    update_metadata(ctx, result.transcript_id, consent=True, trade="焊工")
    course_id, _v, draft = draft_course(ctx, [result.transcript_id], created_by="li_trainer")
    with served_app(settings) as url:
        yield url, course_id, draft


class Page(UserPage):
    """A logged-in user's page (tests/chromium_browser.py)."""

    prefix = "skills-"

    def __init__(self, browser, url: str, user: str) -> None:
        super().__init__(browser, url, user, PW)


def test_a_trainer_edits_a_proposed_skill_and_a_workers_answer_moves_its_mastery(app, browser):
    url, course_id, draft = app
    point_skill = draft.modules[0].lessons[0].points[0].skills[0]
    q1 = draft.quiz[0]
    assert q1.skills and NEW_SKILL not in q1.skills

    tr = Page(browser, url, "li_trainer")
    tr.tab("审阅课程")
    tr.pick("r-course", re.compile(re.escape(draft.title)))
    tr.page.locator("#r-tree label").filter(has_text="1.1.1").first.click()
    tr.sees("r-skills", point_skill)  # the skill drafting proposed for the first point
    tr.page.locator("#r-tree label").filter(has_text="Q1〔").first.click()
    for name in q1.skills:
        tr.sees("r-skills", name)
    tr.shot("01-proposed")

    skills = tr.page.locator("#r-skills")
    while skills.locator(".token-remove").count():  # remove what drafting proposed …
        skills.locator(".token-remove").first.click()
    box = skills.locator("input")
    box.click()
    box.fill(NEW_SKILL)  # … and name the skill anew
    box.press("Enter")
    tr.page.locator("#r-text textarea").click()  # close the list
    tr.click("r-save-skills")
    tr.sees("r-saved", f"已保存为第 2 版：技能 {q1.id}: {NEW_SKILL}")
    tr.sees("r-skills", NEW_SKILL)
    tr.shot("02-edited")

    tr.tab("版本与发布")
    tr.click("r-diff-btn")
    tr.sees("r-diff", NEW_SKILL)
    tr.click("r-submit-review")
    tr.sees("r-wf-status", "审核中")
    tr.click("r-publish")
    tr.sees("r-wf-status", "学员看到：第 2 版")
    tr.shot("03-diff-published")
    tr.context.close()

    w = Page(browser, url, "wang_worker")
    w.tab("学习")
    w.pick("w-course", re.compile(re.escape(draft.title)))
    w.tab("测验")
    w.click("q-start")
    w.sees("q-progress", "第 1 /")
    answered = w.page.locator("#q-choice label, #q-multi label").first
    if answered.is_visible():
        answered.click()
    else:
        w.page.locator("#q-short textarea, #q-short input").first.fill("电流")
    w.click("q-submit")
    w.sees("q-result", "得分")
    w.tab("我的学习")
    w.click("g-refresh")
    w.sees("g-skills", NEW_SKILL)  # the answer counted toward the skill the trainer named
    w.shot("04-worker-mastery")
    w.context.close()
