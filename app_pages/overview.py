"""Overview: how many people and answers are in view, and the top codes of each facet."""

from __future__ import annotations

import streamlit as st

from ui import large_pages, widgets
from ui.charts import chart_prevalence
from ui.sidebar import FACETS

TOP_PER_FACET = 3

ctx = widgets.page_context("Overview", large=True)
large = large_pages.is_large(ctx)
if large:  # counted in the database
    large_pages.draw_metrics(ctx)
else:
    view = ctx.view
    participants = view.participants
    unknown = participants["occupation_group"].fillna("").astype(str).isin(
        ["", "Unclear", "Unknown"])
    known_role = int((~unknown).sum())
    topic_ids = set(view.segments.loc[view.segments["topic_id"] != -1, "topic_id"])

    cols = st.columns(4)
    cols[0].metric("Participants", f"{view.n_participants:,}",
                   help=f"of {view.n_total_participants:,} in the project")
    cols[1].metric("Answers", f"{len(view.segments):,}")
    cols[2].metric("Topics", f"{len(topic_ids):,}",
                   help="Topics with at least one answer in view")
    share = known_role / view.n_participants if view.n_participants else 0.0
    cols[3].metric("With a known role", f"{share:.0%}", help=f"{known_role} participants")

table = ctx.aggregate("code_prevalence", None)
# A code nobody in view has is not a "top" code: with few participants a facet would
# otherwise be padded with 0% rows. Facets left empty are named in the subtitle.
present = table[table["n"] > 0]
top = (present.sort_values("share", ascending=False, kind="mergesort")
       .groupby("facet", sort=False).head(TOP_PER_FACET))
empty_facets = [title for facet, title in FACETS.items()
                if facet in set(table["facet"]) and facet not in set(present["facet"])]
note = f"top {TOP_PER_FACET} per facet"
if empty_facets:
    note += " · none in view: " + ", ".join(empty_facets)
order = {facet: i for i, facet in enumerate(FACETS)}
top = top.assign(_o=top["facet"].map(order)).sort_values(["_o", "share"],
                                                        ascending=[True, False])
top["facet"] = top["facet"].map(FACETS).fillna(top["facet"])  # legend: "Triggers", not "trigger"
widgets.show_chart(
    lambda: chart_prevalence(top.drop(columns="_o"), title="Top codes of each facet",
                             subtitle=ctx.subtitle(note),
                             presentation=ctx.presentation),
    name="overview-top-codes", ctx=ctx)

if not ctx.presentation and large:
    st.subheader("Export")
    widgets.export_buttons(ctx, key="overview.export")  # from SQL (ui.large_exports)
elif not ctx.presentation:
    st.subheader("Export")
    st.caption("Filtered participants and their coded answers (spreadsheet formulas escaped).")
    widgets.export_buttons(ctx, key="overview.export")
    for message in ctx.result.messages:
        st.caption(widgets.escape_markdown(message))
