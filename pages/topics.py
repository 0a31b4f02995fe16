"""Topics: sizes, the 2-D map of answers, keywords and quotes, topic × group, merge/rename."""

from __future__ import annotations

import streamlit as st

from ui import research_view, state, topics_view, widgets
from ui.charts import chart_topic_by_group, chart_topic_map, chart_topic_sizes

ctx = widgets.page_context("Topics")
research_view.draw_stability_badge(ctx)
sizes = topics_view.topic_sizes(ctx)
widgets.show_chart(
    lambda: chart_topic_sizes(sizes, title="Topics: answers per topic",
                      subtitle=ctx.subtitle(), presentation=ctx.presentation),
    name="topic-sizes", ctx=ctx)
widgets.show_chart(
    lambda: chart_topic_map(ctx.view.segments, title="Map of answers by topic",
                    subtitle=ctx.subtitle("closer = more similar"),
                    presentation=ctx.presentation),
    name="topic-map", ctx=ctx)

options = widgets.group_columns(ctx)
split = widgets.control(ctx, st.segmented_control, "Topic by", list(options),
                        default="Cohort", key=state.page_key("topics", "split"))
if split:
    table = ctx.aggregate("topic_by_group", options[split], min_group_size=ctx.min_group_size)
    widgets.show_chart(
        lambda: chart_topic_by_group(table, title=f"Topics by {split.lower()}",
                             subtitle=ctx.subtitle("share of each group's participants"),
                             presentation=ctx.presentation),
        name=f"topics-by-{options[split]}", ctx=ctx)
    hidden = topics_view.small_groups(ctx, options[split])
    widgets.hidden_groups_note(hidden, ctx.min_group_size)

if not ctx.presentation:
    st.subheader("Topic table")
    st.dataframe(topics_view.topic_table(ctx, sizes), hide_index=True, width="stretch")
    topics_view.draw_quotes(ctx)
    with st.expander("Rename or merge topics"):
        topics_view.draw_edit(ctx)
