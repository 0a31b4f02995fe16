"""Codebook <-> REFI-QDA Codebook Exchange (``.qdc``).

Export: the four facets become parent codes (not codable) and our codes their children,
with the description, the examples and our code id written into the code's
``<Description>`` (REFI-QDA has no field for an id or examples, and a researcher reading
the description in NVivo sees them too). Import: any ``.qdc`` becomes our YAML codebook;
parent codes are mapped to facets by name, and everything that had to be guessed or
dropped is reported, because a codebook from another tool rarely fits four facets.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from analysis.coding.codebook import (
    FACETS,
    Code,
    Codebook,
    dump_codebook,
    load_codebook,
    parse_codebook,
)
from analysis.qda.ids import CODEBOOK_NS, ORIGIN, code_guid, facet_guid
from analysis.qda.safe_xml import QdaError, local, parse_untrusted

FACET_TITLES = {
    "trigger": "Triggers",
    "pattern": "Interaction patterns",
    "culture": "Workplace culture",
    "outcome": "Outcomes",
}
FACET_COLOURS = {  # Okabe-Ito, colour-blind safe, as in the dashboard's charts
    "trigger": "#E69F00",
    "pattern": "#0072B2",
    "culture": "#009E73",
    "outcome": "#CC79A7",
}
_ALIASES = {
    "trigger": ("trigger", "triggers", "why", "reasons", "motivation", "motivations", "drivers"),
    "pattern": ("pattern", "patterns", "interaction patterns", "interaction", "usage",
                "use", "uses", "how", "workflow", "workflows", "practices"),
    "culture": ("culture", "cultures", "workplace culture", "workplace", "organisation",
                "organization", "policy", "policies", "norms", "attitudes"),
    "outcome": ("outcome", "outcomes", "impact", "impacts", "effects", "results",
                "consequences", "benefits", "concerns"),
}
_KEYWORDS = {
    "trigger": ("trigger", "reason", "motivat", "driver", "why"),
    "pattern": ("pattern", "interact", "usage", "workflow", "practice"),
    "culture": ("culture", "workplace", "organi", "polic", "norm", "employer", "attitude"),
    "outcome": ("outcome", "impact", "effect", "result", "consequence", "benefit", "concern"),
}
DEFAULT_FACET = "pattern"
"""Where codes go whose group names no facet (reported to the user, editable afterwards)."""
MAX_CODES = 1_000
MAX_LABEL = 200
_ID_LINE = re.compile(r"^Interview Lens id:\s*([a-z][a-z0-9_]*\.[a-z0-9_]+)$")
_SLUG = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """What REFI-QDA carries of one code (from a ``Codebook`` or a result's codebook frame)."""

    id: str
    facet: str
    label: str
    description: str
    examples: tuple[str, ...] = ()


def entries_from_codebook(codebook: Codebook) -> list[CodeEntry]:
    return [CodeEntry(c.id, c.facet, c.label, c.description, c.examples) for c in codebook.codes]


def code_description(entry: CodeEntry) -> str:
    """The ``<Description>`` text: description, examples, and the id that import reads back."""
    parts = [entry.description.strip()]
    if entry.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in entry.examples))
    parts.append(f"Interview Lens id: {entry.id}")
    return "\n\n".join(p for p in parts if p)


def append_codes(
    codes_element: etree._Element,
    entries: Sequence[CodeEntry],
    facets: dict[str, str],
    ns: str,
) -> dict[str, str]:
    """Add facet parent codes with their codes under ``codes_element``; returns id -> GUID."""
    guids: dict[str, str] = {}
    order = [f for f in FACETS if any(e.facet == f for e in entries)]
    order += sorted({e.facet for e in entries} - set(order))
    for facet in order:
        parent = etree.SubElement(
            codes_element, f"{{{ns}}}Code",
            {"guid": facet_guid(facet), "name": FACET_TITLES.get(facet, facet.capitalize()),
             "isCodable": "false", "color": FACET_COLOURS.get(facet, "#999999")},
        )
        if facets.get(facet):
            etree.SubElement(parent, f"{{{ns}}}Description").text = facets[facet]
        for entry in (e for e in entries if e.facet == facet):
            guids[entry.id] = code_guid(entry.id)
            child = etree.SubElement(
                parent, f"{{{ns}}}Code",
                {"guid": guids[entry.id], "name": entry.label, "isCodable": "true",
                 "color": FACET_COLOURS.get(facet, "#999999")},
            )
            etree.SubElement(child, f"{{{ns}}}Description").text = code_description(entry)
    return guids


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` file (UTF-8 XML)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN},
                         nsmap={None: CODEBOOK_NS})
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    append_codes(codes, entries_from_codebook(codebook), dict(codebook.facets), CODEBOOK_NS)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- import -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QdcImport:
    """An imported codebook: YAML ready for the editor, plus what was mapped and how."""

    yaml: str
    codebook: Codebook
    notes: list[str]


def _normal(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def facet_for_name(name: str) -> str | None:
    """The facet a group name stands for (exact alias, then keyword), else None."""
    normal = _normal(name)
    for facet, title in FACET_TITLES.items():
        if normal == title.lower():
            return facet
    for facet, aliases in _ALIASES.items():
        if normal in aliases:
            return facet
    for facet, words in _KEYWORDS.items():
        if any(word in normal for word in words):
            return facet
    return None


def _split_description(text: str) -> tuple[str, tuple[str, ...], str | None]:
    """(description, examples, our id) from a ``<Description>`` we or a tool wrote.

    Paragraphs (blank-line separated): ``Examples:`` with ``- `` lines, and the
    ``Interview Lens id: x`` line we write; every other paragraph is the description.
    """
    code_id: str | None = None
    examples: list[str] = []
    kept: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        match = _ID_LINE.match(paragraph.strip()) if len(lines) == 1 else None
        if match:
            code_id = match.group(1)
        elif lines and lines[0] == "Examples:" and all(x.startswith("- ") for x in lines[1:]):
            examples.extend(x[2:].strip() for x in lines[1:] if x[2:].strip())
        elif paragraph.strip():
            kept.append(paragraph)
    return " ".join(" ".join(kept).split()), tuple(examples), code_id


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if local(c.tag) == name]


def _description(element: ET.Element) -> str:
    found = _children(element, "Description")
    return (found[0].text or "") if found else ""


def _name(element: ET.Element) -> str:
    return " ".join(str(element.get("name", "")).split())[:MAX_LABEL]


def _flatten(element: ET.Element) -> Iterable[ET.Element]:
    """Every code below ``element`` (depth first), groups included."""
    for child in _children(element, "Code"):
        yield child
        yield from _flatten(child)


def _unique_id(facet: str, label: str, taken: set[str]) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = _SLUG.sub("_", ascii_label.lower()).strip("_")[:40].strip("_") or "code"
    candidate, n = f"{facet}.{slug}", 2
    while candidate in taken:
        candidate, n = f"{facet}.{slug}_{n}", n + 1
    return candidate


def qdc_to_codebook_yaml(data: bytes, base: Codebook | None = None) -> QdcImport:
    """Read a ``.qdc`` (any REFI-QDA tool's) into our YAML codebook; ``QdaError`` if unusable.

    REFI-QDA cannot carry our recognition rules (cues, context, exclusions), so a code whose
    id is in ``base`` (default: the built-in codebook) keeps that code's rules and takes its
    label, description and examples from the file: a codebook sent to NVivo and back still
    codes the same way.
    """
    root = parse_untrusted(data)
    if local(root.tag) != "CodeBook":
        raise QdaError(f"root element is <{local(root.tag)}>, not a REFI-QDA <CodeBook>")
    notes: list[str] = []
    if not root.tag.startswith(f"{{{CODEBOOK_NS}}}"):
        notes.append("the file does not use the REFI-QDA codebook namespace; read it anyway")
    codes_parent = _children(root, "Codes")
    if not codes_parent:
        raise QdaError("the codebook has no <Codes> element")
    default = load_codebook()
    known = {c.id: c for c in (base or default).codes}
    taken: set[str] = set()
    codes: list[Code] = []
    mapped: dict[str, str] = {}

    def add(element: ET.Element, facet: str) -> None:
        label = _name(element)
        if not label:
            notes.append("a code without a name was skipped")
            return
        description, examples, code_id = _split_description(_description(element))
        if code_id and _ID.match(code_id) and code_id.split(".")[0] in FACETS:
            facet = code_id.split(".")[0]
        if not code_id or code_id in taken or code_id.split(".")[0] != facet:
            code_id = _unique_id(facet, label, taken)
        taken.add(code_id)
        if code_id in known:
            codes.append(dataclasses.replace(known[code_id], label=label,
                                             description=description or label,
                                             examples=examples))
        else:
            codes.append(Code(id=code_id, facet=facet, label=label,
                              description=description or label, examples=examples))
        if len(codes) > MAX_CODES:
            raise QdaError(f"the codebook has more than {MAX_CODES:,} codes")

    nested = 0
    for top in _children(codes_parent[0], "Code"):
        below = list(_flatten(top))
        if not below:  # a top-level code with no children is a code, not a group
            _, _, own_id = _split_description(_description(top))
            guessed = facet_for_name(_name(top))
            facet = own_id.split(".")[0] if own_id and own_id.split(".")[0] in FACETS \
                else DEFAULT_FACET
            if not own_id:
                notes.append(f"code '{_name(top)}' is not in a group: put under facet "
                             f"'{facet}'" + (f" (its name suggests '{guessed}')" if guessed
                                             else ""))
            add(top, facet)
            continue
        facet = facet_for_name(_name(top))
        if facet is None:
            facet = DEFAULT_FACET
            notes.append(f"group '{_name(top)}' names no facet: its codes go under "
                         f"'{DEFAULT_FACET}'")
        mapped[_name(top)] = facet
        if top.get("isCodable", "true").lower() == "true":
            notes.append(f"group '{_name(top)}' was itself codable: kept as a group only")
        for element in below:
            has_children = bool(_children(element, "Code"))
            if has_children:
                nested += 1
                if element.get("isCodable", "true").lower() != "true":
                    continue
            add(element, facet)
    if nested:
        notes.append(f"{nested} sub-group(s) flattened into their facet")
    sets = [s for group in _children(root, "Sets") for s in _children(group, "Set")]
    if sets:
        notes.append(f"{len(sets)} code set(s) not imported (our codebook has facets only)")
    notes[:0] = [f"group '{group}' → facet '{facet}'" for group, facet in mapped.items()]
    if not codes:
        raise QdaError("the codebook has no codes")
    kept = sum(c.id in known for c in codes)
    if kept:
        notes.append(f"{kept} code(s) kept their recognition rules (cues) by id")
    if len(codes) > kept:
        notes.append(f"{len(codes) - kept} new code(s) have no cues: they are recognised "
                     "from their examples and description")
    codebook = Codebook(codes=tuple(codes), occupation_groups=default.occupation_groups,
                        facets=dict(default.facets))
    text = dump_codebook(codebook)
    parsed, problems = parse_codebook(text)
    if parsed is None:  # a bug here, not the user's file: say so plainly
        raise QdaError("the imported codebook did not validate: " + "; ".join(problems))
    return QdcImport(yaml=text, codebook=parsed, notes=notes)
