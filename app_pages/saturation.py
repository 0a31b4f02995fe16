"""Saturation: would more interviews add themes? New codes and topics per added interview."""

from __future__ import annotations

import streamlit as st

from analysis.saturation import last_new_share
from ui import research_view, state, widgets
from ui.charts import chart_saturation

KINDS = {"Codes": "code", "Topics": "topic"}
RULES = {"First mention": 1, "Two participants": 2}

ctx = widgets.page_context("Saturation", large=True)
kind_title = widgets.control(ctx, st.segmented_control, "Themes", list(KINDS), default="Codes",
                             key=state.page_key("saturation", "kind")) or "Codes"
rule = widgets.control(ctx, st.segmented_control, "A theme counts as found at its",
                       list(RULES), default="First mention",
                       key=state.page_key("saturation", "rule")) or "First mention"
table = research_view.saturation(ctx)
curve = table[(table["kind"] == KINDS[kind_title]) & (table["threshold"] == RULES[rule])]

widgets.show_chart(
    lambda: chart_saturation(
        curve, title=f"Saturation: {kind_title.lower()} found as interviews are added",
        subtitle=ctx.subtitle(f"median of {research_view.SATURATION_ORDERS} random orders, "
                              "band = 10–90%"),
        presentation=ctx.presentation),
    name=f"saturation-{KINDS[kind_title]}-{RULES[rule]}", ctx=ctx)

if not ctx.presentation and len(curve):
    lines = []
    for cohort, part in curve.groupby("cohort", sort=False):
        share = last_new_share(part)
        lines.append(f"{cohort}: the last 10 interviews added {share:.0%} of the "
                     f"{int(part['total'].iloc[0])} {kind_title.lower()} found")
    st.caption(widgets.escape_markdown(" · ".join(lines)))
    st.caption("'Two participants': a theme counts only once a second participant has it, "
               "so one idiosyncratic interview does not count as a new theme.")
