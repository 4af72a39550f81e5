"""The review and publishing flow in headless Chromium: a hard error cannot be accepted away, the
outline is edited in place (rename, reorder, add, merge) with the selection kept, versions are
compared item by item, and a republished course stays visible to a worker until the switch.

One browser, one app; screenshots go to test-artifacts/screenshots/review-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backends import library_settings
from chromium_browser import UserPage, served_app

from shifu.auth import add_user
from shifu.context import Context

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PW = "secret-pw-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory, request):
    """A running app with a trainer, a worker and one drafted course whose master consented."""
    from extraction.drafting import draft_course
    from rag.catalog import update_metadata
    from rag.ingest import ingest_file

    settings = library_settings(request, tmp_path_factory.mktemp("review-home"))
    ctx = Context(settings)
    add_user(ctx, "boss", PW, "admin")
    add_user(ctx, "li_trainer", PW, "trainer", enterprise="温州瓯江阀门")
    add_user(ctx, "wang_worker", PW, "worker", enterprise="温州瓯江阀门")
    result = ingest_file(ctx, REPO / "corpus" / "welding_tig_mig_zh_gbk.txt")
    update_metadata(ctx, result.transcript_id, consent=True, trade="焊工")
    course_id, _v, draft = draft_course(ctx, [result.transcript_id], created_by="li_trainer")
    with served_app(settings) as url:
        yield url, ctx, course_id, draft


class Page(UserPage):
    """A logged-in user's page (tests/chromium_browser.py) with the outline tree's gestures."""

    prefix = "review-"

    def __init__(self, browser, url: str, user: str) -> None:
        super().__init__(browser, url, user, PW)

    def select(self, label: str | re.Pattern) -> None:
        """Click an entry of the outline tree."""
        self.page.locator("#r-tree label").filter(has_text=label).first.click()

    def keeps(self, text: str) -> None:
        """The outline's selected entry shows this text."""
        self.expect(self.page.locator("#r-tree label:has(input:checked)")).to_contain_text(text)

    def toast(self, text: str | re.Pattern) -> None:
        self.expect(self.page.get_by_text(text).first).to_be_visible()
        self.page.wait_for_timeout(200)


def test_review_outline_diff_and_republish_in_the_browser(app, browser):
    url, ctx, course_id, draft = app
    tr = Page(browser, url, "li_trainer")
    tr.tab("审阅课程")
    tr.pick("r-course", re.compile(re.escape(draft.title)))
    tr.sees("r-status", "正在查看：第 1 版（草稿）")
    tr.shot("00-opened")

    # --- a hard error cannot be accepted away -----------------------------------------------
    tr.select("Q1〔")
    key = tr.page.locator("#r-answer textarea").input_value()
    tr.fill("r-answer", "不在选项里的答案")
    tr.click("r-save")
    tr.sees("r-saved", "已保存为第 2 版")
    tr.sees("r-flags", "答案不在选项中")
    tr.sees("r-flags", "错误（须修改或删除）")
    tr.keeps("Q1〔")  # the selection stays after the save
    tr.fill("r-reason", "我确认")
    tr.click("r-accept")
    tr.sees("r-saved", "此条不能直接接受")  # beside the button, the outline untouched
    tr.keeps("Q1〔")
    tr.shot("01-hard-error-refused")
    tr.fill("r-answer", key)
    tr.click("r-save")
    tr.sees("r-saved", "已保存为第 3 版")
    tr.keeps("Q1〔")

    # --- the outline: rename, reorder, add, merge ------------------------------------------
    first = draft.modules[0].lessons[0].title
    tr.select(re.compile(r"1\.1 \S"))
    tr.fill("r-ol-text", "保护气体怎么选")
    tr.click("r-ol-rename")
    tr.sees("r-ol-result", "已保存为第 4 版")
    tr.sees("r-tree", "1.1 保护气体怎么选")
    tr.keeps("保护气体怎么选")
    # a lesson with two points or more: its first point moves down within it (a last point would cross over)
    m, n = next((m, n) for m, module in enumerate(draft.modules, 1) for n, lesson in enumerate(module.lessons, 1)
                if len(lesson.points) >= 2)
    tr.select(f"{m}.{n}.1〔")
    tr.click("r-ol-down")
    tr.sees("r-ol-result", "已保存为第 5 版")
    tr.keeps(f"{m}.{n}.2〔")
    tr.fill("r-ol-text", "收弧前先停送丝，再移开焊枪")
    tr.click("r-ol-add")
    tr.sees("r-ol-result", "已保存为第 6 版")
    tr.keeps("收弧前先停送丝")
    tr.select(re.compile(r"1\.1 \S"))
    tr.click("r-ol-merge")
    tr.sees("r-ol-result", "已保存为第 7 版")
    tr.keeps("保护气体怎么选")
    tr.shot("02-outline-edited")
    assert first  # the drafted title was replaced

    # --- compare versions item by item; publish v7 -------------------------------------------
    tr.tab("版本与发布")
    tr.sees("r-wf-status", "正在查看：第 7 版")
    tr.pick("r-ver-a", re.compile(r"^v1 "))
    tr.pick("r-ver-b", re.compile(r"^v7 "))
    tr.click("r-diff-btn")
    tr.sees("r-diff", "保护气体怎么选")
    tr.expect(tr.page.locator("#r-diff ins").first).to_be_visible()
    tr.sees("r-diff", "新增")
    tr.shot("03-diff")
    tr.click("r-submit-review")
    tr.sees("r-wf-status", "最新：第 7 版（审核中）")
    tr.click("r-publish")
    tr.sees("r-wf-status", "学员看到：第 7 版")

    # --- edit the published course: workers keep v7 until v8 is published -------------------
    worker = Page(browser, url, "wang_worker")
    worker.sees("w-catalogue", draft.title)
    tr.tab("审阅课程")
    tr.select("【课程】")
    tr.fill("r-ol-text", "氩弧焊：张师傅的经验（修订版）")
    tr.click("r-ol-rename")
    tr.sees("r-ol-result", "已保存为第 8 版")
    tr.sees("r-status", "学员看到：第 7 版 · 最新：第 8 版（草稿）")
    worker.page.reload()
    worker.sees("w-catalogue", draft.title)  # still the live version
    worker.expect(worker.page.locator("#w-catalogue")).not_to_contain_text("修订版")
    worker.sees("w-catalogue", "暂无评价")  # 好评率 and the worker's progress are columns
    worker.sees("w-catalogue", "未开始测验")
    worker.shot("04-worker-sees-live-version")
    cells = worker.page.locator("#w-catalogue").get_by_text("未开始测验")
    next(cells.nth(i) for i in range(cells.count()) if cells.nth(i).is_visible()).click()  # a row opens it
    worker.sees("w-lesson-body", "核心要点")  # the course opens on its key takeaways
    worker.shot("04b-worker-row-opened")
    tr.tab("版本与发布")
    tr.click("r-submit-review")
    tr.sees("r-wf-status", "最新：第 8 版（审核中）")
    tr.click("r-publish")
    tr.sees("r-wf-status", "学员看到：第 8 版")
    tr.shot("05-republished")
    worker.page.reload()
    worker.sees("w-catalogue", "修订版")
    tr.click("r-unpublish")
    tr.sees("r-wf-status", "学员看到：未发布")
    worker.page.reload()
    worker.expect(worker.page.locator("#w-catalogue")).not_to_contain_text("修订版")
    worker.context.close()
    tr.context.close()


def test_admin_imports_users_from_csv_and_confirms_a_deletion(app, browser, tmp_path):
    url, ctx, _course_id, _draft = app
    csv = tmp_path / "users.csv"
    csv.write_text("用户名,角色,企业\n赵六,职工学员,温州瓯江阀门\n钱七,厨师,温州瓯江阀门\n", encoding="utf-8")
    admin = Page(browser, url, "boss")
    admin.tab("管理")
    admin.tab("用户管理")
    admin.page.locator("#csv-file input[type=file]").set_input_files(str(csv))
    admin.click("csv-import")
    admin.sees("csv-report", "没有导入任何用户")
    admin.sees("csv-report", "角色“厨师”无法识别")
    csv.write_text("用户名,角色,企业\n赵六,职工学员,温州瓯江阀门\n钱七,内训师,温州瓯江阀门\n", encoding="utf-8")
    admin.page.locator("#csv-file input[type=file]").set_input_files(str(csv))
    admin.click("csv-import")
    admin.sees("csv-report", "已导入 2 个用户")
    admin.sees("users-table", "钱七")
    admin.shot("06-csv-import")
    admin.fill("new-username", "赵六")
    admin.click("rm-user")
    admin.sees("rm-question", "确定删除用户 赵六")
    admin.shot("07-confirm-delete")
    admin.click("rm-no")
    admin.expect(admin.page.locator("#rm-question")).to_be_hidden()
    admin.click("rm-user")
    admin.click("rm-yes")
    admin.sees("users-status", "赵六")
    admin.expect(admin.page.locator("#users-table")).not_to_contain_text("赵六")
    admin.context.close()


def test_more_from_this_interview_adds_a_left_out_passage_to_a_lesson(app, browser):
    from extraction import review

    url, ctx, course_id, _draft = app
    left = review.more_from_interview(ctx, course_id, None)
    assert left, "selection kept everything: nothing to offer"
    best = left[0]
    now = review.load(ctx, course_id, None)[1]  # as the tests before left it (renamed, republished)
    lesson_label = now.modules[0].lessons[0].title
    tr = Page(browser, url, "li_trainer")
    tr.tab("审阅课程")
    tr.pick("r-course", re.compile(re.escape(now.title)))
    tr.sees("r-more-count", f"还有 {len(left)} 段未选入课程")
    first = tr.page.locator("#r-more label").first
    tr.expect(first).to_contain_text(best.speaker, timeout=30_000)
    tr.shot("10-more-from-interview")

    tr.page.locator("#r-more label").first.click()
    tr.click("r-more-add")
    tr.sees("r-more-result", "请先在大纲中选择要加入的课时")  # no lesson picked yet: said beside the button
    tr.select(f"1.1 {lesson_label}")
    tr.page.locator("#r-more label").first.click()
    tr.click("r-more-add")
    tr.sees("r-more-result", "已保存为")
    tr.shot("11-passage-added")
    tr.keeps(best.text[:12])  # the new point is selected in the outline
    tr.sees("r-more-count", f"还有 {len(left) - 1} 段未选入课程")
    tr.shot("11-passage-added")
    after = review.load(ctx, course_id, None)[1]
    assert any(p.text == best.text for p in after.modules[0].lessons[0].points)
    tr.context.close()
