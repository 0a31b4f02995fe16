"""A coded project -> REFI-QDA Project Exchange (``.qdpx``).

Each transcript becomes a ``TextSource`` whose plain text (``sources/<GUID>.txt``, UTF-8)
is rebuilt from its turns as ``Interviewer: …`` / ``Participant: …`` paragraphs; each
participant answer that carries codes becomes a ``PlainTextSelection`` covering exactly the
answer's characters, with one ``Coding`` per code. Positions are 0-based offsets in Unicode
code points, end exclusive, into that text. Each participant is also a ``Case`` with cohort
and occupation as text variables, so a QDA tool can compare groups as the dashboard does.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from lxml import etree

from analysis.coding.codebook import load_codebook
from analysis.qda.codebook_xml import CodeEntry, append_codes
from analysis.qda.ids import ORIGIN, PROJECT_NS, USER_NAME, guid, user_guid
from analysis.results import AnalysisResult

ROLE_LABELS = {"interviewer": "Interviewer", "participant": "Participant"}
CASE_VARIABLES = (("cohort", "Cohort"), ("occupation", "Occupation"),
                  ("occupation_group", "Occupation group"))
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
"""Fixed member dates: the same project gives the same archive bytes."""


@dataclass(frozen=True, slots=True)
class SourceText:
    """One transcript's plain text and where each turn's words sit in it."""

    text: str
    spans: dict[int, tuple[int, int]]
    """turn_index -> (start, end) of the turn's stripped text."""


def source_text(turns: pd.DataFrame | list[tuple[int, str, str]]) -> SourceText:
    """Paragraphs ``Role: text`` in turn order (empty turns left out), blank-line separated.

    ``turns`` is a turns frame or ``(turn_index, role, text)`` tuples of one transcript.
    """
    if isinstance(turns, pd.DataFrame):
        turns = list(zip(turns["turn_index"], turns["role"], turns["text"], strict=True))
    parts: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    at = 0
    for turn_index, role, text in sorted(turns, key=lambda t: int(t[0])):
        body = str(text).strip()
        if not body:
            continue
        prefix = f"{ROLE_LABELS.get(str(role), str(role).capitalize())}: "
        if parts:
            at += 2  # the "\n\n" joiner
        spans[int(turn_index)] = (at + len(prefix), at + len(prefix) + len(body))
        parts.append(prefix + body)
        at += len(prefix) + len(body)
    return SourceText(text="\n\n".join(parts), spans=spans)


def _grouped(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[tuple]]:
    """transcript id -> rows (tuples of ``columns``), built in one pass over plain lists."""
    out: dict[str, list[tuple]] = {}
    if not len(frame):
        return out
    values = [frame[c].tolist() for c in ["transcript_id", *columns]]
    for row in zip(*values, strict=True):
        out.setdefault(str(row[0]), []).append(row[1:])
    return out


def _entries(codebook: pd.DataFrame) -> list[CodeEntry]:
    entries = []
    for row in codebook.itertuples(index=False):
        examples = str(getattr(row, "examples", "") or "")
        entries.append(CodeEntry(
            id=str(row.code), facet=str(row.facet), label=str(row.label),
            description=str(row.description),
            examples=tuple(e.strip() for e in examples.split("; ") if e.strip())))
    return entries


def _segment_codes(result: AnalysisResult, known: set[str]) -> dict[tuple[str, int], list[str]]:
    """(transcript id, segment index) -> code ids, in codebook order."""
    order = {code: i for i, code in enumerate(result.code_ids)}
    out: dict[tuple[str, int], list[str]] = {}
    frame = result.assignments
    if not len(frame):
        return out
    rows = zip(frame["transcript_id"].tolist(), frame["segment_index"].tolist(),
               frame["code"].tolist(), strict=True)
    for tid, index, code in rows:
        if str(code) in known:
            codes = out.setdefault((str(tid), int(index)), [])
            if str(code) not in codes:
                codes.append(str(code))
    for codes in out.values():
        codes.sort(key=lambda c: order.get(c, len(order)))
    return out


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{PROJECT_NS}}}{tag}", attrs)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _variables(participants: pd.DataFrame) -> list[tuple[str, str]]:
    columns = [(c, label) for c, label in CASE_VARIABLES if c in participants.columns]
    for column in participants.columns:
        if str(column).startswith("attr."):
            columns.append((str(column), str(column).removeprefix("attr.").replace("_", " ")))
    return columns


def build_qdpx(result: AnalysisResult, *, project_name: str,
               created: datetime | None = None) -> bytes:
    """The coded project as ``.qdpx`` bytes (a ZIP with ``project.qde`` and ``sources/``)."""
    when = _stamp(created or datetime.now(UTC))
    user = user_guid()
    root = etree.Element(f"{{{PROJECT_NS}}}Project",
                         {"name": project_name, "origin": ORIGIN, "creatingUserGUID": user,
                          "creationDateTime": when}, nsmap={None: PROJECT_NS})
    _sub(_sub(root, "Users"), "User", guid=user, name=USER_NAME)
    codes = _sub(_sub(root, "CodeBook"), "Codes")
    facets = dict(load_codebook().facets)  # the result keeps codes, not facet blurbs
    code_guids = append_codes(codes, _entries(result.codebook), facets, PROJECT_NS)

    participants = result.participants
    variables = _variables(participants)
    variable_guids = {column: guid("variable", column) for column, _ in variables}
    if variables:
        holder = _sub(root, "Variables")
        for column, label in variables:
            _sub(holder, "Variable", guid=variable_guids[column], name=label,
                 typeOfVariable="Text")

    ids = list(dict.fromkeys(result.transcripts["transcript_id"].astype(str)))
    source_guids = {tid: guid("source", project_name, tid) for tid in ids}
    people = {str(r["transcript_id"]): r for r in participants.to_dict("records")} \
        if "transcript_id" in participants.columns else {}
    if people:
        cases = _sub(root, "Cases")
        for tid in ids:
            row = people.get(tid)
            if row is None:
                continue
            case = _sub(cases, "Case", guid=guid("case", project_name, tid), name=tid)
            for column, _ in variables:
                value = row.get(column)
                if value is None or pd.isna(value) or not str(value).strip():
                    continue
                holder = _sub(case, "VariableValue")
                _sub(holder, "VariableRef", targetGUID=variable_guids[column])
                _sub(holder, "TextValue").text = str(value)
            _sub(case, "SourceRef", targetGUID=source_guids[tid])

    coded = _segment_codes(result, set(code_guids))
    turns_by_id = _grouped(result.turns, ["turn_index", "role", "text"])
    seg_columns = ["segment_index", "turn_index", "answer", "question"]
    segments_by_id = _grouped(result.segments.reindex(
        columns=["transcript_id", *seg_columns], fill_value=-1), seg_columns)
    files: dict[str, bytes] = {}
    sources = _sub(root, "Sources")
    for tid in ids:
        built = source_text(turns_by_id.get(tid, []))
        sguid = source_guids[tid]
        files[f"sources/{sguid}.txt"] = built.text.encode("utf-8")
        source = _sub(sources, "TextSource", guid=sguid, name=tid,
                      plainTextPath=f"internal://{sguid}.txt", creatingUser=user,
                      creationDateTime=when)
        for segment_index, turn_index, answer, question in segments_by_id.get(tid, []):
            codes_here = coded.get((tid, int(segment_index)))
            span = built.spans.get(int(turn_index))
            if not codes_here or span is None:
                continue
            if built.text[span[0]:span[1]] != str(answer).strip():
                continue  # a result whose turns and answers disagree: never mis-place codes
            selection = _sub(source, "PlainTextSelection",
                             guid=guid("selection", project_name, tid, str(segment_index)),
                             name=f"{tid} answer {int(segment_index) + 1}",
                             startPosition=str(span[0]), endPosition=str(span[1]),
                             creatingUser=user, creationDateTime=when)
            question = str(question or "").strip() if not pd.isna(question) else ""
            if question and question != "-1":
                _sub(selection, "Description").text = f"Question: {question}"
            for code in codes_here:
                coding = _sub(selection, "Coding",
                              guid=guid("coding", project_name, tid, str(segment_index), code),
                              creatingUser=user, creationDateTime=when)
                _sub(coding, "CodeRef", targetGUID=code_guids[code])
    if not len(sources):
        root.remove(sources)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return _zip({"project.qde": xml, **files})


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
