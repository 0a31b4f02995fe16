"""Agreement with your own coding: Cohen's kappa, precision, recall and every disagreement."""

from __future__ import annotations

import streamlit as st

from analysis.agreement import summary
from analysis.export import to_csv_bytes
from analysis.ingest.options import IngestOptions
from ui import research_view, state, widgets

ctx = widgets.page_context("Agreement with your coding", large=True)
st.caption("Upload your own coding of some participants: the JSONL format of the evaluation "
           "labels (transcript_id, codes, optional evidence), or a CSV with transcript_id and "
           "one 0/1 column per code id (optional evidence.<code id> columns). Participants in "
           "view that you coded are compared; your coding is the reference for precision and "
           "recall.")
upload = st.file_uploader("Your coding", type=["jsonl", "json", "csv"],
                          key=state.page_key("agreement", "file"))
if upload is None:
    st.stop()
data = upload.getvalue()
limit = IngestOptions().max_file_bytes
if len(data) > limit:
    st.error(f"The file is larger than {limit // (1024 * 1024)} MB.")
    st.stop()
try:
    report = research_view.agreement(ctx, upload.name, data)
except ValueError as error:
    st.error("Could not read this file: " + widgets.escape_markdown(error))
    st.stop()

figures = summary(report)
left, middle, right = st.columns(3)
left.metric("Participants compared", figures["n_participants"])
middle.metric("Mean Cohen's kappa", "–" if figures["n_codes"] == 0
              else f"{figures['mean_kappa']:.2f}",
              help="Over codes that either coder gave at least 3 participants.")
right.metric("Disagreements", figures["n_disagreements"])
if report.missing:
    st.caption(widgets.escape_markdown(
        f"{len(report.missing)} coded participant(s) are not in view (filters) or not in the "
        "project: " + ", ".join(report.missing[:10]) + (" …" if len(report.missing) > 10 else "")))
if report.unknown_codes:
    st.caption(widgets.escape_markdown(
        "Codes in your file that this project's codebook does not have: "
        + ", ".join(report.unknown_codes[:20])))

st.subheader("Per code")
st.dataframe(report.per_code, hide_index=True, width="stretch",
             column_config={c: st.column_config.NumberColumn(format="%.2f")
                            for c in ("agreement", "kappa", "precision", "recall")})

st.subheader("Disagreements")
disagreements = report.disagreements
if disagreements.empty:
    st.caption("None: the two codings agree on every participant compared.")
    st.stop()
labels = dict(zip(report.per_code["code"], report.per_code["label"], strict=False))
counts = disagreements["code"].value_counts()
code = st.selectbox("Code", list(counts.index),
                    format_func=lambda c: f"{labels.get(c, c)} ({counts[c]})",
                    key=state.page_key("agreement", "code"))
for row in disagreements[disagreements["code"] == code].itertuples(index=False):
    with st.container(border=True):
        st.caption(widgets.escape_markdown(str(row.transcript_id)))
        ours, theirs = st.columns(2)
        ours.markdown("**Automatic coding: " + ("yes" if row.auto else "no") + "**")
        ours.text(row.auto_evidence or "(no evidence sentence)")
        theirs.markdown("**Your coding: " + ("yes" if row.human else "no") + "**")
        theirs.text(row.human_evidence or "(no evidence quote given)")
st.download_button("Disagreements CSV", data=lambda: to_csv_bytes(disagreements),
                   file_name="disagreements.csv", mime="text/csv", on_click="ignore",
                   key="agreement.csv", icon=":material/download:")
