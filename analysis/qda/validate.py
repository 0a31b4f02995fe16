"""Check REFI-QDA files against the schema subset we write and the rules a schema cannot say.

The XSDs in ``schema/`` fix element names, order, required attributes and GUID formats.
On top of that a file is only usable in NVivo/ATLAS.ti/MAXQDA when every GUID is unique,
every reference (``CodeRef``, ``VariableRef``, ``SourceRef``) points at something in the
file, every ``internal://`` text source is in the archive as UTF-8, and every selection lies
inside its source's text. ``check_*`` return the problems (empty list: the file is good).
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from analysis.qda.ids import CODEBOOK_NS, GUID_RE, PROJECT_NS

MAX_QDPX_BYTES = 500_000_000
MAX_PROBLEMS = 20
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False)


@functools.cache
def _schema(name: str) -> etree.XMLSchema:
    text = resources.files("analysis.qda").joinpath("schema", name).read_bytes()
    return etree.XMLSchema(etree.fromstring(text, _PARSER))


def _schema_problems(root: etree._Element, name: str) -> list[str]:
    schema = _schema(name)
    if schema.validate(root):
        return []
    return [f"schema: line {e.line}: {e.message}" for e in list(schema.error_log)[:MAX_PROBLEMS]]


def _guid_problems(root: etree._Element) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for element in root.iter():
        value = element.get("guid")
        if value is None:
            continue
        if not GUID_RE.match(value):
            problems.append(f"{etree.QName(element).localname}: malformed GUID")
        elif value.upper() in seen:
            problems.append(f"{etree.QName(element).localname}: duplicate GUID {value}")
        seen.add(value.upper())
    return problems


def check_qdc(data: bytes) -> list[str]:
    """Problems of a ``.qdc`` we wrote (schema + unique GUIDs)."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc.msg}"]
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        return [f"root is {root.tag}, expected {{{CODEBOOK_NS}}}CodeBook"]
    return _schema_problems(root, "codebook_subset.xsd") + _guid_problems(root)


@dataclass(frozen=True, slots=True)
class Selection:
    """One coded selection as a QDA tool would read it back."""

    source: str
    start: int
    end: int
    text: str
    codes: tuple[str, ...]
    """Names (labels) of the codes applied."""


@dataclass(slots=True)
class QdpxReport:
    problems: list[str]
    sources: dict[str, str]
    """Source name -> its plain text."""
    selections: list[Selection]


def read_qdpx(data: bytes) -> QdpxReport:
    """Open a ``.qdpx`` and check it; also returns its texts and selections for inspection."""
    report = QdpxReport(problems=[], sources={}, selections=[])
    problems = report.problems
    if len(data) > MAX_QDPX_BYTES:
        problems.append("archive is larger than the size limit")
        return report
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        problems.append("not a ZIP archive")
        return report
    names = set(archive.namelist())
    if "project.qde" not in names:
        problems.append("project.qde is missing")
        return report
    try:
        root = etree.fromstring(archive.read("project.qde"), _PARSER)
    except etree.XMLSyntaxError as exc:
        problems.append(f"project.qde is not well-formed XML: {exc.msg}")
        return report
    if root.tag != f"{{{PROJECT_NS}}}Project":
        problems.append(f"root is {root.tag}, expected {{{PROJECT_NS}}}Project")
        return report
    problems += _schema_problems(root, "project_subset.xsd")
    problems += _guid_problems(root)

    ns = {"q": PROJECT_NS}
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:CodeBook//q:Code", ns)}
    variables = {v.get("guid") for v in root.iterfind(".//q:Variables/q:Variable", ns)}
    source_guids = {s.get("guid") for s in root.iterfind(".//q:Sources/q:TextSource", ns)}
    users = {u.get("guid") for u in root.iterfind(".//q:Users/q:User", ns)}
    for ref, targets, what in (("CodeRef", codes, "code"), ("VariableRef", variables, "variable"),
                               ("SourceRef", source_guids, "source")):
        for element in root.iterfind(f".//q:{ref}", ns):
            if element.get("targetGUID") not in targets:
                problems.append(f"{ref} {element.get('targetGUID')} names no {what}")
    for element in root.iter():
        for attribute in ("creatingUser", "creatingUserGUID"):
            if element.get(attribute) is not None and element.get(attribute) not in users:
                problems.append(f"{attribute} {element.get(attribute)} names no user")
                break

    used: set[str] = set()
    for source in root.iterfind(".//q:Sources/q:TextSource", ns):
        name = str(source.get("name") or source.get("guid"))
        path = str(source.get("plainTextPath") or "")
        member = "sources/" + path.removeprefix("internal://")
        if not path.startswith("internal://") or member not in names:
            problems.append(f"source {name}: text {path!r} is not in the archive")
            continue
        used.add(member)
        try:
            text = archive.read(member).decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"source {name}: text is not UTF-8")
            continue
        report.sources[name] = text
        for selection in source.iterfind("q:PlainTextSelection", ns):
            start = int(selection.get("startPosition", "-1"))
            end = int(selection.get("endPosition", "-1"))
            if not 0 <= start < end <= len(text):
                problems.append(f"source {name}: selection {start}-{end} lies outside its "
                                f"{len(text)} characters")
                continue
            applied = tuple(str(codes.get(ref.get("targetGUID"), "?"))
                            for ref in selection.iterfind("q:Coding/q:CodeRef", ns))
            report.selections.append(Selection(name, start, end, text[start:end], applied))
    stray = sorted(n for n in names - used - {"project.qde"} if not n.endswith("/"))
    if stray:
        problems.append(f"{len(stray)} archive member(s) no source uses")
    del report.problems[MAX_PROBLEMS * 5:]
    return report


def check_qdpx(data: bytes) -> list[str]:
    """Problems of a ``.qdpx`` (empty list: schema-valid, consistent, offsets in range)."""
    return read_qdpx(data).problems
