"""Quotes: a searchable list of answers with question, codes, topic, role and cohort."""

from __future__ import annotations

import math

import streamlit as st

from ui import large_pages, quotes_view, state, widgets

PER_PAGE = 20

ctx = widgets.page_context("Quotes", large=True)
large = large_pages.is_large(ctx)  # a large project: one page of answers at a time, from SQL
labels = dict(zip(ctx.codebook["code"], ctx.codebook["label"], strict=False))
left, middle, right = st.columns([2, 2, 1])
search = left.text_input("Search answers and questions", key=state.page_key("quotes", "q"))
code = middle.selectbox("Code", [None, *labels], key=state.page_key("quotes", "code"),
                        format_func=lambda c: "Any code" if c is None else labels[c])
layout = right.segmented_control("Show as", ["Cards", "Table"], default="Cards",
                                 key=state.page_key("quotes", "layout"))
if large:
    answers, total = large_pages.answers(ctx, search=search, code=code, per_page=PER_PAGE)
    st.caption(f"{total:,} answer(s)")
else:
    answers = quotes_view.answers_in_view(ctx, search=search, code=code)
    st.caption(f"{len(answers)} answer(s)")

if layout == "Table":
    st.dataframe(answers, hide_index=True, width="stretch", column_config={
        "answer": st.column_config.TextColumn(width="large")})
else:
    pages = 1 if large else max(1, math.ceil(len(answers) / PER_PAGE))
    page = 1
    if pages > 1:
        page = int(st.columns([1, 4])[0].number_input(
            f"Page (of {pages})", 1, pages, 1, key=state.page_key("quotes", "page")))
    for row in answers.iloc[(page - 1) * PER_PAGE: page * PER_PAGE].itertuples(index=False):
        chips = [c for c in str(row.codes).split("; ") if c]
        if row.topic:
            chips.append("Topic: " + row.topic)
        widgets.quote_block(answer=row.answer, evidence=row.evidence, question=row.question,
                            who=f"{row.transcript_id} · {row.cohort} · {row.role}", chips=chips)
widgets.export_buttons(ctx, key="quotes.export")  # large: from SQL (ui.large_exports)
