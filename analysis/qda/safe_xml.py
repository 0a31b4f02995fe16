"""Parse QDA XML that came from someone else: no DTDs, no entities, size and depth caps.

A ``.qdc`` is a file a researcher was handed, so it is parsed with defusedxml with every
DTD, entity declaration and external reference forbidden (billion laughs, XXE), after a
byte cap; the element tree is then walked with an element and depth cap. Every failure is
a ``QdaError`` with a one-line reason that never quotes the file's text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_QDC_BYTES = 2_000_000
"""A codebook of a few hundred codes with long descriptions is well under 1 MB."""
MAX_ELEMENTS = 20_000
MAX_DEPTH = 12


class QdaError(ValueError):
    """A REFI-QDA file that cannot be used; the message says why in one line."""


def local(tag: str) -> str:
    """Element name without its ``{namespace}``: tools disagree on namespaces in practice."""
    return tag.rsplit("}", 1)[-1]


def parse_untrusted(data: bytes, *, max_bytes: int = MAX_QDC_BYTES) -> ET.Element:
    """The root element of ``data``; raises ``QdaError`` for anything unsafe or broken."""
    if len(data) > max_bytes:
        raise QdaError(f"file is larger than {max_bytes:,} bytes")
    if not data.strip():
        raise QdaError("file is empty")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise QdaError(
            f"file declares a DTD or entities ({type(exc).__name__}); "
            "refused because entities can expand or read local files"
        ) from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise QdaError(f"file is not well-formed XML (line {line})") from None
    count = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        if count > MAX_ELEMENTS:
            raise QdaError(f"file has more than {MAX_ELEMENTS:,} elements")
        if depth > MAX_DEPTH:
            raise QdaError(f"codes are nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in element)
    return root
