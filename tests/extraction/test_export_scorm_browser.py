"""SCORM 1.2 in a real browser: the quiz page, framed by a stand-in LMS, reports its score through the API."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile

import pytest
from conftest_export import welding_course

from extraction.export import export_course

pytestmark = pytest.mark.browser

# What an LMS puts in the frameset: the SCORM 1.2 API object, here recording every call.
LMS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><script>
window.calls = [];
function record(name) { return function () {
  window.calls.push([name].concat(Array.prototype.slice.call(arguments)));
  return name === "LMSGetValue" ? (arguments[0] === "cmi.core.lesson_status" ? "not attempted" : "") : "true";
}; }
window.API = {};
["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit"].forEach(function (n) { API[n] = record(n); });
API.LMSGetLastError = function () { return "0"; };
</script></head><body><iframe id="sco" src="SCO" width="900" height="700"></iframe></body></html>"""

RIGHT = {"q1": [0], "q2": [0, 1], "q3": [1], "q4": [0], "q6": [0], "q8": [0, 1, 2]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The unzipped package and two LMS pages, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("lms")
    with zipfile.ZipFile(export_course(welding_course(), "scorm", root / "course.zip")) as zf:
        zf.extractall(root / "course")
    for sco in ("quiz", "lesson-2-1"):
        (root / "course" / f"lms-{sco}.html").write_text(LMS_PAGE.replace("SCO", f"{sco}.html"), encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "course"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    page.close()


def _answer(frame, answers: dict[str, list[int]], typed: dict[str, str]) -> None:
    for name, picks in answers.items():
        for value in picks:
            frame.locator(f"input[name={name}][value='{value}']").check()
    for name, text in typed.items():
        frame.locator(f"input[name={name}]").fill(text)
    frame.locator("button[type=submit]").click()


def _sets(page) -> dict[str, str]:
    return {c[1]: c[2] for c in page.evaluate("window.calls") if c[0] == "LMSSetValue"}


def test_all_right_reports_100_and_passed(site, page):
    page.goto(f"{site}/lms-quiz.html")
    frame = page.frame_locator("#sco")
    frame.locator("fieldset").first.wait_for()
    page.wait_for_function("window.calls.length > 0")
    long_key = welding_course().quiz[6].answer[0]
    _answer(frame, RIGHT, {"q5": " 10到15毫米 ", "q7": long_key})
    assert "100" in frame.locator("#result").inner_text()
    sets = _sets(page)
    assert sets["cmi.core.score.raw"] == "100" and sets["cmi.core.lesson_status"] == "passed"
    names = [c[0] for c in page.evaluate("window.calls")]
    assert names[0] == "LMSInitialize" and names[-2:] == ["LMSCommit", "LMSFinish"]
    assert page.dialogs == []  # the <script> in the master's words never ran


def test_half_wrong_reports_the_score_and_failed(site, page):
    page.goto(f"{site}/lms-quiz.html")
    frame = page.frame_locator("#sco")
    page.wait_for_function("window.calls.length > 0")
    # q1, q3 right; q2 one key and one wrong pick (0 credit); everything else wrong or blank: 2/8 = 25
    _answer(frame, {"q1": [0], "q2": [0, 2], "q3": [1], "q4": [1]}, {"q5": "20"})
    sets = _sets(page)
    assert sets["cmi.core.score.raw"] == "25" and sets["cmi.core.lesson_status"] == "failed"
    assert frame.locator("fieldset.wrong").count() == 6
    assert frame.locator(".explanation:visible").count() == 2


def test_a_lesson_page_marks_itself_completed(site, page):
    page.goto(f"{site}/lms-lesson-2-1.html")
    page.wait_for_function("window.calls.some(c => c[0] === 'LMSCommit')")
    assert _sets(page) == {"cmi.core.lesson_status": "completed"}
    text = page.frame_locator("#sco").locator("blockquote").first.inner_text()
    assert "<script>alert('烫')</script>" in text and page.dialogs == []
