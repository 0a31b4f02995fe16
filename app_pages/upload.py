"""Upload & projects: open or delete a saved project, or upload, check and analyse a batch."""

from __future__ import annotations

import streamlit as st

from ui import exchange, large_project, state, upload

st.title("Upload & projects")
upload.draw_flash()
upload.follow_job()  # an analysis queued or running for this session

with st.container(border=True):
    st.subheader("Projects")
    upload.draw_project_picker()
    large_project.draw_picker()  # only when the store holds a large project
    exchange.draw_project_exports()

st.subheader("Upload transcripts")
files = st.file_uploader(
    "Transcript files or ZIP archives", type=upload.TRANSCRIPT_TYPES,
    accept_multiple_files=True, key=state.UPLOAD_FILES,
    help="Text, Markdown, CSV/TSV/XLSX datasets, JSON/JSONL chats, VTT/SRT subtitles, DOCX.")
metadata_file = st.file_uploader(
    "Participant metadata (optional)", type=upload.METADATA_TYPES, key=state.UPLOAD_METADATA,
    help="One row per transcript: a transcript id column plus any attributes to filter by.")
with st.expander("Or load the public Anthropic Interviewer dataset (downloads 11 MB)",
                 expanded=bool(exchange.public_blobs())):
    exchange.draw_public_dataset()
with st.expander("Or open a project file from a colleague"):
    exchange.draw_project_import()
public = exchange.public_blobs()
if not files and not public:
    st.caption("Upload one or more files to see what Interview Lens makes of them.")
    st.stop()

blobs = [(f.name, f.getvalue()) for f in files] if files else list(public or [])
if not files:
    st.caption("Using the public Anthropic Interviewer dataset (by Anthropic, CC-BY).")
metadata = (metadata_file.name, metadata_file.getvalue()) if metadata_file else None
batch = upload.parse_with_progress(blobs, metadata, dict(state.get(state.UPLOAD_OVERRIDES) or {}))
upload.draw_summary(batch)

if batch.ingest.transcripts:
    preview, roles = st.tabs(["Preview", "Who is the interviewer?"])
    with preview:
        upload.draw_preview(batch)
    with roles:
        overrides = upload.draw_override(batch)
        if overrides is not None:
            state.put(state.UPLOAD_OVERRIDES, overrides)
            st.rerun()

    st.subheader("Analyse")
    name = st.text_input("Project name", value=upload.default_project_name(),
                         key=state.UPLOAD_PROJECT_NAME, max_chars=80)
    engine = upload.draw_engine_setting()
    if st.button("Analyse", type="primary", icon=":material/play_arrow:",
                 disabled=not name.strip(), key="upload.analyse"):
        upload.analyse(batch, name.strip(), engine)
else:
    st.error("No transcript could be read from these files; see the reasons above.")
