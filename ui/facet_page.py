"""The one renderer behind the four facet pages (triggers, patterns, culture, outcomes).

Each facet page is a one-liner calling ``render_facet_page``, so the four views can never
drift apart: the same share-of-participants chart with Wilson intervals, the same group
split with small groups suppressed, the same evidence list.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import large_pages, state, widgets
from ui.charts import chart_prevalence, chart_prevalence_by_group

MAX_QUOTES = 20
NO_SPLIT = "No split"


def render_facet_page(facet: str, title: str) -> None:
    """Share of participants per code, split by a group, then evidence for one code."""
    ctx = widgets.page_context(title, large=True)
    codes = ctx.codebook[ctx.codebook["facet"] == facet]
    if codes.empty:
        st.info("The codebook of this project has no codes in this facet.")
        return
    table = ctx.aggregate("code_prevalence", facet)
    picked = widgets.show_chart(
        lambda: chart_prevalence(table, title=f"{title}: share of participants",
                                 subtitle=ctx.subtitle(), presentation=ctx.presentation),
        name=f"{facet}-prevalence", ctx=ctx, pick="code")
    _follow_click(facet, picked)

    options = widgets.group_columns(ctx)
    split = widgets.control(ctx, st.segmented_control, "Split by", [NO_SPLIT, *options],
                            default=NO_SPLIT, key=state.page_key(facet, "split"))
    if split and split != NO_SPLIT:
        grouped = ctx.aggregate("prevalence_by_group", options[split], facet,
                                min_group_size=ctx.min_group_size)
        widgets.show_chart(
            lambda: chart_prevalence_by_group(
                grouped, title=f"{title} by {split.lower()}", subtitle=ctx.subtitle(),
                presentation=ctx.presentation),
            name=f"{facet}-by-{options[split]}", ctx=ctx)
        widgets.hidden_groups_note(grouped.hidden, ctx.min_group_size)

    if not ctx.presentation:
        with st.expander("Table"):
            st.dataframe(table, hide_index=True, width="stretch")
    _evidence(ctx, table, facet)


def _follow_click(facet: str, picked: list[str]) -> None:
    """A click on a bar selects that code for the evidence list (once per new click)."""
    last = state.page_key(facet, "clicked")
    current = picked[0] if picked else None
    if current and current != state.get(last):
        st.session_state[state.page_key(facet, "code")] = current
    state.put(last, current)


def _evidence(ctx: widgets.PageContext, table: pd.DataFrame, facet: str) -> None:
    """Pick a code, read the answers that carry it (evidence sentence in bold)."""
    st.subheader("Evidence")
    labels = dict(zip(table["code"], table["label"], strict=False))
    counts = dict(zip(table["code"], table["n"], strict=False))
    if ctx.presentation:  # the picker is hidden: name the code the quotes are for
        code = st.session_state.get(state.page_key(facet, "code"))
        code = code if code in labels else next(iter(labels), None)
        if code is not None:
            st.caption(widgets.escape_markdown(f"{labels[code]} ({counts[code]} participants)"))
    else:
        st.caption("Click a bar in the chart above, or pick a code here.")
        code = st.selectbox("Code", list(labels), key=state.page_key(facet, "code"),
                            format_func=lambda c: f"{labels[c]} ({counts[c]} participants)")
    if code is None:
        return
    if large_pages.is_large(ctx):  # a large project: one page at a time, from SQL
        quotes = large_pages.evidence_page(ctx, facet, code, MAX_QUOTES)
    else:
        quotes = ctx.aggregate("evidence_for_code", code, limit=MAX_QUOTES)
    if quotes.empty:
        st.caption("No participant in view has this code.")
        return
    st.caption(f"Showing {len(quotes)} answer(s), best evidence first.")
    for row in quotes.itertuples(index=False):
        role = widgets.role_text(row.occupation, row.occupation_group)
        widgets.quote_block(answer=row.answer, evidence=row.evidence, question=row.question,
                            who=f"{row.transcript_id} · {row.cohort} · {role}",
                            chips=[labels.get(code, code)])
