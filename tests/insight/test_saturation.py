"""Saturation curves on constructed corpora whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.saturation import (
    ALL_COHORTS,
    SATURATION_COLUMNS,
    saturation_curve,
    saturation_table,
)


def test_every_code_in_every_interview_gives_a_flat_curve() -> None:
    presence = np.ones((12, 5), dtype=int)
    curve = saturation_curve(presence, n_orders=20)
    assert curve["median_cumulative"].tolist() == [5.0] * 12
    assert curve["median_new"].tolist() == [5.0] + [0.0] * 11
    assert (curve["low_cumulative"] == curve["high_cumulative"]).all()
    assert curve["total"].iloc[0] == 5


def test_one_new_code_per_interview_grows_linearly_in_every_order() -> None:
    presence = np.eye(8, dtype=int)  # interview i is the only one with code i
    curve = saturation_curve(presence, n_orders=20)
    assert curve["median_cumulative"].tolist() == list(range(1, 9))
    assert curve["median_new"].tolist() == [1.0] * 8
    assert curve["orders"].iloc[0] == 20


def test_threshold_two_needs_a_second_participant() -> None:
    presence = np.array([[1, 1], [0, 1], [0, 0], [1, 0]])
    given_order = saturation_curve(presence, n_orders=1, threshold=2)
    # code 1 confirmed at interview 2, code 0 only at interview 4
    assert given_order["median_cumulative"].tolist() == [0, 1, 1, 2]
    assert saturation_curve(presence, n_orders=1, threshold=1)["median_cumulative"].tolist() == [
        2, 2, 2, 2]


def test_band_brackets_the_median_and_orders_are_seeded() -> None:
    rng = np.random.default_rng(3)
    presence = (rng.random((30, 15)) < 0.1).astype(int)
    a = saturation_curve(presence, n_orders=20, seed=7)
    b = saturation_curve(presence, n_orders=20, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert (a["low_cumulative"] <= a["median_cumulative"]).all()
    assert (a["median_cumulative"] <= a["high_cumulative"]).all()
    assert a["median_cumulative"].iloc[-1] == a["total"].iloc[0] == (presence.sum(0) > 0).sum()
    assert a["median_cumulative"].is_monotonic_increasing


def test_table_per_cohort_codes_and_topics() -> None:
    participants = pd.DataFrame({
        "transcript_id": ["a", "b", "c", "d"],
        "cohort": ["x", "x", "y", "y"],
        "code.one": [1, 1, 0, 0],
        "code.two": [0, 1, 0, 1],
    })
    segments = pd.DataFrame({
        "transcript_id": ["a", "a", "b", "c", "d"],
        "topic_id": [0, -1, 1, 0, -1],
    })
    table = saturation_table(participants, segments, ["code.one", "code.two"], n_orders=5)
    assert list(table.columns) == SATURATION_COLUMNS
    assert set(table["cohort"]) == {ALL_COHORTS, "x", "y"}
    final = table.sort_values("n_interviews").groupby(["cohort", "kind", "threshold"]).last()
    assert final.loc[(ALL_COHORTS, "code", 1), "median_cumulative"] == 2
    assert final.loc[("y", "code", 1), "total"] == 1  # only code.two among y
    assert final.loc[(ALL_COHORTS, "topic", 1), "total"] == 2  # topic -1 is not a theme
    assert final.loc[(ALL_COHORTS, "topic", 2), "total"] == 1  # only topic 0 twice
    assert final.loc[("x", "topic", 1), "total"] == 2


def test_empty_participants() -> None:
    empty = pd.DataFrame(columns=["transcript_id", "cohort"])
    assert saturation_table(empty, pd.DataFrame(), []).empty
