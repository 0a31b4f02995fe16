"""Economic Index lens: automation vs augmentation patterns by group, beside published shares."""

from __future__ import annotations

import streamlit as st

from analysis.econ_index import MEASURES, SPLIT_MEASURES, SUBTYPES
from ui import insight_view, state, widgets
from ui.charts import chart_econ_split

SPLITS = {"Cohort": "cohort", "Occupation group": "occupation_group"}

ctx = widgets.page_context("Economic Index lens", large=True)
split = widgets.control(ctx, st.selectbox, "Groups", list(SPLITS),
                        key=state.page_key("econ", "groups"))
table = insight_view.econ(ctx)
dimension = SPLITS[split]
rows = table[table["dimension"].isin(["all", dimension, "published"])
             & table["measure"].isin(SPLIT_MEASURES)]
widgets.show_chart(
    lambda: chart_econ_split(
        rows, title="Automation and augmentation patterns",
        subtitle=ctx.subtitle(f"by {split.lower()} · groups of {ctx.min_group_size}+"),
        presentation=ctx.presentation),
    name=f"econ-split-{dimension}", ctx=ctx)
st.caption(widgets.escape_markdown(
    "Automation = Directive (pattern.delegation) or Feedback Loop (iteration answers that feed "
    "errors or results back); augmentation = Task Iteration (other iteration answers), Learning "
    "(pattern.learning) or Validation (trigger.quality_check: AI checks the participant's own "
    "work; pattern.verification, the participant checking AI output, is the opposite "
    "direction and is not mapped). Ours are shares of participants, who can have both; the "
    "Economic Index shares are of single-labelled conversations, the Interviewer's are "
    "self-described primary roles."))
if ctx.presentation:
    st.stop()
st.subheader("Counts per subtype")
measures = [*SPLIT_MEASURES, *SUBTYPES, "outside"]
counts = table[table["dimension"].isin(["all", dimension])
               & table["measure"].isin(measures)]
wide = counts.pivot_table(index="group", columns="measure", values="n", sort=False,
                          aggfunc="first")[measures]
wide.insert(0, "participants", counts.groupby("group", sort=False)["total"].first())
st.dataframe(wide.rename(columns=MEASURES), width="stretch")
published = table[table["dimension"] == "published"]
st.dataframe(published[["source", "label", "share", "note"]], hide_index=True, width="stretch",
             column_config={"share": st.column_config.NumberColumn(format="percent")})
