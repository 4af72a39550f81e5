"""The whole app in headless Chromium: admin, trainer and worker each do their job through the UI.

Screenshots of every screen go to test-artifacts/screenshots/ (gitignored).
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
GBK_TRANSCRIPT = REPO / "corpus" / "welding_tig_mig_zh_gbk.txt"
PW = "secret-pw-1"
LONG = 240_000  # ms: a first draft loads the models in the drafting process


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, request):
    settings = library_settings(request, tmp_path_factory.mktemp("e2e-home"))
    ctx = Context(settings)
    add_user(ctx, "boss", PW, "admin")
    with served_app(settings) as url:
        yield url


class UI(UserPage):
    """A logged-in user's page (tests/chromium_browser.py) in the window size of these screenshots."""

    def __init__(self, browser, url: str, user: str) -> None:
        super().__init__(browser, url, user, PW, height=1100)


def test_admin_trainer_and_worker_do_their_jobs_in_the_browser(app_url, browser):
    # --- the admin creates a trainer and a worker -----------------------------------------
    admin = UI(browser, app_url, "boss")
    admin.shot("01-admin-home")
    admin.tab("管理")
    admin.tab("用户管理")
    for name, role in (("li_trainer", "内训师"), ("wang_worker", "职工学员")):
        admin.fill("new-username", name)
        admin.pick("new-role", role)
        admin.fill("new-enterprise", "温州瓯江阀门")
        admin.fill("new-password", PW)
        admin.click("add-user")
        admin.sees("users-status", f"已添加用户 {name}")
    admin.sees("users-table", "wang_worker")
    admin.shot("02-admin-users")
    admin.close()

    # --- the trainer uploads a GBK transcript, drafts, edits a quiz item, publishes --------
    trainer = UI(browser, app_url, "li_trainer")
    trainer.expect(trainer.page.get_by_role("tab", name="管理", exact=True)).to_have_count(0)
    trainer.tab("内训师工作台")
    trainer.page.locator("#t-files input[type=file]").set_input_files(str(GBK_TRANSCRIPT))
    trainer.sees("t-files", "welding_tig_mig_zh_gbk.txt")
    trainer.fill("t-expert", "张建国")
    trainer.fill("t-trade", "焊工")
    trainer.fill("t-enterprise", "温州瓯江阀门")
    trainer.fill("t-date", "2024-03-12")
    trainer.page.locator("#t-consent input").check()
    trainer.click("t-ingest")
    trainer.sees("t-ingest-status", "1 个文件已入库，0 个失败", timeout=LONG)
    trainer.sees("t-ingest-table", "welding_tig_mig_zh_gbk.txt")
    trainer.shot("03-trainer-upload")

    trainer.tab("查看转写稿")
    trainer.pick("t-transcript", re.compile("氩弧焊"))
    trainer.sees("t-turns", "片段 1")
    trainer.shot("04-trainer-transcript")

    trainer.tab("起草课程")
    trainer.page.locator("#t-draft-pick label").first.click()
    trainer.click("t-draft")
    trainer.sees("t-draft-status", "已起草", timeout=LONG)
    trainer.shot("05-trainer-draft")

    trainer.tab("审阅课程")
    trainer.sees("r-tree", "Q1〔")
    trainer.page.locator("#r-tree label").filter(has_text="Q1〔").first.click()
    trainer.expect(trainer.page.locator("#r-quotes")).to_contain_text("[1]")
    trainer.expect(trainer.page.locator("#r-span mark")).to_be_visible()
    # another item: the highlighted span follows it (it used to stay on the first item's words)
    q1_quotes = trainer.page.locator("#r-quotes").inner_text()
    trainer.page.locator("#r-tree label").filter(has_text="Q2〔").first.click()
    trainer.expect(trainer.page.locator("#r-quotes")).not_to_have_text(q1_quotes, timeout=30_000)
    trainer.expect(trainer.page.locator("#r-quotes")).to_contain_text("[1]")
    first_quote = trainer.page.locator("#r-quotes").inner_text().split("[1]", 1)[1].strip()
    trainer.expect(trainer.page.locator("#r-span mark")).to_contain_text(first_quote[:8])
    trainer.page.locator("#r-tree label").filter(has_text="Q1〔").first.click()
    trainer.expect(trainer.page.locator("#r-span mark")).to_be_visible()
    trainer.shot("06-trainer-review-item")
    stem = trainer.page.locator("#r-text textarea").input_value()
    trainer.fill("r-text", stem + "（内训师修改）")
    trainer.click("r-save")
    trainer.sees("r-saved", "已保存为第 2 版")
    trainer.shot("07-trainer-review-edited")

    trainer.tab("版本与发布")
    # the tab fills the version pickers; comparing before they show version 2 would compare v1 with v1
    trainer.expect(trainer.page.locator("#r-ver-b input")).to_have_value(re.compile(r"^v2"), timeout=30_000)
    trainer.click("r-diff-btn")
    trainer.sees("r-diff", "内训师修改")
    trainer.click("r-submit-review")
    trainer.sees("r-wf-status", "审核中")
    trainer.click("r-publish")
    trainer.sees("r-wf-status", "已发布")
    trainer.shot("08-trainer-published")

    trainer.tab("导出")
    trainer.click("r-export")
    trainer.sees("r-exported", "已导出 7 个文件")
    trainer.sees("r-files", "scorm")
    link = trainer.page.locator("#r-files a[href*='scorm']").first.get_attribute("href")
    download = trainer.context.request.get(link)
    assert download.ok and download.body()[:2] == b"PK"  # a real zip, served to the logged-in trainer
    trainer.shot("09-trainer-export")
    trainer.close()

    # --- the worker reads, takes the quiz, asks, rates ------------------------------------
    worker = UI(browser, app_url, "wang_worker")
    worker.expect(worker.page.get_by_role("tab", name="内训师工作台", exact=True)).to_have_count(0)
    worker.expect(worker.page.get_by_role("tab", name="管理", exact=True)).to_have_count(0)
    worker.sees("w-catalogue", "焊工")
    worker.shot("10-worker-catalogue")
    worker.pick("w-course", re.compile("."))
    worker.tab("阅读课程")
    worker.sees("w-lesson-body", "核心要点")  # a course opens with its key takeaways, each naming its lesson
    worker.sees("w-lesson-body", "见第 1.")
    worker.shot("11a-worker-takeaways")
    worker.pick("w-lesson", re.compile(r"^1\.1 "))
    worker.sees("w-lesson-body", "焊工老师傅谈氩弧焊")  # each point cites the interview
    worker.shot("11-worker-lesson")

    worker.tab("测验")
    worker.click("q-start")
    worker.sees("q-progress", "第 1 /")
    total = int(re.search(r"/ (\d+)", worker.page.locator("#q-progress").inner_text()).group(1))
    for i in range(total):
        worker.sees("q-progress", f"第 {i + 1} / {total} 题")
        page = worker.page
        if page.locator("#q-choice").is_visible():
            page.locator("#q-choice label").first.click()
        elif page.locator("#q-multi").is_visible():
            page.locator("#q-multi label").first.click()
        else:
            worker.fill("q-short", "坡口")
        if i < total - 1:
            worker.click("q-next")
    worker.click("q-submit")
    worker.sees("q-result", "得分")
    worker.shot("12-worker-quiz")

    worker.tab("问师傅")
    worker.fill("w-question", "氩弧焊用什么气体保护？")
    worker.click("w-send")
    citation = worker.page.locator("#w-chat").get_by_text(re.compile(r"^\[1\]")).first
    worker.expect(citation).to_be_visible(timeout=60_000)
    citation.click()  # expand the quote: the transcript around it, the cited words marked
    worker.page.wait_for_timeout(500)
    worker.shot("13a-worker-chat-citation-open")
    worker.expect(worker.page.locator("#w-chat blockquote strong").first).to_be_visible()
    worker.expect(worker.page.locator("#w-chat")).not_to_contain_text("&#")  # escaped once, no entities
    chat = worker.page.locator("#w-chat")
    answer = chat.locator(".message:not(.thought) [data-testid=bot] .message-content").first.inner_text().strip()
    assert re.search(r"[。！？.!?…」”]$", answer), f"the answer stops mid-sentence: {answer[-30:]!r}"
    # each citation names where it was said (the interview, the master) ...
    assert "张师傅" in chat.locator(".thought .title").first.inner_text()
    # ... and shows the transcript around the cited words, not the answer again
    excerpt = chat.locator(".thought blockquote").first.inner_text().strip()
    cited = chat.locator(".thought blockquote strong").first.inner_text().strip()
    assert cited and cited in excerpt and len(excerpt) > len(cited) and excerpt not in answer
    worker.shot("13-worker-chat")

    worker.tab("评价课程")
    worker.page.locator("#w-stars label").nth(4).click()
    worker.fill("w-comment", "讲得很实在")
    worker.click("w-rate")
    worker.sees("w-rated", "5 星")
    worker.shot("14-worker-rating")
    worker.page.get_by_role("link", name="退出登录").click()
    worker.expect(worker.page.locator("input[type=password]")).to_be_visible()
    worker.page.goto(app_url)  # logged out: the app shows the login form again, nothing else
    worker.expect(worker.page.locator("input[type=password]")).to_be_visible()
    worker.expect(worker.page.get_by_text("欢迎")).to_have_count(0)
    worker.close()

    # --- the admin edits a prompt template, then rolls it back ------------------------------
    admin = UI(browser, app_url, "boss")
    admin.tab("管理")
    admin.tab("提示词模板")
    admin.pick("tpl-name", "qa")
    admin.sees("tpl-body", "name: qa")
    shipped = admin.page.locator("#tpl-history").inner_text()
    editor = admin.page.locator("#tpl-body .cm-content")
    editor.click()
    admin.page.keyboard.press("Control+Home")
    admin.page.keyboard.press("ArrowDown")
    admin.page.keyboard.press("End")
    admin.page.keyboard.type("（管理员修订）")
    admin.click("tpl-save-act")
    admin.sees("tpl-status", "qa 现在使用版本")
    admin.sees("tpl-history", "boss")
    edited = admin.page.locator("#tpl-status").inner_text().rsplit(" ", 1)[-1]
    admin.click("tpl-diff-btn")  # the new version (A) against the shipped one (B)
    admin.sees("tpl-diff", "管理员修订")
    admin.shot("15-admin-template-edited")
    admin.click("tpl-rollback")
    admin.expect(admin.page.locator("#tpl-status")).not_to_contain_text(edited)
    admin.sees("tpl-body", "name: qa")
    admin.expect(admin.page.locator("#tpl-body")).not_to_contain_text("管理员修订")
    admin.shot("16-admin-template-rolled-back")
    assert shipped

    admin.tab("数据驾驶舱")
    admin.sees("dash-md", "测验次数")
    admin.shot("17-admin-dashboard")
    admin.page.get_by_label("English").check()
    admin.expect(admin.page.get_by_role("tab", name="Admin", exact=True)).to_be_visible()
    admin.shot("18-admin-english")
    admin.close()
