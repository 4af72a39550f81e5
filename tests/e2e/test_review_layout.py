"""The review screen's outline list stays on the screen: every entry lies inside the viewport
and inside its own column, at a laptop's width and a wide screen's, with long titles.
Screenshots: test-artifacts/screenshots/review-layout-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium_browser import log_in, served_app

from shifu.auth import add_user
from shifu.context import Context
from shifu.settings import load_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-artifacts" / "screenshots"
PW = "secret-pw-1"
# Where each outline entry is, against the viewport and the column that holds the list.
BOXES = """() => {
  const tree = document.querySelector('#r-tree');
  const column = tree.closest('.column') || tree.parentElement;
  const c = column.getBoundingClientRect();
  return [...tree.querySelectorAll('label')].map(l => {
    const r = l.getBoundingClientRect();
    return {text: l.innerText.slice(0, 30), left: r.left, right: r.right, width: r.width,
            colLeft: c.left, colRight: c.right, viewport: window.innerWidth};
  });
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A trainer and one drafted course whose titles are long."""
    from extraction.drafting import draft_course
    from rag.ingest import ingest_file

    settings = load_settings(home=tmp_path_factory.mktemp("layout-home"))
    ctx = Context(settings)
    add_user(ctx, "li_trainer", PW, "trainer", enterprise="温州瓯江阀门")
    result = ingest_file(ctx, REPO / "corpus" / "welding_tig_mig_zh_gbk.txt")
    _course_id, _v, draft = draft_course(ctx, [result.transcript_id], created_by="li_trainer")
    with served_app(settings) as url:
        yield url, draft


@pytest.mark.parametrize("width", [1280, 1600])
def test_outline_entries_stay_inside_the_screen_and_their_column(app, browser, width):
    from playwright.sync_api import expect

    url, draft = app
    context, page = log_in(browser, url, "li_trainer", PW, width=width, height=900, welcome="欢迎，li_trainer")
    page.get_by_role("tab", name="审阅课程", exact=True).click()
    page.locator("#r-course input").click()
    page.get_by_role("option", name=re.compile(re.escape(draft.title))).first.click()
    expect(page.locator("#r-tree label").first).to_be_visible()
    page.locator("#r-tree label").filter(has_text="Q1〔").first.click()
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"review-layout-{width}.png"), full_page=True)
    boxes = page.evaluate(BOXES)
    context.close()
    assert len(boxes) > 10
    outside = [b for b in boxes if b["left"] < 0 or b["right"] > b["viewport"] or b["left"] < b["colLeft"] - 1
               or b["right"] > b["colRight"] + 1 or b["width"] < 40]
    assert not outside, outside[:3]
