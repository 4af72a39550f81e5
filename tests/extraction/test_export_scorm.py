"""SCORM 1.2: a manifest an LMS accepts, lesson pages, and a quiz page that reports its score."""

from __future__ import annotations

import json
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest
from conftest_export import welding_course

from extraction.export import export_course
from extraction.export.scorm import ADLCP, CP

NS = {"cp": CP, "adlcp": ADLCP}


class Page(HTMLParser):
    """Scripts, the charset, every quiz fieldset (type, key, legend, option labels) and all text."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inline_scripts, self.charset, self.fieldsets, self.text = [], 0, None, [], ""
        self._in_script = False
        self._where: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts.append(a.get("src"))
            self._in_script = True
        elif tag == "meta" and "charset" in a:
            self.charset = a["charset"]
        elif tag == "fieldset":
            self.fieldsets.append({"type": a["data-type"], "key": json.loads(a["data-key"]), "legend": "", "labels": []})
        elif tag in ("legend", "label") and self.fieldsets:
            self._where = tag
            if tag == "label":
                self.fieldsets[-1]["labels"].append("")

    def handle_endtag(self, tag):
        self._in_script = self._in_script and tag != "script"
        if tag == self._where:
            self._where = None

    def handle_data(self, data):
        self.inline_scripts += self._in_script and bool(data.strip())
        self.text += data
        if self._where == "legend":
            self.fieldsets[-1]["legend"] += data
        elif self._where == "label":
            self.fieldsets[-1]["labels"][-1] += data


@pytest.fixture(scope="module")
def course():
    return welding_course()


@pytest.fixture
def package(course, tmp_path):
    path = export_course(course, "scorm", tmp_path / "course.zip")
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _parse(raw: bytes) -> Page:
    page = Page()
    page.feed(raw.decode("utf-8"))
    return page


def test_manifest_is_scorm_12_and_every_file_exists(package):
    root = ET.fromstring(package["imsmanifest.xml"])
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    resources = {r.get("identifier"): r for r in root.iterfind("cp:resources/cp:resource", NS)}
    for res in resources.values():
        for f in res.iterfind("cp:file", NS):
            assert f.get("href") in package
        for dep in res.iterfind("cp:dependency", NS):
            assert dep.get("identifierref") in resources
    for item in root.iter(f"{{{CP}}}item"):
        if item.get("identifierref"):
            res = resources[item.get("identifierref")]
            assert res.get(f"{{{ADLCP}}}scormtype") == "sco" and res.get("href") in package
    org = root.find("cp:organizations/cp:organization", NS)
    assert root.find("cp:organizations", NS).get("default") == org.get("identifier")
    quiz = [i for i in root.iter(f"{{{CP}}}item") if i.get("identifierref") == "RES-QUIZ"]
    assert quiz[0].findtext("adlcp:masteryscore", namespaces=NS) == "60"


def test_lesson_pages_show_quotes_as_text(course, package):
    page = _parse(package["lesson-2-1.html"])
    assert page.charset == "utf-8" and page.scripts == ["scorm.js"] and page.inline_scripts == 0
    assert course.modules[1].lessons[0].points[0].citations[0].quote in page.text
    first = _parse(package["lesson-1-1.html"])
    assert "电流#电压要配" in first.text and "王建国《焊接访谈》 01:05" in first.text


def test_quiz_page_holds_every_question_and_key(course, package):
    page = _parse(package["quiz.html"])
    assert page.charset == "utf-8" and page.scripts == ["scorm.js", "quiz.js"] and page.inline_scripts == 0
    assert len(page.fieldsets) == len(course.quiz)
    for item, fs in zip(course.quiz, page.fieldsets, strict=True):
        assert fs["type"] == item.type and fs["legend"].endswith(item.stem)
        if item.type in ("single_choice", "multiple_choice"):
            assert [label.strip() for label in fs["labels"]] == item.options
            assert [item.options[i] for i in fs["key"]] == item.answer
        elif item.type == "short_answer":
            assert fs["key"] == item.answer
    assert page.fieldsets[2]["key"] == [1] and page.fieldsets[3]["key"] == [0]  # 正确 is option 0


def test_runtime_finds_the_api_and_reports_the_score(package):
    runtime = package["scorm.js"].decode()
    quiz = package["quiz.js"].decode()
    for call in ("LMSInitialize", "LMSSetValue", "LMSGetValue", "LMSCommit", "LMSFinish", "win.parent",
                 "window.opener"):
        assert call in runtime
    for value in ('"cmi.core.score.raw"', '"cmi.core.lesson_status", passed ? "passed" : "failed"',
                  "scorm.commit()", "scorm.finish()"):
        assert value in quiz
