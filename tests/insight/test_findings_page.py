"""Findings, Paper parity and Economic Index pages through AppTest on the fixture project."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from tests.app import conftest as app_conftest
from ui import state
from ui.cache import fingerprint

# The app tests' fixtures (fixture project, isolated store), reused.
_isolated_store = app_conftest._isolated_store
fixture_result = app_conftest.fixture_result
open_app = app_conftest.open_app
APP, TIMEOUT = app_conftest.APP, app_conftest.TIMEOUT
COHORT_WIDGET = state.WIDGET_PREFIX + state.F_COHORTS


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def test_findings_page_states_the_summary_and_escapes_quotes(open_app) -> None:
    at = open_app("app_pages/findings.py")
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.subheader][:4] == [
        "Most common code in each facet", "Differences between cohorts",
        "Differences between occupation groups", "Largest topics"]
    body = texts(at)
    assert any(t.startswith("Triggers\\: the most common code is “Technical problem”")
               and "5 of 12 participants" in t for t in body)
    # the hostile answer is quoted for "Saves time" and shows only escaped
    hostile = [t for t in body if "script" in t]
    assert hostile and all("<script>" not in t and "](" not in t for t in hostile)
    assert any(b.label == "Findings as Markdown" for b in at.get("download_button"))
    assert len(at.dataframe) == 1
    assert any("different question guides" in c.value for c in at.caption)


def test_findings_follow_the_sidebar_filters(open_app) -> None:
    at = open_app("app_pages/findings.py")
    at.multiselect(key=COHORT_WIDGET).set_value(["creatives"]).run()
    body = texts(at)
    assert any("Triggers\\: the most common code is “Ideation”" in t and "of 4 participants"
               in t for t in body)
    assert any("Fewer than two cohorts" in t for t in body)


def test_parity_is_off_for_another_corpus_and_can_be_chosen(open_app) -> None:
    at = open_app("app_pages/parity.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle[0].value is False and len(at.dataframe) == 0
    assert "does not look like" in at.info[0].value
    at.toggle[0].set_value(True).run()
    table = at.dataframe[0].value
    stigma = table[(table["sample"] == "workforce")
                   & table["figure"].str.startswith("mentioned the social stigma")].iloc[0]
    assert (stigma["n"], stigma["total"]) == (1, 6)  # work_004 of the six workforce


def test_parity_is_on_for_the_public_dataset_ids(fixture_result) -> None:
    ids = {tid: f"work_{i:04d}" for i, tid in enumerate(fixture_result.participants
                                                         ["transcript_id"])}
    result = replace(
        fixture_result,
        participants=fixture_result.participants.replace({"transcript_id": ids}),
        segments=fixture_result.segments.replace({"transcript_id": ids}),
        assignments=fixture_result.assignments.replace({"transcript_id": ids}),
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.ACTIVE_PROJECT] = "Public copy"
    at.session_state[state.ACTIVE_RESULT] = result
    at.session_state[state.ACTIVE_FINGERPRINT] = fingerprint(result)
    at.session_state[state.BOOTSTRAPPED] = True
    at.run()
    at.switch_page("app_pages/parity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle[0].value is True
    table = at.dataframe[0].value
    stigma = table[table["figure"].str.startswith("mentioned the social stigma")].iloc[0]
    assert (stigma["n"], stigma["total"]) == (2, 12)  # every id is work_: all "workforce"


def test_econ_page_draws_the_split_with_counts(open_app) -> None:
    at = open_app("app_pages/econ_index.py", **{state.MIN_GROUP_SIZE: 2})
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("vega_lite_chart")) == 1
    counts = at.dataframe[0].value
    assert counts.loc["All participants", "participants"] == 12
    assert counts.loc["All participants", "Directive"] == 2  # work_003, creat_004
    assert counts.loc["scientists", "participants"] == 2
    assert any("not mapped" in c.value for c in at.caption)
    at.selectbox(key=state.page_key("econ", "groups")).set_value("Occupation group").run()
    assert "Sales and Related" in at.dataframe[0].value.index
