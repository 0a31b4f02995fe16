"""Roles: occupation phrases map to SOC groups; Unclear when unsaid; metadata wins."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.coding import infer_roles
from analysis.coding.roles import group_for_phrase, occupation_from_answers


@pytest.mark.parametrize(
    ("answer", "occupation", "group"),
    [
        (
            "I'm a high school teacher and I use it daily.",
            "high school teacher",
            "Educational Instruction and Library",
        ),
        (
            "I work as a software engineer at a bank.",
            "software engineer at a bank",
            "Computer and Mathematical",
        ),
        (
            "As a social media community manager, I write a lot of posts.",
            "social media community manager",
            "Arts, Design, Entertainment, Sports, and Media",
        ),
        (
            "I am a registered nurse in an ICU.",
            "registered nurse in an ICU",
            "Healthcare Practitioners and Technical",
        ),
        (
            "I own a small candle business and sell online.",
            "owner of a small candle business",
            "Management",
        ),
        (
            "I'm a reliability engineer in a manufacturing plant.",
            "reliability engineer in a manufacturing plant",
            "Architecture and Engineering",
        ),
        ("I'm a PhD student in ecology.", "PhD student in ecology", "Student"),
        (  # a dash after the tail is punctuation, not part of the job
            "I'm a marketing manager for a B2B software company - about 200 people.",
            "marketing manager for a B2B software company",
            "Management",
        ),
    ],
)
def test_self_descriptions_give_phrase_and_group(answer, occupation, group):
    found_occupation, found_group, evidence = occupation_from_answers(["Sounds good!", answer])
    assert (found_occupation, found_group) == (occupation, group)
    assert evidence and evidence in answer


def test_head_noun_decides_between_overlapping_terms():
    assert group_for_phrase("data scientist")[0] == "Computer and Mathematical"
    assert group_for_phrase("research scientist")[0] == "Life, Physical, and Social Science"
    assert group_for_phrase("marketing manager")[0] == "Management"


def test_non_job_phrases_are_not_occupations():
    occupation, group, _ = occupation_from_answers(
        ["I'm a big fan of using it as a tool.", "I'm pretty good at creative writing."]
    )
    assert (occupation, group) == ("", "Unclear")


def _frames(answers_by_id: dict[str, list[str]], cohort: str = "workforce", **extra):
    rows = [
        {"transcript_id": tid, "segment_index": i, "question": "q?", "answer": a}
        for tid, answers in answers_by_id.items()
        for i, a in enumerate(answers)
    ]
    transcripts = pd.DataFrame({"transcript_id": list(answers_by_id), "cohort": cohort, **extra})
    return pd.DataFrame(rows), transcripts


def test_unclear_when_the_interview_does_not_say():
    segments, transcripts = _frames({"w1": ["Sure.", "I use it for emails and scheduling."]})
    roles = infer_roles(segments, transcripts)
    assert roles.loc[0, "occupation_group"] == "Unclear"
    assert roles.loc[0, "role_source"] == "none"
    assert roles.loc[0, "occupation"] == ""


def test_work_context_votes_when_no_title_is_given():
    segments, transcripts = _frames(
        {"w1": ["I plan with it.", "My students love the lesson plans it helps me build."]}
    )
    assert infer_roles(segments, transcripts).loc[0, "occupation_group"] == (
        "Educational Instruction and Library"
    )


def test_single_domain_cohort_is_the_fallback():
    segments, transcripts = _frames({"s1": ["I use it for emails."]}, cohort="scientists")
    roles = infer_roles(segments, transcripts)
    assert roles.loc[0, "occupation_group"] == "Life, Physical, and Social Science"
    assert roles.loc[0, "role_source"] == "inferred"


def test_metadata_role_takes_precedence_and_is_mapped():
    segments, transcripts = _frames(
        {"m1": ["I'm a teacher."], "m2": ["I'm a teacher."], "m3": ["I'm a teacher."]},
        role=["Paralegal at a law firm", "Sales and Related", None],
    )
    roles = infer_roles(segments, transcripts, role_column="role").set_index("transcript_id")
    assert roles.loc["m1", "occupation_group"] == "Legal"
    assert roles.loc["m1", "role_source"] == "metadata"
    assert roles.loc["m2", "occupation_group"] == "Sales and Related"
    assert roles.loc["m3", "occupation_group"] == "Educational Instruction and Library"
    assert roles.loc["m3", "role_source"] == "inferred"


def test_output_columns():
    segments, transcripts = _frames({"a": ["hi"]})
    assert list(infer_roles(segments, transcripts).columns) == [
        "transcript_id",
        "occupation",
        "occupation_group",
        "role_source",
        "role_evidence",
    ]
