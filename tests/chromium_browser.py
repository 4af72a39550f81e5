"""The headless Chromium that browser tests drive; skipped where Chromium or Playwright is missing."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        yield browser
        browser.close()


@contextmanager
def served_app(settings) -> Iterator[str]:
    """The real app on a free loopback port in this process; yields its URL, then closes it and the drafting process."""
    from ui.web.app import launch_app
    from ui.web.jobs import shutdown

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch_app(settings, port=port, block=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app.close()
        shutdown()


SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


def log_in(browser, url: str, user: str, password: str, *, width: int = 1600, height: int = 1000,
           locale: str = "zh-CN", timeout: int = 30_000, welcome: str | None = None):
    """A new browser context logged in as `user` on the app at `url`; returns (context, page).

    Waits for `welcome` (e.g. "欢迎，li_trainer") or, without it, for the user's name on the page.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(timeout)
    page.goto(url)
    # Gradio translates its login form by browser locale, so find it by input type.
    page.locator("input:not([type=password])").first.fill(user)
    page.locator("input[type=password]").fill(password)
    page.locator("input[type=password]").press("Enter")
    page.get_by_text(welcome or user).first.wait_for(timeout=60_000)  # a loaded machine
    return context, page


class UserPage:
    """A logged-in user's page with the gestures the browser tests share; elements found by elem_id.

    Screenshots go to test-artifacts/screenshots/<prefix><name>.png.
    """

    prefix = ""

    def __init__(self, browser, url: str, user: str, password: str, *, height: int = 1000) -> None:
        from playwright.sync_api import expect

        self.expect, self.url = expect, url
        self.context, self.page = log_in(browser, url, user, password, height=height, welcome=f"欢迎，{user}")

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name, exact=True).click()

    def pick(self, elem_id: str, option: str | re.Pattern) -> None:
        self.page.locator(f"#{elem_id} input").click()
        self.page.get_by_role("option", name=option).first.click()

    def fill(self, elem_id: str, text: str) -> None:
        self.page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(text)

    def click(self, elem_id: str) -> None:
        self.page.locator(f"#{elem_id}").click()

    def sees(self, elem_id: str, text: str | re.Pattern, timeout: int = 30_000) -> None:
        self.expect(self.page.locator(f"#{elem_id}")).to_contain_text(text, timeout=timeout)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_timeout(300)  # let the last update paint
        self.page.screenshot(path=str(SHOTS / f"{self.prefix}{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
