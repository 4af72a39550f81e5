"""QTI 2.1: the package's manifest points at real items; every item's correct response is the key."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

import pytest
from conftest_export import welding_course

from extraction.export import export_course
from extraction.export.qti import CP, QTI

NS = {"qti": QTI, "cp": CP}


@pytest.fixture(scope="module")
def course():
    return welding_course()


@pytest.fixture
def package(course, tmp_path):
    path = export_course(course, "qti", tmp_path / "quiz.zip")
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_manifest_references_files_that_exist(course, package):
    manifest = ET.fromstring(package["imsmanifest.xml"])
    assert manifest.tag == f"{{{CP}}}manifest"
    resources = manifest.findall("cp:resources/cp:resource", NS)
    items = [r for r in resources if r.get("type") == "imsqti_item_xmlv2p1"]
    assert len(items) == len(course.quiz)
    for resource in resources:
        assert resource.get("href") in package
        for f in resource.findall("cp:file", NS):
            assert f.get("href") in package
    test = ET.fromstring(package["assessment.xml"])
    refs = [r.get("href") for r in test.iter(f"{{{QTI}}}assessmentItemRef")]
    assert refs == [r.get("href") for r in items]


def _items(package):
    manifest = ET.fromstring(package["imsmanifest.xml"])
    hrefs = [r.get("href") for r in manifest.findall("cp:resources/cp:resource", NS)
             if r.get("type") == "imsqti_item_xmlv2p1"]
    return [ET.fromstring(package[href]) for href in hrefs]


def test_choice_items_keep_stem_options_and_key(course, package):
    for item, root in zip(course.quiz, _items(package), strict=True):
        assert root.tag == f"{{{QTI}}}assessmentItem"
        correct = [v.text for v in root.findall("qti:responseDeclaration/qti:correctResponse/qti:value", NS)]
        interaction = root.find(".//qti:choiceInteraction", NS)
        if item.type in ("single_choice", "multiple_choice"):
            assert interaction.findtext("qti:prompt", namespaces=NS) == item.stem
            choices = {c.get("identifier"): c.text for c in interaction.findall("qti:simpleChoice", NS)}
            assert list(choices.values()) == item.options
            assert [choices[c] for c in correct] == item.answer
            assert interaction.get("maxChoices") == ("1" if item.type == "single_choice" else "0")
        elif item.type == "true_false":
            assert interaction.findtext("qti:prompt", namespaces=NS) == item.stem
            assert correct == item.answer


def test_multiple_choice_gives_partial_credit(course, package):
    item = _items(package)[1]
    weights = {e.get("mapKey"): float(e.get("mappedValue")) for e in item.iter(f"{{{QTI}}}mapEntry")}
    assert weights == {"choice_1": 0.5, "choice_2": 0.5, "choice_3": -0.5, "choice_4": -0.5}
    assert item.find("qti:responseProcessing", NS).get("template").endswith("map_response")


def test_short_answers_are_text_entry_or_essay(course, package):
    items = dict(zip([i.id for i in course.quiz], _items(package), strict=True))
    short = items["q5"]
    assert short.find(".//qti:textEntryInteraction", NS) is not None
    keys = [e.get("mapKey") for e in short.iter(f"{{{QTI}}}mapEntry")]
    assert keys == ["10~15", "10到15毫米"]
    assert short.find("qti:responseProcessing", NS).get("template").endswith("map_response")
    essay = items["q7"]
    assert essay.find(".//qti:extendedTextInteraction", NS) is not None
    assert essay.findtext(".//qti:correctResponse/qti:value", namespaces=NS) == course.quiz[6].answer[0]


def test_items_declare_language_and_score(course, package):
    for root in _items(package):
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
        assert root.find("qti:outcomeDeclaration[@identifier='SCORE']", NS) is not None
