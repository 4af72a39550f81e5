"""The login page speaks Chinese first: the note above the form says, in Chinese and then in English,
what to enter and whom to ask for an account, whatever the browser's language; Gradio words the form
itself by the browser's language (用户名 / 密码 / 登录 in a Chinese browser).
Screenshots: test-artifacts/screenshots/login-zh-CN.png, login-en-US.png.
"""

from __future__ import annotations

import pytest
from backends import library_settings
from chromium_browser import SHOTS, served_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZH_NOTE = "请输入管理员为您开通的账号"
ASK_ZH = "还没有账号或忘了密码，请找本单位的 shifu 管理员开通或重置"
EN_NOTE = "Enter the account your admin set up for you"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, request):
    with served_app(library_settings(request, tmp_path_factory.mktemp("login-page-home"))) as url:
        yield url


def _login_page(browser, url: str, locale: str):
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.locator("input[type=password]").wait_for()
    return context, page


@pytest.mark.parametrize("locale, fields, button", [("zh-CN", ("用户名", "密码"), "登录"),
                                                   ("en-US", ("username", "password"), "Login")])
def test_the_login_page_says_in_chinese_first_what_to_enter_and_whom_to_ask(browser, app_url, locale, fields,
                                                                           button) -> None:
    context, page = _login_page(browser, app_url, locale)
    try:
        text = page.locator("body").inner_text()
        assert ZH_NOTE in text and ASK_ZH in text and EN_NOTE in text
        assert text.index(ZH_NOTE) < text.index(EN_NOTE)  # Chinese first, English under it
        zh_box = page.get_by_text(ZH_NOTE).bounding_box()
        en_box = page.get_by_text(EN_NOTE).bounding_box()
        assert zh_box and en_box and zh_box["y"] < en_box["y"]
        for field in fields:  # Gradio's own words, in the browser's language
            assert page.get_by_label(field, exact=True).count() == 1
        assert page.get_by_role("button", name=button, exact=True).is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"login-{locale}.png"), full_page=True)
    finally:
        context.close()
