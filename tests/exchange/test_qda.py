"""REFI-QDA exchange: codebook round trip, foreign and hostile .qdc files, .qdpx structure."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest

from analysis.coding.codebook import load_codebook, validate_codebook_yaml
from analysis.qda import (
    QdaError,
    build_qdpx,
    check_qdc,
    check_qdpx,
    codebook_to_qdc,
    qdc_to_codebook_yaml,
)
from analysis.qda.validate import read_qdpx
from tests.app.fixture_result import HOSTILE_ANSWER, HOSTILE_ID, build_result

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_codebook_round_trip_keeps_ids_labels_descriptions_examples() -> None:
    codebook = load_codebook()
    data = codebook_to_qdc(codebook)
    assert check_qdc(data) == []
    imported = qdc_to_codebook_yaml(data)
    assert validate_codebook_yaml(imported.yaml) == []
    assert [c.id for c in imported.codebook.codes] == codebook.code_ids
    assert [c.label for c in imported.codebook.codes] == [c.label for c in codebook.codes]
    assert [c.facet for c in imported.codebook.codes] == [c.facet for c in codebook.codes]
    assert [c.description for c in imported.codebook.codes] == [
        c.description for c in codebook.codes]
    assert [c.examples for c in imported.codebook.codes] == [c.examples for c in codebook.codes]
    assert "group 'Triggers' → facet 'trigger'" in imported.notes
    assert imported.codebook.codes == codebook.codes  # cues and rules kept by id
    assert f"{len(codebook.codes)} code(s) kept their recognition rules (cues) by id" in (
        imported.notes)


def test_labels_edited_in_another_tool_come_back_with_our_rules() -> None:
    codebook = load_codebook()
    data = codebook_to_qdc(codebook).replace(b'name="Wording and polish"',
                                             b'name="Phrasing help"')
    imported = qdc_to_codebook_yaml(data)
    wording = next(c for c in imported.codebook.codes if c.id == "trigger.wording")
    original = next(c for c in codebook.codes if c.id == "trigger.wording")
    assert wording.label == "Phrasing help"
    assert wording.cues == original.cues and wording.cues


def test_qdc_is_in_the_standard_namespace_with_facets_as_parent_codes() -> None:
    text = codebook_to_qdc(load_codebook()).decode("utf-8")
    assert '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"' in text
    assert re.search(r'<Code guid="[0-9A-F-]{36}" name="Triggers" isCodable="false"', text)


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti Win 23.4.0">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Reasons to use AI" isCodable="false">
      <Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Deadline stress" isCodable="true">
        <Description>Under time pressure.</Description>
      </Code>
      <Code guid="3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Deadline stress" isCodable="true"/>
    </Code>
    <Code guid="4FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Miscellaneous" isCodable="true">
      <Code guid="5FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Sub group" isCodable="false">
        <Code guid="6FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Über-Code é" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="7FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Loose code" isCodable="true"/>
  </Codes>
  <Sets><Set guid="8FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Favourites"/></Sets>
</CodeBook>""".encode()


def test_foreign_qdc_is_mapped_to_facets_and_every_guess_is_reported() -> None:
    imported = qdc_to_codebook_yaml(FOREIGN)
    assert validate_codebook_yaml(imported.yaml) == []
    by_label = {c.label: c for c in reversed(imported.codebook.codes)}
    assert [c.id for c in imported.codebook.codes] == [
        "trigger.deadline_stress", "trigger.deadline_stress_2", "pattern.uber_code_e",
        "pattern.loose_code"]
    assert by_label["Deadline stress"].description == "Under time pressure."
    assert "Sub group" not in by_label  # a non-codable sub-group is structure, not a code
    notes = " | ".join(imported.notes)
    assert "group 'Reasons to use AI' → facet 'trigger'" in notes
    assert "group 'Miscellaneous' names no facet" in notes
    assert "code 'Loose code' is not in a group" in notes
    assert "1 sub-group(s) flattened" in notes
    assert "1 code set(s) not imported" in notes
    assert "4 new code(s) have no cues" in notes


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="&lol3;" isCodable="true"/>
</Codes></CodeBook>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="x" isCodable="true">
<Description>&secret;</Description></Code></Codes></CodeBook>"""


@pytest.mark.parametrize(("data", "reason"), [
    (BILLION_LAUGHS, "declares a DTD or entities"),
    (XXE, "declares a DTD or entities"),
    (b"<CodeBook><Codes><Code", "not well-formed XML"),
    (b"", "empty"),
    (b"<Project xmlns='urn:QDA-XML:project:1.0'/>", "not a REFI-QDA <CodeBook>"),
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "has no codes"),
    (b"<CodeBook>" + b" " * 2_000_001 + b"</CodeBook>", "larger than"),
    (b"<CodeBook><Codes>" + b"<Code name='a' guid='x'>" * 20 + b"</Code>" * 20
     + b"</Codes></CodeBook>", "nested deeper"),
])
def test_hostile_or_broken_qdc_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(QdaError, match=re.escape(reason)) as caught:
        qdc_to_codebook_yaml(data)
    assert "root:" not in str(caught.value)  # never echoes file content such as /etc/passwd


@pytest.fixture(scope="module")
def result():
    return build_result()


@pytest.fixture(scope="module")
def qdpx(result) -> bytes:
    return build_qdpx(result, project_name="Fixture project", created=WHEN)


def test_qdpx_validates_against_the_schema_and_its_references(qdpx: bytes) -> None:
    assert check_qdpx(qdpx) == []
    names = zipfile.ZipFile(io.BytesIO(qdpx)).namelist()
    assert names[0] == "project.qde"
    assert all(re.fullmatch(r"sources/[0-9A-F-]{36}\.txt", n) for n in names[1:])
    assert len(names) == 1 + 12  # one text source per transcript


def test_every_coded_answer_is_a_selection_of_exactly_its_text(result, qdpx: bytes) -> None:
    report = read_qdpx(qdpx)
    labels = dict(zip(result.codebook["code"], result.codebook["label"], strict=True))
    expected = {}
    for (tid, index), rows in result.assignments.groupby(["transcript_id", "segment_index"]):
        answer = result.segments.loc[(result.segments["transcript_id"] == tid)
                                     & (result.segments["segment_index"] == index), "answer"]
        expected[(tid, answer.item())] = sorted(labels[c] for c in rows["code"])
    got = {(s.source, s.text): sorted(s.codes) for s in report.selections}
    assert got == expected
    hostile = report.sources[HOSTILE_ID]
    assert HOSTILE_ANSWER in hostile and hostile.startswith("Interviewer: Hello!")


def test_qdpx_carries_cases_with_cohort_and_occupation(qdpx: bytes) -> None:
    qde = zipfile.ZipFile(io.BytesIO(qdpx)).read("project.qde").decode("utf-8")
    assert qde.count("<Case ") == 12
    assert '<Variable guid="' in qde and 'name="Occupation group"' in qde
    assert "<TextValue>account manager</TextValue>" in qde


def test_qdpx_is_deterministic_for_the_same_project_and_date(result, qdpx: bytes) -> None:
    assert build_qdpx(result, project_name="Fixture project", created=WHEN) == qdpx


def _tampered(qdpx: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(qdpx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data) if name == "project.qde" else data)
    return out.getvalue()


@pytest.mark.parametrize(("change", "problem"), [
    (lambda x: re.sub(rb'endPosition="\d+"', b'endPosition="999999"', x, count=1),
     "lies outside"),
    (lambda x: re.sub(rb'(<CodeRef targetGUID=")[0-9A-F]', rb"\g<1>0", x, count=1),
     "names no code"),
    (lambda x: x.replace(b"<Users>", b"<Userz>").replace(b"</Users>", b"</Userz>"), "schema"),
    (lambda x: x.replace(b"internal://", b"internal://x", 1), "not in the archive"),
])
def test_the_validator_catches_broken_files(qdpx: bytes, change, problem: str) -> None:
    problems = check_qdpx(_tampered(qdpx, change))
    assert any(problem in p for p in problems), problems
