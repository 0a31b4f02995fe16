"""Compare groups: group × code heatmap of participant shares, and the biggest gaps."""

from __future__ import annotations

import streamlit as st

from ui import state, widgets
from ui.charts import chart_group_differences, chart_heatmap
from ui.sidebar import FACETS

ALL_FACETS = "All facets"

ctx = widgets.page_context("Compare groups", large=True)
options = widgets.group_columns(ctx)
left, right = st.columns(2)
with left:
    split = widgets.control(ctx, st.selectbox, "Groups", list(options),
                            key=state.page_key("compare", "groups"))
facet_names = {ALL_FACETS: None, **{title: facet for facet, title in FACETS.items()}}
with right:
    facet_title = widgets.control(ctx, st.selectbox, "Codes", list(facet_names),
                                  key=state.page_key("compare", "facet"))
column, facet = options[split], facet_names[facet_title]

grouped = ctx.aggregate("prevalence_by_group", column, facet, min_group_size=ctx.min_group_size)
widgets.show_chart(
    lambda: chart_heatmap(grouped, row="label", col="group",
                          title=f"{facet_title} by {split.lower()}: share of participants",
                          subtitle=ctx.subtitle(), presentation=ctx.presentation),
    name=f"heatmap-{column}-{facet or 'all'}", ctx=ctx)
widgets.hidden_groups_note(grouped.hidden, ctx.min_group_size)

st.subheader("Differences between two groups")
groups = grouped.groups
if len(groups) < 2:
    st.info(f"Need two groups with at least {ctx.min_group_size} participants to compare.")
    st.stop()
a_col, b_col = st.columns(2)
with a_col:
    group_a = widgets.control(ctx, st.selectbox, "Group A", groups, default=groups[0],
                              key=state.page_key("compare", "a"))
with b_col:
    group_b = widgets.control(ctx, st.selectbox, "Group B", groups, default=groups[1],
                              key=state.page_key("compare", "b"))
if group_a == group_b:
    st.info("Pick two different groups.")
    st.stop()
diffs = ctx.aggregate("group_differences", column, group_a, group_b, facet)
widgets.show_chart(
    lambda: chart_group_differences(
        diffs, group_a=group_a, group_b=group_b,
        title=f"Biggest gaps: {group_a} vs {group_b}", subtitle=ctx.subtitle(),
        presentation=ctx.presentation),
    name=f"gaps-{column}-{group_a}-{group_b}-{facet or 'all'}", ctx=ctx)
st.caption(widgets.escape_markdown(
    f"Share of participants in {group_a} minus share in {group_b}, biggest gaps first; "
    "95% interval (Newcombe), Fisher exact p, and q adjusted for the number of codes (BH)."))
if ctx.presentation:
    st.stop()
st.dataframe(
    diffs[["label", "facet", "n_a", "total_a", "share_a", "n_b", "total_b", "share_b", "diff",
           "diff_ci_low", "diff_ci_high", "p_value", "q_value"]],
    hide_index=True, width="stretch",
    column_config={
        "label": "Code", "n_a": f"n {group_a}", "total_a": f"of {group_a}",
        "share_a": st.column_config.NumberColumn(f"share {group_a}", format="percent"),
        "n_b": f"n {group_b}", "total_b": f"of {group_b}",
        "share_b": st.column_config.NumberColumn(f"share {group_b}", format="percent"),
        "diff": st.column_config.NumberColumn("gap", format="percent"),
        "diff_ci_low": st.column_config.NumberColumn("gap low", format="percent"),
        "diff_ci_high": st.column_config.NumberColumn("gap high", format="percent"),
        "p_value": st.column_config.NumberColumn("p", format="%.3f"),
        "q_value": st.column_config.NumberColumn("q", format="%.3f"),
    },
)
