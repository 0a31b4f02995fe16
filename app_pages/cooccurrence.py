"""Co-occurrence: which codes the same participants have together."""

from __future__ import annotations

import streamlit as st

from ui import state, widgets
from ui.charts import chart_cooccurrence
from ui.sidebar import FACETS

ALL_FACETS = "All facets"

ctx = widgets.page_context("Co-occurrence", large=True)  # SQL for large projects
facet_names = {**{title: facet for facet, title in FACETS.items()}, ALL_FACETS: None}
facet_title = widgets.control(ctx, st.selectbox, "Codes", list(facet_names),
                              key=state.page_key("cooc", "facet"))
facet = facet_names[facet_title]
table = ctx.aggregate("cooccurrence", facet)
widgets.show_chart(
    lambda: chart_cooccurrence(
        table, title=f"{facet_title}: codes that go together",
        subtitle=ctx.subtitle("cell = participants with both; colour = share of the row's code"),
        presentation=ctx.presentation),
    name=f"cooccurrence-{facet or 'all'}", ctx=ctx)
if not ctx.presentation:
    with st.expander("Strongest pairs"):
        pairs = table[table["code_a"] < table["code_b"]].sort_values(
            ["n_both", "jaccard"], ascending=False, kind="mergesort")
        st.dataframe(pairs[["label_a", "label_b", "n_a", "n_b", "n_both", "jaccard"]].head(30),
                     hide_index=True, width="stretch")
