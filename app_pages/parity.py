"""Paper parity: our mention rates beside the figures Anthropic published for this corpus."""

from __future__ import annotations

import streamlit as st

from analysis.parity import SOURCE
from ui import insight_view, state, widgets

ctx = widgets.page_context("Paper parity", large=True)
detected = insight_view.corpus_detected(ctx)
if detected:
    st.caption("This project's transcript ids are those of the public Anthropic Interviewer "
               "dataset (work_, creativity_, science_).")
chosen = st.toggle("Compare with the published figures", value=detected,
                   key=state.page_key("parity", "on"),
                   help="On by default for the public dataset; turn it on for a copy of it "
                        "with other ids (cohorts named workforce, creatives, scientists).")
if not chosen:
    st.info("This project does not look like the public Anthropic Interviewer dataset, so "
            "there is nothing to compare with.")
    st.stop()
table = insight_view.parity(ctx)
st.caption(widgets.escape_markdown(
    f"Published: {SOURCE}. Ours: share of the same sample with the code (any of the codes "
    "listed), Wilson 95% interval. Computed over every participant of the project, not the "
    "sidebar filters: the published figures describe whole samples. Rows without a close "
    "code carry no number."))
st.dataframe(
    table, hide_index=True, width="stretch",
    column_config={
        "published_share": st.column_config.NumberColumn("published share", format="percent"),
        "share": st.column_config.NumberColumn("our share", format="percent"),
        "ci_low": st.column_config.NumberColumn("95% low", format="percent"),
        "ci_high": st.column_config.NumberColumn("95% high", format="percent"),
        "n": st.column_config.NumberColumn("n"),
        "total": st.column_config.NumberColumn("of"),
    },
)
