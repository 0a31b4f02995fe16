"""Make an SVG safe to inline into an HTML file that people open from their mail.

The charts are drawn by vl-convert from data that includes user text (code labels from an
uploaded codebook, topic labels, group names). vl-convert writes such text as escaped
character data, but the report must not depend on that: every SVG is re-parsed and
rebuilt from an allow-list of drawing elements and presentation attributes, so no script,
event handler, link, external reference or embedded document can survive.
"""

from __future__ import annotations

import re

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "title", "desc", "defs", "clipPath", "linearGradient",
        "radialGradient", "stop",
    }
)  # fmt: skip
"""Static drawing only: no script, foreignObject, a, use, image, animate/set, style."""

ALLOWED_ATTRIBUTES = frozenset(
    {
        "class", "role", "aria-label", "aria-roledescription", "aria-hidden", "id",
        "width", "height", "viewBox", "version", "x", "y", "x1", "y1", "x2", "y2", "dx", "dy",
        "cx", "cy", "r", "rx", "ry", "d", "points", "transform", "fill", "fill-opacity",
        "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity", "font-family",
        "font-size", "font-weight", "font-style", "font-variant", "text-anchor",
        "dominant-baseline", "alignment-baseline", "letter-spacing", "clip-path", "offset",
        "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "pointer-events",
        "paint-order", "display", "visibility", "shape-rendering", "preserveAspectRatio",
        "fill-rule", "clip-rule",
    }
)  # fmt: skip
"""Presentation attributes; anything else (on*, href, style, xml:base, …) is dropped."""

_URL_REF = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)


class UnsafeSvgError(ValueError):
    """The input is not a parseable SVG document."""


def _safe_value(value: str) -> bool:
    """Reject values that point anywhere but into the same document (``url(#clip1)``)."""
    lowered = value.strip().lower()
    if "javascript:" in lowered or "data:" in lowered or "expression(" in lowered:
        return False
    return all(target.startswith("#") for _, target in _URL_REF.findall(value))


def _prefixed(value: str, prefix: str) -> str:
    return _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(2)[1:]})", value)


def sanitize_svg(svg: str | bytes, *, id_prefix: str = "") -> str:
    """The SVG rebuilt from allowed elements and attributes, without an XML declaration.

    ``id_prefix`` is put in front of every ``id`` and ``url(#…)`` reference: several
    charts inlined into one page would otherwise share ids such as ``clip1`` and clip
    each other's marks.

    Disallowed elements are removed with everything inside them (their text is not
    trustworthy drawing content); comments and processing instructions are dropped. The
    parser never loads DTDs, resolves entities or touches the network.
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
        remove_pis=True, huge_tree=False,
    )  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UnsafeSvgError(f"not a well-formed SVG: {exc}") from exc
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != SVG_NS:
        raise UnsafeSvgError("root element is not an SVG <svg>")
    for element in list(root.iter()):
        if element is not root and element.getparent() is None:
            continue  # already removed with an ancestor
        if not isinstance(element.tag, str):  # entity references and the like
            element.getparent().remove(element)
            continue
        name = etree.QName(element)
        if name.namespace != SVG_NS or name.localname not in ALLOWED_ELEMENTS:
            element.getparent().remove(element)
            continue
        for attribute in list(element.attrib):
            attr = etree.QName(attribute)
            keep = (
                attr.namespace is None
                and attr.localname in ALLOWED_ATTRIBUTES
                and _safe_value(element.attrib[attribute])
            )
            if not keep:
                del element.attrib[attribute]
            elif id_prefix and attr.localname == "id":
                element.attrib[attribute] = id_prefix + element.attrib[attribute]
            elif id_prefix and "url(" in element.attrib[attribute]:
                element.attrib[attribute] = _prefixed(element.attrib[attribute], id_prefix)
    etree.cleanup_namespaces(root, top_nsmap={None: SVG_NS})
    return etree.tostring(root, encoding="unicode", method="xml")
