"""Codebook: read the codes, edit them, swap the YAML, and re-run coding."""

from __future__ import annotations

import streamlit as st

from ui import codebook_editor, exchange, state
from ui.widgets import escape_markdown

st.title("Codebook")
project = state.active_project()
name = project.name if project else ""
codebook, problems = codebook_editor.parsed_draft(name)
if codebook is None:
    st.error("The codebook draft is not valid: " + escape_markdown("; ".join(problems)))
    st.stop()

st.dataframe(codebook.frame(), hide_index=True, width="stretch", column_config={
    "description": st.column_config.TextColumn(width="large")})
st.caption(f"{len(codebook.codes)} codes in {len(set(c.facet for c in codebook.codes))} facets")

edit, files = st.columns(2, gap="large")
with edit:
    st.subheader("Add or edit a code")
    codebook_editor.draw_form(name, codebook)
with files:
    st.subheader("Codebook file")
    codebook_editor.draw_file_controls(name)
    st.subheader("REFI-QDA (NVivo, ATLAS.ti, MAXQDA)")
    exchange.draw_qdc_controls(name)
    st.subheader("Apply")
    codebook_editor.draw_recode(name)
