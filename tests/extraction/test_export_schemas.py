"""The LMS exports validated against the official schemas: QTI 2.1 items, test and package
manifest (IMS), and the SCORM 1.2 manifest (IMS content packaging + ADL), with the
control documents the manifest names inside the package."""

from __future__ import annotations

import zipfile

import pytest
from conftest_export import english_course, welding_course
from lxml import etree
from official_schemas import (
    QTI_ITEM_XSD,
    QTI_PACKAGE_XSD,
    SCORM12_NAMESPACES,
    problems,
    qti_schema,
    scorm12_folder,
    scorm12_schema,
)

from extraction.course import QuizItem
from extraction.export import export_course

XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


def awkward_course():
    """Ids that are not XML names, a title longer than a manifest title may be, empty texts."""
    course = welding_course()
    long_title = "焊接" * 150
    quiz = [item.model_copy(update={"id": new_id}) for item, new_id in
            zip(course.quiz, ["1", "题目-2", "q 3", "q3", "q3", "-", "q.7", "ü8"], strict=True)]
    quiz.append(QuizItem(id="q9", type="true_false", stem="无解释的判断题", answer=["true"],
                         citations=quiz[0].citations))
    modules = [m.model_copy(update={"title": long_title}) for m in course.modules]
    return course.model_copy(update={"title": long_title, "quiz": quiz, "modules": modules})


COURSES = {"zh": welding_course, "en": english_course, "awkward": awkward_course}


def _unzip(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(params=sorted(COURSES))
def course(request):
    return COURSES[request.param]()


def test_every_qti_file_is_valid_qti_21(course, tmp_path):
    package = _unzip(export_course(course, "qti", tmp_path / "quiz.zip"))
    items = [name for name in package if name.startswith("items/")]
    assert len(items) == len(course.quiz)
    for name in ["assessment.xml", *items]:
        assert problems(qti_schema(QTI_ITEM_XSD), package[name]) == [], name
    assert problems(qti_schema(QTI_PACKAGE_XSD), package["imsmanifest.xml"]) == []


def test_scorm_manifest_is_valid_scorm_12(course, tmp_path):
    package = _unzip(export_course(course, "scorm", tmp_path / "course.zip"))
    assert problems(scorm12_schema(), package["imsmanifest.xml"]) == []


def test_scorm_package_carries_the_control_documents_its_manifest_names(tmp_path):
    package = _unzip(export_course(welding_course(), "scorm", tmp_path / "course.zip"))
    location = etree.fromstring(package["imsmanifest.xml"]).get(XSI_LOCATION).split()
    named = dict(zip(location[::2], location[1::2], strict=True))
    assert named == SCORM12_NAMESPACES
    for name in [*named.values(), "ims_xml.xsd"]:  # ims_xml.xsd: imported by the other two
        assert package[name] == (scorm12_folder() / name).read_bytes()


def test_the_schemas_refuse_what_an_lms_would_refuse(tmp_path):
    """The checks above can fail: a QTI item without its interaction, a SCORM item without an id."""
    qti = _unzip(export_course(welding_course(), "qti", tmp_path / "quiz.zip"))
    item = qti["items/q1.xml"].replace(b"responseIdentifier=", b"response=")
    assert any("responseIdentifier" in p for p in problems(qti_schema(QTI_ITEM_XSD), item))
    manifest = qti["imsmanifest.xml"].replace(b"imsqti_item_xmlv2p1", b"imsqti_item")
    assert problems(qti_schema(QTI_PACKAGE_XSD), manifest)
    scorm = _unzip(export_course(welding_course(), "scorm", tmp_path / "course.zip"))
    broken = scorm["imsmanifest.xml"].replace(b'identifier="ITEM-1-1"', b"")
    assert any("identifier" in p for p in problems(scorm12_schema(), broken))
