"""Findings: a plain-language summary of the participants in view, every number traceable."""

from __future__ import annotations

import streamlit as st

from analysis.findings import SECTION_NOTES, SECTIONS, render_markdown
from ui import insight_view, widgets

ctx = widgets.page_context("Findings", large=True)
found = insight_view.findings(ctx)
if not found.findings:
    st.stop()
st.caption(widgets.escape_markdown(
    "Written from the statistics, not by a language model. Shares are of participants with "
    "Wilson 95% intervals; group differences are Fisher exact tests kept only when they "
    "survive a Benjamini–Hochberg correction, with the gap's Newcombe interval and odds "
    "ratio; each quote is from a participant who has the code or topic."))
for section, heading in SECTIONS.items():
    items = found.section(section)
    if not items:
        continue
    st.subheader(heading)
    if section in SECTION_NOTES:
        st.caption(widgets.escape_markdown(SECTION_NOTES[section]))
    for finding in items:
        insight_view.draw_finding(finding, presentation=ctx.presentation)
if ctx.presentation:
    st.stop()
st.subheader("Numbers behind every sentence")
st.dataframe(found.to_frame().drop(columns=["sentence"]), hide_index=True, width="stretch")
st.download_button("Findings as Markdown", data=lambda: render_markdown(found).encode("utf-8"),
                   file_name="findings.md", mime="text/markdown", key="findings.md",
                   on_click="ignore", icon=":material/download:")
