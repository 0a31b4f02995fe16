"""Regression tests for problems found by using the finished dashboard."""

from __future__ import annotations

from ui import state


def test_topic_quotes_start_on_the_largest_real_topic(open_app, fixture_result) -> None:
    at = open_app("pages/topics.py")
    picker = at.selectbox(key=state.page_key("topics", "quotes"))
    sizes = fixture_result.segments.groupby("topic_id").size().drop(-1)
    largest = int(sizes.sort_values(ascending=False, kind="mergesort").index[0])
    assert picker.value == largest
    assert picker.options[-1].startswith("#-1 ")  # "no clear topic" is offered last
    quotes = [t.value for t in at.main.text]
    in_topic = set(fixture_result.segments.loc[
        fixture_result.segments["topic_id"] == largest, "answer"])
    assert quotes and set(quotes) <= in_topic
