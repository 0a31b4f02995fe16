"""Upload & projects and Codebook page sections for exchanging work with other people/tools.

- Project files: download the picked project as one file, or open one a colleague sent.
- REFI-QDA: the picked project as ``.qdpx`` for NVivo/ATLAS.ti/MAXQDA.
- Public dataset: fetch the Anthropic Interviewer CSVs on an explicit click (the only
  network use of the app), then they go through the same parse/analyse steps as an upload.
- Codebook page: ``.qdc`` download and import (mapping notes shown, as plain text).

Heavy files are built inside the download button's callable, so a redraw never builds them.
"""

from __future__ import annotations

import os
import re
from typing import Any

import streamlit as st

from analysis.public_dataset import ATTRIBUTION, COHORTS, HF_BASE, SOURCE_ENV
from ui import auth, cache, state
from ui.upload import PICK
from ui.widgets import escape_markdown

PUBLIC_BLOBS = "upload.public.blobs"
PUBLIC_SOURCE = "upload.public.source"
PUBLIC_PROJECT_NAME = "Anthropic Interviewer"
QDC_NOTES = "codebook.qdc.notes"
PROJECT_FILE_TYPES = ["zip"]


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "project"


def chosen_project() -> str | None:
    """The project the picker shows (else the open one), if it is saved in the store."""
    names = cache.project_names()
    picked = st.session_state.get(PICK)
    active = state.active_project()
    for name in (picked, active.name if active else None):
        if name in names:
            return str(name)
    return None


def project_file_bytes(project: str, store: Any = None) -> bytes:
    from analysis.project_file import export_project

    return export_project(store if store is not None else cache.store(), project)


def qdpx_bytes(project: str, store: Any = None) -> bytes:
    from analysis.qda import build_qdpx

    result = (store if store is not None else cache.store()).load_result(project)
    if result is None:
        raise KeyError(project)
    if state.redaction_on():  # a QDA hand-off follows the switch like every table export
        from analysis.redact import redact_result

        result = redact_result(result)[0]
    return build_qdpx(result, project_name=project)


def draw_project_exports() -> None:
    """Download the picked project as a project file or a REFI-QDA project."""
    project = chosen_project()
    if project is not None:
        stem = _file_stem(project)
        # Deferred downloads run outside the script run: the user's (scoped) store is taken
        # now, and each download is logged in the audit trail.
        store = cache.store()
        row = st.container(horizontal=True)
        row.download_button(
            "Project file", data=auth.audited_export(
                f"{stem}.interview-lens.zip", lambda: project_file_bytes(project, store)),
            file_name=f"{stem}.interview-lens.zip", mime="application/zip",
            key="upload.export.project", on_click="ignore", icon=":material/archive:",
            help="Everything a colleague needs to open the same dashboard: transcripts, "
                 "settings, codebook, topic renames and merges, results. Holds the "
                 "transcripts as uploaded: never redacted.")
        row.download_button(
            "REFI-QDA project (.qdpx)", data=auth.audited_export(
                f"{stem}.qdpx", lambda: qdpx_bytes(project, store)),
            file_name=f"{stem}.qdpx", mime="application/zip",
            key="upload.export.qdpx", on_click="ignore", icon=":material/hub:",
            help="For NVivo, ATLAS.ti or MAXQDA: transcripts as sources, each coded "
                 "answer a coded selection with our codes.")


def draw_project_import() -> None:
    """Open a project file a colleague saved (it is added to the saved projects)."""
    uploaded = st.file_uploader("Open a project file", type=PROJECT_FILE_TYPES,
                                key="upload.import.file",
                                help="A file saved with the 'Project file' button.")
    if uploaded is not None and st.button("Add project", key="upload.import.go",
                                          icon=":material/upload_file:"):
        import_project_file(uploaded.getvalue())


def import_project_file(data: bytes) -> None:
    """Save the project file's project into the store and open it."""
    from analysis.project_file import ProjectFileError, import_project

    try:
        imported = import_project(cache.store(), data)
    except ProjectFileError as error:
        st.error(f"This project file cannot be opened: {escape_markdown(error)}")
        return
    cache.project_changed(imported.name)
    cache.open_project(imported.name)
    state.put(state.FLASH, f"Project {imported.name} opened ({imported.n_transcripts} "
                           "transcripts).")
    st.rerun()


# --- public dataset -------------------------------------------------------------------


def public_blobs() -> list[tuple[str, bytes]] | None:
    """The loaded public dataset's files, if the user loaded it in this session."""
    return state.get(PUBLIC_BLOBS)


def draw_public_dataset() -> None:
    """The one-click public dataset: explicit about the download, with attribution."""
    from analysis.public_dataset import PublicDataError, fetch_public_dataset

    st.caption("1,250 interviews Anthropic Interviewer held with professionals about AI "
               "at work. Clicking the button **downloads** three CSV files (about 11 MB) "
               "from Hugging Face, or from the mirror or folder below; nothing is "
               "fetched before you click, and the copy is kept in your cache.")
    st.caption(escape_markdown(ATTRIBUTION))
    default = os.environ.get(SOURCE_ENV, "")
    source = st.text_input("Source (optional)", value=default, key=PUBLIC_SOURCE,
                           placeholder=HF_BASE,
                           help="A mirror URL or a local folder holding workforce, creatives "
                                "and scientists CSVs; empty means Hugging Face.")
    loaded = public_blobs()
    row = st.container(horizontal=True)
    clicked = row.button("Load the Anthropic Interviewer dataset", key="upload.public.load",
                         icon=":material/cloud_download:")
    if loaded and row.button("Stop using it", key="upload.public.clear"):
        state.put(PUBLIC_BLOBS, None)
        st.rerun()
    if not clicked:
        return
    bar = st.progress(0.0, text="Connecting…")

    def progress(cohort: str, done: int, total: int | None) -> None:
        position = COHORTS.index(cohort) if cohort in COHORTS else 0
        part = done / total if total else 0.0
        bar.progress(min(1.0, (position + part) / len(COHORTS)),
                     text=f"Downloading {cohort} ({done / 1e6:.1f} MB)")

    try:
        dataset = fetch_public_dataset(source or None, progress=progress)
    except PublicDataError as error:
        bar.empty()
        st.error(f"The dataset could not be loaded: {escape_markdown(error)}")
        return
    bar.empty()
    state.put(PUBLIC_BLOBS, dataset.blobs())
    st.session_state[state.UPLOAD_PROJECT_NAME] = PUBLIC_PROJECT_NAME
    st.rerun()


# --- codebook page ---------------------------------------------------------------------


def draw_qdc_controls(project: str) -> None:
    """Download the draft as ``.qdc``; import a ``.qdc`` as the draft (mapping reported)."""
    from analysis.coding.codebook import parse_codebook
    from analysis.qda import QdaError, codebook_to_qdc, qdc_to_codebook_yaml
    from ui import codebook_editor

    codebook, _ = parse_codebook(codebook_editor.draft(project))
    if codebook is not None:
        st.download_button("Download REFI-QDA codebook (.qdc)",
                           data=lambda: codebook_to_qdc(codebook),
                           file_name="codebook.qdc", mime="application/xml",
                           key="codebook.qdc.download", on_click="ignore",
                           icon=":material/download:",
                           help="Codebook Exchange file for NVivo, ATLAS.ti and MAXQDA.")
    notes = state.get(QDC_NOTES)
    if notes:
        st.info("Imported from REFI-QDA:\n\n" + "\n".join(f"- {escape_markdown(n)}"
                                                          for n in notes))
    uploaded = st.file_uploader("Import a REFI-QDA codebook (.qdc)", type=["qdc", "xml"],
                                key="codebook.qdc.upload")
    if uploaded is None or not st.button("Use imported codebook", key="codebook.qdc.use"):
        return
    try:
        imported = qdc_to_codebook_yaml(uploaded.getvalue(), base=codebook)
    except QdaError as error:
        st.error(f"This codebook cannot be used: {escape_markdown(error)}")
        return
    problems = codebook_editor.set_draft(project, imported.yaml)
    if problems:
        st.error("The imported codebook is not valid:\n\n"
                 + "\n".join(f"- {escape_markdown(p)}" for p in problems))
        return
    state.put(QDC_NOTES, imported.notes or ["every code kept its id, label and facet"])
    st.rerun()
