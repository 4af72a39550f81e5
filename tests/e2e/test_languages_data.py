"""The screens that show data speak the chosen language too: an upload's status column, a
transcript's header line, and the labels of worker, trainer and enterprise profiles.

tests/e2e/test_languages.py walks every screen of an empty app; these screens only show their
words once there is something to show. Only what the app itself writes is read here (table
headers, status values, labels), not the masters' words or the names people typed.
Screenshots: test-artifacts/screenshots/lang-data-*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from chromium_browser import log_in
from test_languages import SHOTS, _foreign

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from app_testkit import PASSWORD, make_course, make_users  # noqa: E402

from extraction.learning import submit_quiz  # noqa: E402
from shifu.context import Context  # noqa: E402
from shifu.settings import load_settings  # noqa: E402
from shifu.store import session_scope  # noqa: E402
from shifu.tables import CourseRow  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FILES = {"zh": REPO / "corpus" / "telecom_line_maintenance_zh.md", "en": REPO / "corpus" / "lineman_safety_en.json"}
LONG = 120_000
# Visible text the app writes on these screens: table headers, the status column, profile labels.
APP_WORDS = """(el) => {
  const out = [];
  for (const th of el.querySelectorAll('thead th')) out.push(th.innerText);
  const heads = [...el.querySelectorAll('thead th')].map(th => th.innerText.trim());
  const col = heads.findIndex(h => h === '状态' || h === 'status');
  if (col >= 0) for (const row of el.querySelectorAll('tbody tr')) out.push(row.children[col]?.innerText || '');
  for (const b of el.querySelectorAll('b')) out.push(b.innerText);
  return out.join(' | ');
}"""
# A refused upload's message and a refused profile, in each language: shown in the chosen one only.
REFUSALS = {"upload": {"zh": "含有空字节", "en": "contains NUL bytes"},
            "profile": {"zh": "只有管理员和本企业的内训师能看企业画像",
                        "en": "only admins and the enterprise's trainers see its profile"}}
# The labels of the tab bar that holds the given tab (the hidden copy Gradio measures widths with left out).
TAB_BAR = """(el) => [...el.closest('[role=tablist]').querySelectorAll('[role=tab]')]
  .filter(b => b.offsetParent !== null).map(b => b.innerText.trim())"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from app_testkit import serve

    settings = load_settings(home=tmp_path_factory.mktemp("lang-data-home"))
    make_users(settings)
    make_course(settings, "pub")  # li_trainer's course, one attempt by wang_worker: a profile to show
    with session_scope(settings) as s:
        s.get(CourseRow, "pub").created_by = "li_trainer"
    submit_quiz(Context(settings), "wang_worker", "pub", {"q1": "打磨坡口", "q2": "false"})
    url, app = serve(settings)
    yield url
    app.close()


def _trainer(browser, url: str):
    return log_in(browser, url, "li_trainer", PASSWORD, width=1400)


def _choose(page, lang: str) -> None:
    choice = page.get_by_label("English" if lang == "en" else "中文")
    if not choice.is_checked():
        choice.check()  # stored, then the page reloads in that language
        page.wait_for_timeout(1500)
        page.get_by_text("Welcome, li_trainer" if lang == "en" else "欢迎，li_trainer").wait_for()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def _refused_only_in(where, what: str, lang: str) -> set[str]:
    """The refusal's sentence in the other language where it shows, or a note that it does not show at all."""
    text = where.inner_text()
    other = REFUSALS[what]["en" if lang == "zh" else "zh"]
    return ({f"(no {what} refusal)"} if REFUSALS[what][lang] not in text else set()) | ({other} & {
        other if other in text else ""})


def _tier_line_problems(profile: str, lang: str) -> set[str]:
    """The app's own words of the tier line in the other language, or a note that no tier line shows."""
    ours = {"zh": ("还差", "已到最高一级"), "en": ("still missing", "top of the ladder")}
    theirs = {"zh": ("still missing", "more proficient", "closest", "top of the ladder"),
              "en": ("还差", "再掌握", "最接近", "已到最高一级")}
    if not any(w in profile for w in ours[lang]):
        return {"(no tier line)"}
    return {w for w in theirs[lang] if w in profile}


def test_upload_transcript_and_profiles_speak_the_chosen_language(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    broken = tmp_path / "broken.txt"  # a file that fails, so a failed status shows too
    broken.write_bytes(b"\x00\x01\x02")

    context, page = _trainer(browser, app_url)
    problems: dict[str, set[str]] = {}
    names = {"zh": ("内训师工作台", "查看转写稿", "上传转写稿", "指派与画像", ("职工", "内训师", "企业")),
             "en": ("Trainer", "Transcripts", "Upload transcripts", "Assign & profiles",
                    ("worker", "trainer", "enterprise"))}
    for lang in ("zh", "en"):
        _choose(page, lang)
        desk, view, upload, profiles, kinds = names[lang]
        _tab(page, desk)
        _tab(page, upload)
        page.locator("#t-files input[type=file]").set_input_files([str(FILES[lang]), str(broken)])
        page.locator("#t-consent input").check()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#t-ingest").click()
        done = "1 个文件已入库，1 个失败" if lang == "zh" else "1 file(s) indexed, 1 failed"
        expect(page.locator("#t-ingest-status")).to_contain_text(done, timeout=LONG)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"lang-data-{lang}-upload.png"), full_page=True)
        problems[f"{lang} upload table"] = _foreign(page.locator("#t-ingest-table").evaluate(APP_WORDS), lang)
        problems[f"{lang} upload refusal"] = _refused_only_in(page.locator("#t-ingest-table"), "upload", lang)

        _tab(page, view)
        page.locator("#t-transcript input").click()
        page.get_by_role("option").first.click()
        expect(page.locator("#t-meta")).to_contain_text("·", timeout=LONG)
        meta = page.locator("#t-meta").inner_text()
        # the header line is data (title, master, file name) joined with the app's words about consent and counts
        app_part = " ".join(meta.split(" · ")[-3:-1])
        problems[f"{lang} transcript header"] = _foreign(app_part, lang)

        _tab(page, desk)
        _tab(page, profiles)
        shown = page.get_by_role("tab", name=profiles, exact=True).first.evaluate(TAB_BAR)
        if shown.count(profiles) != 1 or _foreign(" ".join(shown), lang):
            problems[f"{lang} tab bar"] = set(shown)
        marks = ("测验次数", "好评率", "参与率") if lang == "zh" else ("attempts", "good ratings", "engagement")
        for kind, who, mark in zip(kinds, ("wang_worker", "li_trainer", "温州鞋厂"), marks, strict=True):
            page.locator("#g-pkind label", has_text=kind).first.click()
            page.locator("#g-who textarea, #g-who input").first.fill(who)
            page.locator("#g-profile-btn").click()
            expect(page.locator("#g-profile")).to_contain_text(mark, timeout=LONG)
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / f"lang-data-{lang}-profile-{kind}.png"), full_page=True)
            problems[f"{lang} {kind} profile"] = _foreign(page.locator("#g-profile-page").evaluate(APP_WORDS), lang)
            if kind == kinds[0]:  # the tier line: the app's words around the tier names and skills (data)
                problems[f"{lang} tier line"] = _tier_line_problems(page.locator("#g-profile-page").inner_text(), lang)
        # a profile the trainer may not see: refused in the chosen language only
        page.locator("#g-pkind label", has_text=kinds[2]).first.click()
        page.locator("#g-who textarea, #g-who input").first.fill("别的企业")
        page.locator("#g-profile-btn").click()
        expect(page.get_by_text(REFUSALS["profile"][lang]).first).to_be_visible(timeout=LONG)
        problems[f"{lang} profile refusal"] = _refused_only_in(page.locator("body"), "profile", lang)
        page.screenshot(path=str(SHOTS / f"lang-data-{lang}-profile-refused.png"), full_page=True)
        for close in page.locator(".toast-close").all():
            close.click()
        _tab(page, desk)
    _choose(page, "zh")  # leave the user in Chinese
    context.close()
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(problems.items()))
