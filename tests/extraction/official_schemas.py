"""The official XML schemas of the LMS formats, loaded from the repository: no network.

QTI 2.1 (tests/schemas/qti21/) is kept as its publishers host it, one folder per host, so
an import by URL (http://www.imsglobal.org/xsd/...) is read from the matching local file.
SCORM 1.2's control documents ship inside every SCORM package (extraction/export/assets/
scorm12/), so the tests check the package against the very files it carries.
Where each file comes from and its licence: tests/schemas/README.md.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

QTI_ROOT = Path(__file__).resolve().parent.parent / "schemas" / "qti21"
QTI_ITEM_XSD = "http://www.imsglobal.org/xsd/imsqti_v2p1.xsd"
QTI_PACKAGE_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
# The package profile imports the QTI metadata schema of version 2.1.1, which no public
# repository carries; the 2.1 schema of the same namespace stands in (no export writes QTI metadata).
STAND_INS = {"http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_metadata_v2p1p1.xsd":
             "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_metadata_v2p1.xsd"}
SCORM12_NAMESPACES = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": "imsmd_rootv1p2p1.xsd",
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
}
# IMS MD 1.2.1's annotationType breaks XML Schema's unique-particle rule, so libxml2 cannot
# compile it; the manifests hold no IMS MD metadata, and CP's wildcards are strict, so one
# written by mistake would still fail for want of a declaration.
SCORM12_CHECKED = ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "http://www.adlnet.org/xsd/adlcp_rootv1p2")
# SCORM 1.2's ims_xml.xsd binds the default namespace to the xml namespace, which Namespaces
# in XML forbids and libxml2 refuses; W3C's own xml.xsd (same attributes, and more) stands in.
W3C_XML_XSD = "http://www.imsglobal.org/xsd/w3/2001/xml.xsd"


class _LocalCopies(etree.Resolver):
    """Answers a schema import by URL with the vendored copy; anything else is an error."""

    def resolve(self, url, pubid, context):
        url = W3C_XML_XSD if url.endswith("/ims_xml.xsd") else STAND_INS.get(url, url)
        if url.startswith("http://"):
            path = QTI_ROOT / url.removeprefix("http://")
            if not path.is_file():
                raise FileNotFoundError(f"schema {url} is not vendored under {QTI_ROOT}")
            return self.resolve_filename(str(path), context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalCopies())
    return parser


@cache
def qti_schema(url: str) -> etree.XMLSchema:
    """One QTI 2.1 schema (and all it imports) by its official URL."""
    return etree.XMLSchema(etree.parse(str(QTI_ROOT / url.removeprefix("http://")), _parser()))


def scorm12_folder() -> Path:
    """The folder of SCORM 1.2 control documents that every SCORM package carries."""
    return Path(str(resources.files("extraction.export") / "assets" / "scorm12"))


@cache
def scorm12_schema() -> etree.XMLSchema:
    """IMS CP 1.1.2 and ADL's SCORM 1.2 extension, as one schema."""
    folder = scorm12_folder()
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(folder / name).as_uri()}"/>'
                      for ns, name in SCORM12_NAMESPACES.items() if ns in SCORM12_CHECKED)
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper, _parser()))


def problems(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    """What the schema finds wrong with a document, one line each (empty when valid)."""
    document = etree.fromstring(xml, etree.XMLParser(no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
