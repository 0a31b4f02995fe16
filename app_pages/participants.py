"""Participants: who is in view, with role, cohort and codes; open one to read it all."""

from __future__ import annotations

import streamlit as st

from ui import large_pages, large_participant_pages, state, upload, widgets

ctx = widgets.page_context("Participants", large=True)
large = large_pages.is_large(ctx)  # a large project: its participant table, a page at a time
if large:
    search = st.text_input("Find participants", key=state.page_key("participants", "find"),
                           placeholder="id, cohort, role or code",
                           help="Case-insensitive; narrows the table below.")
    found = large_participant_pages.participants_table(ctx, search)
    st.caption(f"{len(found):,} participant(s)")
    table = large_participant_pages.participants_page(ctx, found)
else:
    table = widgets.participants_table(ctx)
event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                     selection_mode="single-row", key=state.page_key("participants", "table"),
                     column_config={"codes": st.column_config.TextColumn(width="large")})
# Every participant in view (all pages, not the search): a large project's from SQL.
widgets.export_buttons(ctx, key="participants.export")

ids = list(table["transcript_id"].astype(str))
if not ids:
    st.stop()
st.subheader("Read a transcript")
st.caption("Select a row in the table above, or pick a participant here.")
widgets.follow_row_click(event, ids, key=state.page_key("participants", "open"))
chosen = st.selectbox("Participant", ids, key=state.page_key("participants", "open"))
person = table[table["transcript_id"].astype(str) == chosen].iloc[0]
role = widgets.role_text(person["occupation"], person["occupation_group"])
st.markdown(widgets.escape_markdown(f"{chosen} · {person['cohort']} · {role}"))
if person["codes"]:
    st.caption("Codes: " + widgets.escape_markdown(person["codes"]))
if large:  # no turns table: the participant's question and answer pairs, from SQL
    large_participant_pages.draw_transcript(ctx, chosen)
    st.stop()
turns = ctx.result.turns[ctx.result.turns["transcript_id"].astype(str) == chosen]
segments = ctx.result.segments[ctx.result.segments["transcript_id"].astype(str) == chosen]
coded = set(segments.loc[segments["codes"].fillna("") != "", "turn_index"].astype(int))
st.caption(f"{len(turns)} turns; {len(coded)} coded answers are marked “coded”.")
upload.draw_transcript(turns.sort_values("turn_index"), coded_turns=coded)
