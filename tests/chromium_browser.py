"""The headless Chromium that browser tests drive; skipped where Chromium or Playwright is missing."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager

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
