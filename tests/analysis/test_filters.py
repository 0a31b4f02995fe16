"""Filters: each dimension changes the participant count exactly as counted by hand."""

from __future__ import annotations

import pytest

from analysis.filters import FilterSpec, apply_filters, describe_filters
from tests.analysis.fixture_project import load_fixture_result


@pytest.fixture(scope="module")
def result():
    return load_fixture_result()


def _ids(view) -> list[str]:
    return sorted(view.participants["transcript_id"])


def test_empty_spec_keeps_everyone(result) -> None:
    spec = FilterSpec()
    view = apply_filters(result, spec)
    assert spec.is_empty()
    assert view.n_participants == view.n_total_participants == 12
    assert len(view.segments) == len(result.segments) == 21
    assert len(view.assignments) == len(result.assignments)
    assert view.segments["match"].all()
    assert describe_filters(spec, result.codebook) == "All participants"


def test_cohort_filter_restricts_all_tables(result) -> None:
    view = apply_filters(result, FilterSpec(cohorts=("creatives",)))
    assert _ids(view) == ["c01", "c02", "c03", "c04"]
    assert view.n_participants == 4 and view.n_total_participants == 12
    assert set(view.segments["transcript_id"]) == set(_ids(view))
    assert set(view.assignments["transcript_id"]) == set(_ids(view))
    two = apply_filters(result, FilterSpec(cohorts=("creatives", "scientists")))
    assert two.n_participants == 6


def test_occupation_group_filter(result) -> None:
    view = apply_filters(result, FilterSpec(occupation_groups=("Management",)))
    assert _ids(view) == ["w01", "w05"]


def test_codes_are_combined_with_and(result) -> None:
    one = apply_filters(result, FilterSpec(codes=("trigger.ideation",)))
    assert _ids(one) == ["c01", "c02", "c03", "c04", "w05"]
    both = apply_filters(result, FilterSpec(codes=("trigger.ideation", "pattern.draft_then_edit")))
    assert _ids(both) == ["c01", "c02"]


def test_unknown_code_keeps_nobody(result) -> None:
    assert apply_filters(result, FilterSpec(codes=("trigger.not_a_code",))).n_participants == 0


def test_topic_filter_keeps_participants_with_an_answer_in_topic(result) -> None:
    view = apply_filters(result, FilterSpec(topics=(2,)))
    assert _ids(view) == ["s02", "w02", "w03", "w06"]
    # Every answer of kept participants stays; only topic-2 answers are flagged.
    assert len(view.segments) == 7
    assert set(view.segments.loc[view.segments["match"], "topic_id"]) == {2}
    assert int(view.segments["match"].sum()) == 4


def test_keyword_is_case_insensitive_substring_over_answers(result) -> None:
    view = apply_filters(result, FilterSpec(keyword="  DEADLINE "))
    assert _ids(view) == ["w01", "w05", "w06"]
    flagged = view.segments.loc[view.segments["match"], "answer"]
    assert len(flagged) == 3 and all("deadline" in a.lower() for a in flagged)
    # Special regex characters are matched literally.
    assert apply_filters(result, FilterSpec(keyword="(A1:A3)")).n_participants == 1
    assert apply_filters(result, FilterSpec(keyword="no such phrase")).n_participants == 0


def test_attribute_filter(result) -> None:
    spec = FilterSpec(attributes=(("attr.seniority", ("senior",)),))
    assert _ids(apply_filters(result, spec)) == ["c01", "c04", "s01", "w01", "w03", "w05"]
    # An attribute present only on transcripts is looked up there.
    result_t = load_fixture_result()
    result_t.participants = result_t.participants.drop(columns=["attr.seniority"])
    assert _ids(apply_filters(result_t, spec)) == ["c01", "c04", "s01", "w01", "w03", "w05"]
    # An empty allowed-values tuple does not filter.
    assert (
        apply_filters(result, FilterSpec(attributes=(("attr.seniority", ()),))).n_participants == 12
    )


def test_dimensions_combine_with_and(result) -> None:
    spec = FilterSpec(cohorts=("workforce",), keyword="deadline", codes=("outcome.saves_time",))
    assert _ids(apply_filters(result, spec)) == ["w01", "w05", "w06"]
    spec = FilterSpec(cohorts=("creatives",), keyword="deadline")
    assert apply_filters(result, spec).n_participants == 0


def test_spec_is_hashable_and_describes_itself(result) -> None:
    spec = FilterSpec(
        cohorts=("workforce",),
        codes=("trigger.ideation",),
        topics=(1, 3),
        keyword="deadline",
        attributes=(("attr.seniority", ("senior", "junior")),),
    )
    assert hash(spec) == hash(FilterSpec(**spec.__dict__))
    assert not spec.is_empty()
    assert describe_filters(spec, result.codebook) == (
        'Cohort: workforce · Code: Ideation · Topics: #1, #3 · Keyword: "deadline" · '
        "Seniority: senior, junior"
    )
    assert (
        describe_filters(
            FilterSpec(cohorts=("workforce",), codes=("trigger.ideation",)), result.codebook
        )
        == "Cohort: workforce · Code: Ideation"
    )


def test_topics_are_named_when_labels_are_given(result) -> None:
    spec = FilterSpec(topics=(1, 7))
    text = describe_filters(spec, result.codebook, topic_labels={1: "Creative ideas"})
    assert text == "Topics: Creative ideas, #7"
