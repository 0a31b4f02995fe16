"""The default codebook matches the shared CODEBOOK.md; bad codebooks are rejected clearly."""

from __future__ import annotations

import re

import pytest

from analysis.coding import (
    CodebookError,
    default_codebook_yaml,
    dump_codebook,
    load_codebook,
    validate_codebook_yaml,
)
from tests.conftest import SHARED

CODEBOOK_MD = SHARED / "eval" / "CODEBOOK.md"
GOOD_CODE = """
  - id: trigger.wording
    facet: trigger
    label: Wording
    description: Help with phrasing.
    examples: [make it sound better]
"""


def test_default_codebook_has_32_codes_in_four_facets():
    codebook = load_codebook()
    assert len(codebook.code_ids) == 32
    assert len(set(codebook.code_ids)) == 32
    assert {c.facet for c in codebook.codes} == {"trigger", "pattern", "culture", "outcome"}
    for code in codebook.codes:
        assert code.label and code.description and code.examples, code.id
        assert code.id.startswith(code.facet + ".")


def test_default_codebook_ids_match_shared_codebook_md():
    if not CODEBOOK_MD.is_file():
        pytest.skip("shared CODEBOOK.md not present")
    ids_in_md = re.findall(r"^\| `([a-z]+\.[a-z_]+)` \|", CODEBOOK_MD.read_text(), re.MULTILINE)
    assert len(ids_in_md) == 32
    assert load_codebook().code_ids == ids_in_md


def test_default_codebook_lists_soc_groups_student_and_unclear():
    groups = load_codebook().occupation_groups
    assert len(groups) == 25
    assert groups[-2:] == ("Student", "Unclear")
    assert "Life, Physical, and Social Science" in groups


def test_dump_then_load_round_trips():
    codebook = load_codebook()
    again = load_codebook(dump_codebook(codebook))
    assert again == codebook


def test_own_use_flag_is_parsed_and_survives_a_dump():
    codebook = load_codebook("codes:" + GOOD_CODE + "    own_use: true\n")
    assert codebook.codes[0].own_use
    assert load_codebook(dump_codebook(codebook)).codes[0].own_use
    assert not load_codebook("codes:" + GOOD_CODE).codes[0].own_use


def test_default_codebook_marks_triggers_as_own_ai_use():
    flagged = {code.id for code in load_codebook().codes if code.own_use}
    assert {c.id for c in load_codebook().codes if c.facet == "trigger"} <= flagged
    assert not any(code_id.startswith(("culture.", "outcome.")) for code_id in flagged)


def test_valid_minimal_codebook_has_no_problems():
    assert validate_codebook_yaml("codes:" + GOOD_CODE) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("codes: [", "not valid YAML"),
        ("just a string", "mapping with a 'codes' list"),
        ("codes:" + GOOD_CODE + GOOD_CODE, "duplicate code id trigger.wording"),
        ("codes:" + GOOD_CODE.replace("facet: trigger", "facet: mood"), "unknown facet 'mood'"),
        ("codes:" + GOOD_CODE.replace("id: trigger.wording", "id: Wording"), "must look like"),
        ("codes:" + GOOD_CODE + "    cues: ['(unclosed']\n", "invalid regular expression"),
        ("codes:" + GOOD_CODE.replace("description: Help with phrasing.", ""), "description"),
        ("codes:" + GOOD_CODE + "    colour: red\n", "unknown field"),
        ("codes:" + GOOD_CODE + "    own_use: maybe\n", "own_use must be true or false"),
        ("codes: []", "no codes"),
    ],
)
def test_bad_codebooks_are_rejected_with_a_message(text, expected):
    problems = validate_codebook_yaml(text)
    assert problems, text
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(CodebookError):
        load_codebook(text)


def test_yaml_tags_are_not_executed():
    text = "codes: !!python/object/apply:os.system ['echo hacked']"
    assert validate_codebook_yaml(text) == ["codebook is not valid YAML at line 1"]


def test_default_yaml_is_valid_text():
    assert validate_codebook_yaml(default_codebook_yaml()) == []
