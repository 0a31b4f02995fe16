"""Question × theme: which codes and topics come up in answer to which interview question."""

from __future__ import annotations

import streamlit as st

from ui import large_pages, research_view, state, widgets
from ui.charts import chart_heatmap
from ui.sidebar import FACETS

ALL_FACETS = "All facets"

ctx = widgets.page_context("Question × theme", large=True)
if not research_view.has_question_groups(ctx):
    again = ("with `python -m analysis analyze --streaming`" if large_pages.is_large(ctx)
             else "(Upload & projects)")
    st.info("This project was analysed before questions were grouped. Analyse it again "
            f"{again} to see which themes each interview question brings up.")
    st.stop()

themes = widgets.control(ctx, st.segmented_control, "Themes", ["Codes", "Topics"],
                         default="Codes", key=state.page_key("questions", "themes")) or "Codes"
if themes == "Codes":
    facet_names = {**{title: facet for facet, title in FACETS.items()}, ALL_FACETS: None}
    facet_title = widgets.control(ctx, st.selectbox, "Codes", list(facet_names),
                                  key=state.page_key("questions", "facet"))
    facet = facet_names[facet_title]
    table = research_view.question_matrix(ctx, "code", facet)
    name, what = f"questions-codes-{facet or 'all'}", f"{facet_title}"
else:
    table = research_view.question_matrix(ctx, "topic", research_view.MAX_TOPIC_COLUMNS)
    name, what = "questions-topics", f"the {research_view.MAX_TOPIC_COLUMNS} largest topics"

widgets.show_chart(
    lambda: chart_heatmap(
        table, row="question_group", col="label", count_title="Answers",
        title=f"Question × theme: {what}",
        subtitle=ctx.subtitle("cell = share of the answers to that question with the theme"),
        presentation=ctx.presentation),
    name=name, ctx=ctx)

if not ctx.presentation:
    st.caption("Questions are grouped by their wording (the interview guide's questions and "
               "their paraphrases); personal follow-ups asked in few interviews are "
               "'Other follow-up questions'.")
    with st.expander("Question groups"):
        st.dataframe(research_view.question_groups_table(ctx), hide_index=True,
                     width="stretch")
