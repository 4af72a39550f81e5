"""Text that XML 1.0 can hold: transcripts may carry control characters it cannot."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except
# surrogates and U+FFFE/U+FFFF; anything else makes the file unreadable to an LMS.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text without characters XML 1.0 forbids."""
    return _ILLEGAL.sub("", text)


def xml_bytes(root: ET.Element, prefixes: dict[str, str]) -> bytes:
    """An element tree as indented UTF-8 XML, with the given prefixes ('' = default namespace)."""
    for prefix, uri in prefixes.items():
        ET.register_namespace(prefix, uri)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
