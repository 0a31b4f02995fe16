"""Regression tests for problems found by using the finished dashboard."""

from __future__ import annotations

import copy

import pandas as pd
import pyarrow as pa

from ui import state


def test_topic_quotes_start_on_the_largest_real_topic(open_app, fixture_result) -> None:
    at = open_app("app_pages/topics.py")
    picker = at.selectbox(key=state.page_key("topics", "quotes"))
    sizes = fixture_result.segments.groupby("topic_id").size().drop(-1)
    largest = int(sizes.sort_values(ascending=False, kind="mergesort").index[0])
    assert picker.value == largest
    assert picker.options[-1].startswith("#-1 ")  # "no clear topic" is offered last
    quotes = [t.value for t in at.main.text]
    in_topic = set(fixture_result.segments.loc[
        fixture_result.segments["topic_id"] == largest, "answer"])
    assert quotes and set(quotes) <= in_topic


def chart_data(at, index: int = 0) -> pd.DataFrame:
    """The rows a drawn Vega-Lite chart received (Streamlit ships them as Arrow)."""
    element = at.get("vega_lite_chart")[index]
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in element.proto.datasets]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def test_overview_top_codes_skip_codes_nobody_in_view_has(open_app) -> None:
    at = open_app(**{state.F_KEYWORD: "soften the tone of difficult"})  # work_004: no pattern
    assert at.metric[0].value == "1"
    data = chart_data(at)
    assert len(data) and (data["n"] > 0).all(), data[["label", "n"]]
    assert not data["display"].str.startswith("0%").any()
    # The facets this one participant has no code in are named, not padded with 0% bars.
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "none in view: " in spec
    empty = spec.split("none in view: ")[1].split('"')[0]
    assert empty == "Interaction patterns"
    assert "Interaction patterns" not in set(data["facet"])


def test_split_by_never_offers_identifier_columns(open_app, fixture_result) -> None:
    result = copy.copy(fixture_result)
    people = fixture_result.participants.copy()
    # Repeating values, so only the name tells that this is an id column.
    people["attr.transcript_id"] = [f"batch_{i // 2}" for i in range(len(people))]
    result.participants = people
    at = open_app("app_pages/triggers.py", **{state.ACTIVE_RESULT: result,
                                          state.ACTIVE_FINGERPRINT: "fixture-with-ids"})
    split = at.get("button_group")[0]
    labels = [str(o.content) for o in split.proto.options]
    assert "Seniority" in labels
    assert not any("transcript" in label.lower() for label in labels), labels


def test_presentation_hides_split_and_picker_controls_and_keeps_the_choice(open_app) -> None:
    at = open_app("app_pages/triggers.py")
    at.get("button_group")[0].set_value("Cohort").run()
    charts_before = len(at.get("vega_lite_chart"))
    assert charts_before == 2  # prevalence + split by cohort
    at.toggle(key=state.PRESENTATION).set_value(True).run()
    assert not at.get("button_group"), "Split by is hidden while presenting"
    assert not at.main.selectbox, "the evidence code picker is hidden too"
    assert len(at.get("vega_lite_chart")) == charts_before  # the chosen split still shows
    at.toggle(key=state.PRESENTATION).set_value(False).run()
    assert at.get("button_group")[0].value == "Cohort"

    for page in ("app_pages/cooccurrence.py", "app_pages/compare.py", "app_pages/topics.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox or at.get("button_group"), page
        at.toggle(key=state.PRESENTATION).set_value(True).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.get("button_group") and not at.main.selectbox, page
        assert at.get("vega_lite_chart"), page
        at.toggle(key=state.PRESENTATION).set_value(False).run()
