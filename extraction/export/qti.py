"""QTI 2.1 content package: imsmanifest.xml, an assessmentTest and one assessmentItem per question."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from extraction.course import CourseDraft, QuizItem
from extraction.export.keys import choice_weights, correct_indices, is_true
from extraction.export.labels import words
from extraction.export.xmltext import xml_bytes, xml_safe

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
_PREFIXES = {"": QTI, "xsi": XSI}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Keys longer than this do not fit a one-line text entry; they get an essay box, scored by hand.
TEXT_ENTRY_MAX = 40


def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A QTI element with its text made XML-safe."""
    name = f"{{{QTI}}}{tag}"
    node = ET.Element(name, attrs) if parent is None else ET.SubElement(parent, name, attrs)
    if text is not None:
        node.text = xml_safe(text)
    return node


def identifier(text: str, prefix: str = "ITEM") -> str:
    """A QTI identifier (an XML NCName) made from a quiz item id."""
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return clean if re.match(r"[A-Za-z_]", clean) else f"{prefix}_{clean}"


def _response(root: ET.Element, cardinality: str, base: str, values: list[str]) -> ET.Element:
    decl = _el(root, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality, baseType=base)
    correct = _el(decl, "correctResponse")
    for value in values:
        _el(correct, "value", value)
    return decl


def _choices(item: QuizItem, language: str) -> list[tuple[str, str]]:
    """(identifier, text) per option; true/false items get the two words of the course language."""
    if item.type == "true_false":
        w = words(language)
        return [("true", w["true"]), ("false", w["false"])]
    return [(f"choice_{i + 1}", option) for i, option in enumerate(item.options)]


def _choice_item(root: ET.Element, item: QuizItem, language: str) -> str:
    choices = _choices(item, language)
    if item.type == "true_false":
        keys = ["true" if is_true(item) else "false"]
    else:
        keys = [choices[i][0] for i in correct_indices(item)]
    multiple = item.type == "multiple_choice"
    decl = _response(root, "multiple" if multiple else "single", "identifier", keys)
    if multiple:  # partial credit, the same weights as the GIFT and Moodle XML exports
        mapping = _el(decl, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
        for (ident, _), weight in zip(choices, choice_weights(item), strict=True):
            _el(mapping, "mapEntry", mapKey=ident, mappedValue=f"{weight / 100:.5f}")
    _score(root)
    body = _el(root, "itemBody")
    interaction = _el(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                      maxChoices="0" if multiple else "1")
    _el(interaction, "prompt", item.stem)
    for ident, text in choices:
        _el(interaction, "simpleChoice", text, identifier=ident)
    return "map_response" if multiple else "match_correct"


def _text_item(root: ET.Element, item: QuizItem) -> str | None:
    short = all(len(a) <= TEXT_ENTRY_MAX for a in item.answer)
    decl = _response(root, "single", "string", item.answer[:1])
    if short:
        mapping = _el(decl, "mapping", defaultValue="0")
        for answer in dict.fromkeys(item.answer):
            _el(mapping, "mapEntry", mapKey=xml_safe(answer), mappedValue="1", caseSensitive="false")
    _score(root)
    body = _el(root, "itemBody")
    if short:
        para = _el(body, "p", item.stem + " ")
        _el(para, "textEntryInteraction", responseIdentifier="RESPONSE", expectedLength=str(TEXT_ENTRY_MAX))
        return "map_response"
    interaction = _el(body, "extendedTextInteraction", responseIdentifier="RESPONSE")
    _el(interaction, "prompt", item.stem)
    return None  # an essay is marked by the trainer


def _score(root: ET.Element) -> None:
    outcome = _el(root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    _el(_el(outcome, "defaultValue"), "value", "0")


def assessment_item(item: QuizItem, language: str) -> ET.Element:
    """One quiz item as a QTI 2.1 assessmentItem element."""
    root = _el(None, "assessmentItem", identifier=identifier(item.id), title=xml_safe(item.stem[:80]),
               adaptive="false", timeDependent="false")
    root.set(XML_LANG, language)
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI} {QTI_XSD}")
    if item.type == "short_answer":
        template = _text_item(root, item)
    else:
        template = _choice_item(root, item, language)
    if template:
        _el(root, "responseProcessing", template=TEMPLATES + template)
    return root


def assessment_test(draft: CourseDraft, hrefs: dict[str, str]) -> ET.Element:
    """The assessmentTest that puts every item in one section, in course order."""
    root = _el(None, "assessmentTest", identifier="TEST", title=xml_safe(draft.title))
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI} {QTI_XSD}")
    part = _el(root, "testPart", identifier="PART", navigationMode="linear", submissionMode="individual")
    section = _el(part, "assessmentSection", identifier="SECTION", title=xml_safe(draft.title), visible="true")
    for ident, href in hrefs.items():
        _el(section, "assessmentItemRef", identifier=ident, href=href)
    return root


def manifest(draft: CourseDraft, hrefs: dict[str, str]) -> ET.Element:
    """imsmanifest.xml: one resource per item and one for the test that depends on them."""
    root = ET.Element(f"{{{CP}}}manifest", identifier="MANIFEST")
    root.set(f"{{{XSI}}}schemaLocation", f"{CP} {CP_XSD}")
    meta = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(meta, f"{{{CP}}}schema").text = "QTIv2.1 Package"
    ET.SubElement(meta, f"{{{CP}}}schemaversion").text = "1.0.0"
    ET.SubElement(root, f"{{{CP}}}organizations")
    resources = ET.SubElement(root, f"{{{CP}}}resources")
    test = ET.SubElement(resources, f"{{{CP}}}resource", identifier="RES-TEST", type="imsqti_test_xmlv2p1",
                         href="assessment.xml")
    ET.SubElement(test, f"{{{CP}}}file", href="assessment.xml")
    for ident, href in hrefs.items():
        ET.SubElement(test, f"{{{CP}}}dependency", identifierref=f"RES-{ident}")
        res = ET.SubElement(resources, f"{{{CP}}}resource", identifier=f"RES-{ident}",
                            type="imsqti_item_xmlv2p1", href=href)
        ET.SubElement(res, f"{{{CP}}}file", href=href)
    return root


def write(draft: CourseDraft, out: Path) -> None:
    """Write the quiz as a QTI 2.1 zip package."""
    items: dict[str, ET.Element] = {}
    for item in draft.quiz:
        ident = identifier(item.id)
        while ident in items:  # two items with one id must still be two files
            ident += "_"
        element = assessment_item(item, draft.language)
        element.set("identifier", ident)
        items[ident] = element
    hrefs = {ident: f"items/{ident}.xml" for ident in items}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", xml_bytes(manifest(draft, hrefs), {"": CP, "xsi": XSI}))
        zf.writestr("assessment.xml", xml_bytes(assessment_test(draft, hrefs), _PREFIXES))
        for ident, element in items.items():
            zf.writestr(hrefs[ident], xml_bytes(element, _PREFIXES))
