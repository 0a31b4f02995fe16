"""Aggregates: Wilson/Newcombe against published values, counts against hand counts."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control

from analysis.aggregates import (
    MISSING_GROUP,
    benjamini_hochberg,
    code_prevalence,
    cooccurrence,
    evidence_for_code,
    group_differences,
    newcombe_difference_interval,
    prevalence_by_group,
    topic_by_group,
    wilson_arrays,
    wilson_interval,
)
from analysis.filters import FilterSpec, apply_filters
from tests.analysis.fixture_project import load_fixture_result


@pytest.fixture(scope="module")
def result():
    return load_fixture_result()


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),  # Wilson 1927 / Newcombe 1998 tables
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 29, 0.0061, 0.1718),
        (81, 263, 0.2553, 0.3662),  # Newcombe 1998, Table I
    ],
)
def test_wilson_interval_matches_published_values(k, n, low, high) -> None:
    got_low, got_high = wilson_interval(k, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_interval_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(3, 7, z=2.576)
    assert low < wilson_interval(3, 7)[0] and high > wilson_interval(3, 7)[1]
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_newcombe_difference_interval_matches_published_example() -> None:
    # Newcombe (1998) "Interval estimation for the difference between independent
    # proportions", example (a): 56/70 vs 48/80, method 10 gives 0.0524 to 0.3339.
    low, high = newcombe_difference_interval(56, 70, 48, 80)
    assert low == pytest.approx(0.0524, abs=1e-4)
    assert high == pytest.approx(0.3339, abs=1e-4)
    # Example (c): 5/56 vs 0/29 -> -0.0381 to 0.1926.
    low, high = newcombe_difference_interval(5, 56, 0, 29)
    assert low == pytest.approx(-0.0381, abs=1e-4)
    assert high == pytest.approx(0.1926, abs=1e-4)


def test_benjamini_hochberg_hand_example_and_scipy() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert q == pytest.approx([0.02, 0.04, 0.04, 0.02])
    rng = np.random.default_rng(7)
    for size in (1, 5, 31):
        p = rng.uniform(0, 0.2, size)
        assert benjamini_hochberg(p) == pytest.approx(false_discovery_control(p))
    with_nan = benjamini_hochberg([0.01, float("nan"), 0.02])
    assert np.isnan(with_nan[1])
    assert with_nan[[0, 2]] == pytest.approx([0.02, 0.02])
    assert benjamini_hochberg([]).shape == (0,)


def test_code_prevalence_counts_participants_in_codebook_order(result) -> None:
    table = code_prevalence(result.participants, result.codebook)
    assert list(table["code"]) == list(result.codebook["code"])
    assert dict(zip(table["code"], table["n"], strict=True)) == {
        "trigger.wording": 5,
        "trigger.ideation": 5,
        "trigger.time_pressure": 7,
        "pattern.draft_then_edit": 4,
        "culture.encouraged": 4,
        "outcome.saves_time": 7,
    }
    assert (table["total"] == 12).all()
    row = table.set_index("code").loc["trigger.time_pressure"]
    assert row["share"] == pytest.approx(7 / 12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_interval(7, 12))
    triggers = code_prevalence(result.participants, result.codebook, facet="trigger")
    assert list(triggers["code"]) == [
        "trigger.wording",
        "trigger.ideation",
        "trigger.time_pressure",
    ]


def test_code_prevalence_of_nobody_is_zero_with_full_interval(result) -> None:
    table = code_prevalence(result.participants.iloc[0:0], result.codebook)
    assert (table["n"] == 0).all() and (table["share"] == 0).all()
    assert (table["ci_high"] == 1.0).all()


def test_small_groups_are_hidden_and_reported(result) -> None:
    grouped = prevalence_by_group(result.participants, result.codebook, "cohort")
    assert grouped.groups == ["workforce"]
    assert grouped.hidden == [("creatives", 4), ("scientists", 2)]
    wording = grouped.table.set_index(["group", "code"]).loc[("workforce", "trigger.wording")]
    assert (wording["n"], wording["total"]) == (3, 6)

    everyone = prevalence_by_group(
        result.participants, result.codebook, "cohort", facet="trigger", min_group_size=2
    )
    assert everyone.groups == ["workforce", "creatives", "scientists"]
    assert everyone.hidden == []
    ideation = everyone.table[everyone.table["code"] == "trigger.ideation"]
    assert list(ideation["n"]) == [1, 4, 0]
    assert list(ideation["total"]) == [6, 4, 2]
    assert set(everyone.table["facet"]) == {"trigger"}


def test_missing_group_values_form_an_unknown_group(result) -> None:
    participants = result.participants.copy()
    participants.loc[participants["transcript_id"].isin(["w01", "c01"]), "occupation_group"] = None
    grouped = prevalence_by_group(
        participants, result.codebook, "occupation_group", min_group_size=1
    )
    assert MISSING_GROUP in grouped.groups
    sizes = grouped.table.groupby("group")["total"].first()
    assert sizes[MISSING_GROUP] == 2 and sizes.sum() == 12


def test_cooccurrence_is_symmetric_and_matches_brute_force(result) -> None:
    participants = result.participants
    table = cooccurrence(participants, result.codebook)
    codes = list(result.codebook["code"])
    assert len(table) == len(codes) * (len(codes) - 1)
    indexed = table.set_index(["code_a", "code_b"])
    for a, b in itertools.permutations(codes, 2):
        both = int(((participants[a] == 1) & (participants[b] == 1)).sum())
        assert indexed.loc[(a, b), "n_both"] == both == indexed.loc[(b, a), "n_both"]
        assert indexed.loc[(a, b), "jaccard"] == indexed.loc[(b, a), "jaccard"]
    row = indexed.loc[("trigger.time_pressure", "outcome.saves_time")]
    assert row["n_both"] == 6
    assert row["share_of_a"] == pytest.approx(6 / 7)
    assert row["jaccard"] == pytest.approx(6 / 8)
    assert indexed.loc[("trigger.ideation", "culture.encouraged"), "n_both"] == 1


def test_group_differences_fisher_and_bh(result) -> None:
    table = group_differences(
        result.participants, result.codebook, "cohort", "workforce", "creatives"
    )
    assert list(table["diff"].abs()) == sorted(table["diff"].abs(), reverse=True)
    top = table.iloc[0]
    assert top["code"] == "trigger.ideation"
    assert (top["n_a"], top["total_a"], top["n_b"], top["total_b"]) == (1, 6, 4, 4)
    assert top["diff"] == pytest.approx(1 / 6 - 1)
    # Fisher two-sided for [[1, 5], [4, 0]]: the two extreme tables, 5/210 each.
    assert top["p_value"] == pytest.approx(10 / 210)
    assert top["diff_ci_low"] < top["diff"] < top["diff_ci_high"]
    assert table["q_value"].to_numpy() == pytest.approx(
        benjamini_hochberg(table["p_value"].to_numpy())
    )
    assert (table["q_value"] >= table["p_value"] - 1e-12).all()


def test_group_differences_with_an_empty_group_has_no_test(result) -> None:
    table = group_differences(result.participants, result.codebook, "cohort", "workforce", "nobody")
    assert table["p_value"].isna().all() and table["q_value"].isna().all()
    assert (table["total_b"] == 0).all()


def test_topic_by_group_counts_participants_and_answers(result) -> None:
    table = topic_by_group(result.segments, result.participants, "cohort")
    assert -1 not in set(table["topic_id"])
    cell = table.set_index(["topic_id", "group"])
    assert tuple(cell.loc[(1, "creatives"), ["n_participants", "n_answers", "total"]]) == (4, 5, 4)
    assert cell.loc[(1, "creatives"), "share"] == 1.0
    assert tuple(cell.loc[(1, "workforce"), ["n_participants", "n_answers"]]) == (1, 1)
    assert tuple(cell.loc[(1, "scientists"), ["n_participants", "n_answers"]]) == (0, 0)
    with_outliers = topic_by_group(
        result.segments, result.participants, "cohort", include_outliers=True
    )
    assert -1 in set(with_outliers["topic_id"])


def test_evidence_for_code_lists_assigned_answers(result) -> None:
    view = apply_filters(result, FilterSpec())
    evidence = evidence_for_code(view, "trigger.ideation", result.participants)
    assert sorted(evidence["transcript_id"]) == ["c01", "c02", "c03", "c04", "w05"]
    assert list(evidence["confidence"]) == sorted(evidence["confidence"], reverse=True)
    assert evidence["answer"].str.len().gt(0).all()
    assert set(evidence.loc[evidence["transcript_id"] == "c01", "occupation"]) == {"illustrator"}
    assert len(evidence_for_code(view, "trigger.ideation", result.participants, limit=2)) == 2

    stuck = apply_filters(result, FilterSpec(keyword="stuck"))
    first = evidence_for_code(stuck, "trigger.ideation", result.participants)
    assert "stuck" in first.iloc[0]["answer"]
    creatives = apply_filters(result, FilterSpec(cohorts=("creatives",)))
    assert "w05" not in set(
        evidence_for_code(creatives, "trigger.ideation", result.participants)["transcript_id"]
    )
    assert evidence_for_code(view, "culture.nothing", result.participants).empty


def test_all_aggregates_accept_an_empty_selection(result) -> None:
    empty = result.participants.iloc[0:0]
    assert prevalence_by_group(empty, result.codebook, "cohort").table.empty
    assert (cooccurrence(empty, result.codebook)["n_both"] == 0).all()
    assert topic_by_group(result.segments, empty, "cohort").empty
    assert isinstance(group_differences(empty, result.codebook, "cohort", "a", "b"), pd.DataFrame)


def test_wilson_arrays_match_the_scalar_interval() -> None:
    k = np.array([0, 1, 5, 10, 0, 3])
    n = np.array([10, 10, 10, 10, 0, 7])
    low, high = wilson_arrays(k, n)
    for i in range(len(k)):
        assert (low[i], high[i]) == pytest.approx(wilson_interval(int(k[i]), int(n[i])))


def test_code_columns_as_text_or_missing_are_read_safely(result) -> None:
    participants = result.participants.copy()
    participants["trigger.wording"] = participants["trigger.wording"].astype(str)
    participants = participants.drop(columns=["culture.encouraged"])
    table = code_prevalence(participants, result.codebook).set_index("code")
    assert table.loc["trigger.wording", "n"] == 5
    assert table.loc["culture.encouraged", "n"] == 0
