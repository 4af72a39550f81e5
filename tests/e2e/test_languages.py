"""Every screen of every role in both languages: no word of the other language shows.

The walker logs in as each role, chooses a language, opens every tab it can see and reads the
page's text. A small allow-list covers product names, units and the language picker itself.
The choice is remembered per user: a reload comes back in the language chosen last.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backends import library_settings
from chromium_browser import log_in, served_app

from shifu.auth import add_user
from shifu.context import Context

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-artifacts" / "screenshots"
PW = "secret-pw-1"
USERS = {"boss": "admin", "li_trainer": "trainer", "wang_worker": "worker"}

# Shown in either language: product and format names, the language picker, units.
ALLOWED_EN = {w.lower() for w in (
    "shifu", "English", "Language", "SCORM", "QTI", "Moodle", "JSON", "Markdown", "Word", "LMS", "CSV", "YAML",
    "PDF", "DOCX", "TXT", "SRT", "VTT", "GIFT", "XML", "LLM", "MB", "zip", "UTF", *USERS)}
# Gradio's own widget texts follow the browser's locale (zh-CN here), not the app's choice.
GRADIO_ZH = {"将文件拖放到此处", "或", "点击上传", "加载中"}
# ... except the running-event timer, which Gradio writes in English whatever the locale
GRADIO_EN = {"processing"}
ALLOWED_ZH = {"师傅", "中文", "语言"}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, request):
    settings = library_settings(request, tmp_path_factory.mktemp("lang-home"))
    ctx = Context(settings)
    for name, role in USERS.items():
        add_user(ctx, name, PW, role)
    with served_app(settings) as url:
        yield url


def _login(browser, url: str, user: str):
    context, page = log_in(browser, url, user, PW, width=1400, height=900, timeout=20_000)
    page.wait_for_timeout(800)
    # a template's YAML is the text being edited, in whatever language its author wrote
    page.add_style_tag(content=".cm-editor{display:none !important}")
    return context, page


def _foreign(text: str, lang: str) -> set[str]:
    """Words of the other language in the page text."""
    # Gradio's own status texts: an untranslated key, and the queue position while an event waits
    text = re.sub(r"common\.complete|queue:?\s*\d*/?\d*", "", text)
    if lang == "en":
        return {w for w in re.findall(r"[\u4e00-\u9fff]+", text) if w not in ALLOWED_ZH | GRADIO_ZH}
    return {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w.lower() not in ALLOWED_EN | GRADIO_EN}


def _walk(page, lang: str, name: str) -> dict[str, set[str]]:
    """Open every visible tab (outer, then inner) and collect the foreign words per tab."""
    found: dict[str, set[str]] = {}
    outer = page.locator(".tab-wrapper").first.get_by_role("tab")
    for i in range(outer.count()):
        outer.nth(i).click()
        page.wait_for_timeout(300)
        inner = page.locator("[role=tabpanel]:visible [role=tab]:visible")
        labels = [inner.nth(j).inner_text() for j in range(inner.count())] or [""]
        for label in labels:
            if label:
                page.locator("[role=tabpanel]:visible [role=tab]:visible").filter(has_text=label).first.click()
                page.wait_for_timeout(500)
            words = _foreign(page.locator("body").inner_text(), lang)
            if words:
                found[f"{outer.nth(i).inner_text()}/{label}"] = words
            SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"lang-{name}-{lang}-{i}.png"))
    return found


def test_every_screen_speaks_one_language_and_the_choice_is_remembered(app_url, browser):
    problems: dict[str, set[str]] = {}
    for user, role in USERS.items():
        context, page = _login(browser, app_url, user)
        for lang, choice in (("zh", "中文"), ("en", "English")):
            if not page.get_by_label(choice).is_checked():
                page.get_by_label(choice).check()  # stored, then the page reloads in that language
                page.get_by_text(f"Welcome, {user}" if lang == "en" else f"欢迎，{user}").wait_for()
                page.wait_for_load_state()
                page.add_style_tag(content=".cm-editor{display:none !important}")
            for where, words in _walk(page, lang, role).items():
                problems[f"{role} {lang} {where}"] = words
        page.reload()  # English was chosen last: it comes back
        page.get_by_text(f"Welcome, {user}").wait_for()
        page.get_by_label("中文").check()  # leave the user in Chinese
        page.get_by_text(f"欢迎，{user}").wait_for()
        context.close()
    assert not problems, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(problems.items()))
