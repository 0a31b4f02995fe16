"""Codebook page helpers: a YAML draft per project, form edits, validation and re-coding.

The draft is YAML text (the coding package's own format), so what the researcher edits in
the form, downloads and uploads is one and the same thing; every change is validated with
``analysis.coding.validate_codebook_yaml`` before it replaces the draft. Re-coding reuses
the stored embeddings and topics (``analysis.pipeline.recode_project``; for a large project
only the streaming coding stage, in the background: ``ui.large_recode``).
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from analysis.coding.codebook import (
    Code,
    Codebook,
    default_codebook_yaml,
    dump_codebook,
    parse_codebook,
    validate_codebook_yaml,
)
from ui import cache, large_project, large_recode, state
from ui.sidebar import FACETS
from ui.widgets import escape_markdown

NEW_CODE = "+ New code"


def _draft_key(project: str) -> str:
    return f"codebook.draft.{project}"


def saved_yaml(project: str) -> str:
    """The project's codebook as stored, else the default one."""
    if large_project.is_open():
        return large_recode.saved_yaml(project)
    try:
        text = cache.store().get_codebook(project) if project in cache.project_names() else None
    except Exception:  # no store: the default codebook is what was used
        text = None
    return text or default_codebook_yaml()


def draft(project: str) -> str:
    key = _draft_key(project)
    if state.get(key) is None:
        state.put(key, saved_yaml(project))
    return str(state.get(key))


def set_draft(project: str, text: str) -> list[str]:
    """Replace the draft if ``text`` is a valid codebook; returns the problems otherwise."""
    problems = validate_codebook_yaml(text)
    if not problems:
        state.put(_draft_key(project), text)
    return problems


def upsert_code(codebook: Codebook, code: Code, replacing: str | None) -> str:
    """YAML of ``codebook`` with ``code`` added, or replacing the code ``replacing``."""
    codes = list(codebook.codes)
    if replacing is not None:
        at = [c.id for c in codes].index(replacing)
        codes[at] = code
    else:
        codes.append(code)
    return dump_codebook(dataclasses.replace(codebook, codes=tuple(codes)))


def remove_code(codebook: Codebook, code_id: str) -> str:
    codes = tuple(c for c in codebook.codes if c.id != code_id)
    return dump_codebook(dataclasses.replace(codebook, codes=codes))


def draw_form(project: str, codebook: Codebook) -> None:
    """Add a code or edit/remove an existing one, validated before it is accepted."""
    by_id = {c.id: c for c in codebook.codes}
    chosen = st.selectbox("Code", [NEW_CODE, *by_id], key="codebook.pick")
    current = by_id.get(chosen)
    facets = list(codebook.facets or FACETS)
    with st.form("codebook.form"):
        code_id = st.text_input("Id", value=current.id if current else "",
                                help="facet.name, e.g. trigger.wording")
        facet = st.selectbox("Facet", facets, index=facets.index(current.facet)
                             if current and current.facet in facets else 0)
        label = st.text_input("Label", value=current.label if current else "")
        description = st.text_area("Description", value=current.description if current else "")
        examples = st.text_area("Examples (one per line)",
                                value="\n".join(current.examples) if current else "")
        save = st.form_submit_button("Save code", type="primary")
    if save:
        base = current or Code(id="", facet=facet, label="", description="")
        code = dataclasses.replace(
            base, id=code_id.strip(), facet=facet, label=label.strip(),
            description=description.strip(),
            examples=tuple(line.strip() for line in examples.splitlines() if line.strip()))
        _apply(project, upsert_code(codebook, code, current.id if current else None))
    if current is not None and st.button("Remove this code", key="codebook.remove",
                                         icon=":material/delete:"):
        _apply(project, remove_code(codebook, current.id))


def _apply(project: str, text: str) -> None:
    problems = set_draft(project, text)
    if problems:
        # Problems can quote the user's YAML (ids, labels): shown escaped, never as markup.
        st.error("The codebook would not be valid:\n\n"
                 + "\n".join(f"- {escape_markdown(p)}" for p in problems))
    else:
        st.rerun()


def draw_file_controls(project: str) -> None:
    """Download the draft, upload a replacement, or go back to the saved codebook."""
    text = draft(project)
    left, right = st.columns(2)
    left.download_button("Download codebook YAML", data=text.encode("utf-8"),
                         file_name="codebook.yaml", mime="application/x-yaml",
                         key="codebook.download", on_click="ignore", icon=":material/download:")
    if right.button("Discard edits", key="codebook.discard", icon=":material/undo:"):
        state.put(_draft_key(project), saved_yaml(project))
        st.rerun()
    uploaded = st.file_uploader("Replace with a codebook YAML file", type=["yaml", "yml"],
                                key="codebook.upload")
    if uploaded is not None and st.button("Use uploaded codebook", key="codebook.use"):
        try:
            content = uploaded.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            st.error("The codebook file must be UTF-8 text.")
            return
        _apply(project, content)


def draw_recode(project: str) -> None:
    """Re-run coding on the saved project with the draft codebook (no re-embedding)."""
    if large_project.is_open():
        large_recode.draw_recode(project, draft(project))
        return
    if project not in cache.project_names():
        st.caption("Re-coding needs a saved project (analyse an upload first).")
        return
    changed = draft(project) != saved_yaml(project)
    st.caption("The draft differs from the codebook used for this project." if changed
               else "The draft is the codebook this project was coded with.")
    if st.button("Re-run coding", type="primary", key="codebook.recode",
                 icon=":material/refresh:"):
        from analysis.pipeline import recode_project

        with st.spinner("Coding every answer with the new codebook…"):
            recode_project(cache.store(), project, draft(project))
        cache.project_changed(project)
        cache.open_project(project)
        st.success("Coding updated.")


def parsed_draft(project: str) -> tuple[Codebook | None, list[str]]:
    return parse_codebook(draft(project))
