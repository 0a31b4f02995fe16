"""Saturation page: curves per cohort for codes and topics, following the filters."""
# ruff: noqa: F811  (pytest fixtures are imported from tests.app.conftest by name)

from __future__ import annotations

from analysis.saturation import saturation_table
from tests.insight.research_app import (  # noqa: F401 - pytest fixtures
    _isolated_store,
    chart_data,
    fixture_result,
    open_app,
)
from ui import state

PAGE = "app_pages/saturation.py"


def test_code_curves_match_the_analysis(open_app, fixture_result) -> None:
    at = open_app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    data = chart_data(at).drop_duplicates(["cohort", "n_interviews"])
    expected = saturation_table(fixture_result.participants, fixture_result.segments,
                                fixture_result.code_ids, n_orders=20)
    expected = expected[(expected["kind"] == "code") & (expected["threshold"] == 1)]
    assert set(data["cohort"]) == set(expected["cohort"])
    merged = data.merge(expected, on=["cohort", "n_interviews"], suffixes=("", "_want"))
    assert len(merged) == len(expected)
    assert (merged["median_cumulative"] == merged["median_cumulative_want"]).all()
    assert any("last 10 interviews" in c.value for c in at.caption)


def test_topics_two_participants_and_filter(open_app) -> None:
    at = open_app(PAGE, **{state.F_COHORTS: ["workforce"]})
    at.segmented_control(key=state.page_key("saturation", "kind")).set_value("Topics").run()
    at.segmented_control(key=state.page_key("saturation", "rule")).set_value(
        "Two participants").run()
    assert not at.exception, [e.value for e in at.exception]
    data = chart_data(at)
    assert set(data["cohort"]) == {"All participants"}  # one cohort in view
    assert data["n_interviews"].max() == 6
    assert (data["kind"] == "topic").all() and (data["threshold"] == 2).all()
