"""Topics: sizes, the 2-D map of answers, keywords and quotes, topic × group, merge/rename."""

from __future__ import annotations

import streamlit as st

from ui import large_pages, large_topic_edits, research_view, state, topics_view, widgets
from ui.charts import MAX_MAP_POINTS, chart_topic_by_group, chart_topic_map, chart_topic_sizes

ctx = widgets.page_context("Topics", large=True)
large = large_pages.is_large(ctx)  # a large project: sizes, map sample and quotes from SQL
research_view.draw_stability_badge(ctx)
sizes = large_pages.topic_sizes(ctx) if large else topics_view.topic_sizes(ctx)
map_data = large_pages.map_sample(ctx, MAX_MAP_POINTS) if large else ctx.view.segments
map_note = "closer = more similar"
if large and ctx.overview is not None and ctx.overview.n_answers > len(map_data):
    map_note += (f" · a fixed sample of {len(map_data):,} of {ctx.overview.n_answers:,} "
                 "answers")
widgets.show_chart(
    lambda: chart_topic_sizes(sizes, title="Topics: answers per topic",
                      subtitle=ctx.subtitle(), presentation=ctx.presentation),
    name="topic-sizes", ctx=ctx)
widgets.show_chart(
    lambda: chart_topic_map(map_data, title="Map of answers by topic",
                    subtitle=ctx.subtitle(map_note),
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
    hidden = (large_pages.small_groups(ctx, options[split]) if large
              else topics_view.small_groups(ctx, options[split]))
    widgets.hidden_groups_note(hidden, ctx.min_group_size)

if not ctx.presentation:
    st.subheader("Topic table")
    st.dataframe(topics_view.topic_table(ctx, sizes), hide_index=True, width="stretch")
    if large:
        large_pages.draw_topic_quotes(ctx, large_pages.topic_order(ctx, sizes))
    else:
        topics_view.draw_quotes(ctx)
    with st.expander("Rename or merge topics"):
        if large:
            large_topic_edits.draw_edit(ctx)
        else:
            topics_view.draw_edit(ctx)
