"""Topic-page helpers: topic sizes under the active filters, the table, quotes, edits.

Renames and merges go to the store (``Store.rename_topic`` / ``merge_topics``) and the
project is then reopened, so every page sees the new labels; nothing is re-embedded. A large
project draws the same forms and saves through ``ui.large_topic_edits``.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ui import cache, state
from ui.widgets import PageContext, escape_markdown

QUOTES_PER_TOPIC = 5


def topic_sizes(ctx: PageContext) -> pd.DataFrame:
    """Topics with ``size`` = answers in view (so the bars follow the filters)."""
    topics = ctx.result.topics
    counts = ctx.view.segments.groupby("topic_id").size()
    sizes = topics.assign(size=topics["topic_id"].map(counts).fillna(0).astype(int))
    return sizes[sizes["size"] > 0].reset_index(drop=True)


def small_groups(ctx: PageContext, column: str) -> list[tuple[str, int]]:
    """Groups below the minimum size, which ``topic_by_group`` leaves out."""
    labels = ctx.view.participants[column].fillna("").astype(str).str.strip()
    counts = labels.replace("", "Unknown").value_counts()
    return [(str(g), int(n)) for g, n in counts.items() if n < ctx.min_group_size]


def _quotes(value: object) -> str:
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        return " | ".join(str(v) for v in items)
    return "" if value is None else str(value)


def topic_table(ctx: PageContext, sizes: pd.DataFrame) -> pd.DataFrame:
    """Id, label, answers in view, keywords and representative quotes (as plain text)."""
    table = sizes[["topic_id", "label", "size", "top_words"]].copy()
    table["top_words"] = table["top_words"].map(_quotes)
    table["representative_quotes"] = sizes["representative_quotes"].map(_quotes)
    return table.rename(columns={"size": "answers in view"})


def quote_topic_order(ctx: PageContext) -> dict[int, str]:
    """Topic id -> "#id label": real topics largest-in-view first, "no clear topic" last.

    The picker starts on its first option, and the outlier bucket (-1) is the least
    telling place to start reading; topics with no answer in view go after the others.
    """
    topics = ctx.result.topics
    counts = ctx.view.segments.groupby("topic_id").size()
    ranked = topics.assign(
        _in_view=topics["topic_id"].map(counts).fillna(0).astype(int),
        _outlier=topics["topic_id"] == -1,
    ).sort_values(["_outlier", "_in_view", "topic_id"], ascending=[True, False, True],
                  kind="mergesort")
    return {int(t): f"#{int(t)} {lab}" for t, lab in
            zip(ranked["topic_id"], ranked["label"], strict=False)}


def draw_quotes(ctx: PageContext) -> None:
    """Answers in view of one topic (matching answers first)."""
    labels = quote_topic_order(ctx)
    topic = st.selectbox("Quotes of topic", list(labels), format_func=labels.get,
                         key=state.page_key("topics", "quotes"))
    if topic is None:
        return
    segments = ctx.view.segments[ctx.view.segments["topic_id"] == topic]
    segments = segments.sort_values("match", ascending=False, kind="mergesort")
    for row in segments.head(QUOTES_PER_TOPIC).itertuples(index=False):
        with st.container(border=True):
            st.text(str(row.answer))
            st.caption(escape_markdown(f"{row.transcript_id} · Q: {row.question}"))


RenameFn = Callable[[int, str], None]
MergeFn = Callable[[list[int], str | None], None]


def draw_edit_forms(topics: pd.DataFrame, rename: RenameFn, merge: MergeFn) -> None:
    """The rename and merge forms over ``topics`` (the outlier topic is never offered).

    Shared by small and large projects (``ui.large_topic_edits``), which differ only in
    where an edit is saved: ``rename(topic_id, label)`` gets a stripped, non-empty label,
    ``merge(topic_ids, label)`` at least two ids and the label or None.
    """
    topics = topics[topics["topic_id"] != -1].sort_values("topic_id")
    labels = {int(t): f"#{int(t)} {lab}" for t, lab in
              zip(topics["topic_id"], topics["label"], strict=False)}
    with st.form("topics.rename"):
        topic = st.selectbox("Topic", list(labels), format_func=labels.get,
                             key="topics.rename.topic")
        label = st.text_input("New label", max_chars=80, key="topics.rename.label")
        if st.form_submit_button("Rename") and topic is not None and label.strip():
            rename(int(topic), label.strip())
    with st.form("topics.merge"):
        chosen = st.multiselect("Topics to merge", list(labels), format_func=labels.get,
                                key="topics.merge.topics")
        label = st.text_input("Label of the merged topic (optional)", max_chars=80,
                              key="topics.merge.label")
        if st.form_submit_button("Merge") and len(chosen) >= 2:
            merge([int(t) for t in chosen], label.strip() or None)


def draw_edit(ctx: PageContext) -> None:
    """Rename one topic or merge several; saved to the store, then the project reopens."""
    if ctx.project.name not in cache.project_names():
        st.caption("Only saved projects can be edited.")
        return

    def rename(topic: int, label: str) -> None:
        cache.store().rename_topic(ctx.project.name, topic, label)
        _reopen(ctx)

    def merge(topic_ids: list[int], label: str | None) -> None:
        cache.store().merge_topics(ctx.project.name, topic_ids, label=label)
        _reopen(ctx)

    draw_edit_forms(ctx.result.topics, rename, merge)


def _reopen(ctx: PageContext) -> None:
    cache.project_changed(ctx.project.name)
    cache.open_project(ctx.project.name)
    st.rerun()
