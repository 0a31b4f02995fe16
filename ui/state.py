"""Session-state keys and typed accessors: the one place that names what a session remembers.

Pages never spell a session-state key; they call the helpers here. Filter values live
under *canonical* keys that no widget owns, because Streamlit deletes a widget's key
whenever that widget is not drawn in a run (a page switch or presentation mode would
otherwise wipe the user's filters). Widgets use their own ``w.`` keys and are re-seeded
from the canonical values each time they are drawn (see ``ui.sidebar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from analysis.filters import FilterSpec
from analysis.results import AnalysisResult

# --- the active project -------------------------------------------------------------
ACTIVE_PROJECT = "project.name"
"""Name of the project the dashboard shows (a store project or the demo)."""
ACTIVE_RESULT = "project.result"
"""The loaded ``AnalysisResult`` (a reference into the shared, read-only cache)."""
ACTIVE_FINGERPRINT = "project.fingerprint"
"""Content fingerprint of the active result; every derived cache is keyed by it."""
ACTIVE_LARGE = "project.large"
"""True while the active project is a large one (``ui.large_project``): its result is a
shell (codebook and topics only) and pages aggregate in the database."""
BOOTSTRAPPED = "project.bootstrapped"
"""Set once the first-run logic (open a saved project or the demo) has run."""
BOOT_MESSAGE = "project.boot_message"
"""Why no project could be opened at start (shown on the empty state), if anything failed."""

# --- upload workflow ------------------------------------------------------------------
UPLOAD_BATCH = "upload.batch"
"""The last parsed batch: an ``ui.upload.ParsedBatch``."""
UPLOAD_FILES = "upload.files"
"""The transcript file uploader widget."""
UPLOAD_METADATA = "upload.metadata"
"""The optional metadata file uploader widget."""
UPLOAD_PROJECT_NAME = "upload.project_name"
UPLOAD_OVERRIDES = "upload.overrides"
FLASH = "upload.flash"
"""A one-shot success message that survives the rerun after a project switch."""
"""Interviewer-label overrides chosen by the user: transcript id (or "*") -> speaker."""

# --- canonical filter values (no widget owns these keys) -----------------------------
F_COHORTS = "filters.cohorts"
F_GROUPS = "filters.occupation_groups"
F_CODES = "filters.codes"  # dict facet -> list of code ids
F_TOPICS = "filters.topics"
F_KEYWORD = "filters.keyword"
F_ATTRIBUTES = "filters.attributes"  # dict attr column -> list of values
MIN_GROUP_SIZE = "settings.min_group_size"
PRESENTATION = "settings.presentation"
REDACT = "settings.redact"
"""The sidebar's "Redact personal details" switch (best-effort PII pseudonyms)."""

FILTER_KEYS = (F_COHORTS, F_GROUPS, F_CODES, F_TOPICS, F_KEYWORD, F_ATTRIBUTES)
WIDGET_PREFIX = "w."
"""Widget keys are ``WIDGET_PREFIX + <canonical key>[.<sub key>]``."""

DEFAULT_MIN_GROUP_SIZE = 5

# --- page-local selections (namespaced so they never collide across pages) ------------
def page_key(page: str, name: str) -> str:
    """Key for a widget that belongs to one page, e.g. ``page_key("triggers", "split")``."""
    return f"page.{page}.{name}"


@dataclass(frozen=True, slots=True)
class ActiveProject:
    """What every page needs to know about the project on screen."""

    name: str
    result: AnalysisResult
    fingerprint: str


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def active_project() -> ActiveProject | None:
    """The project on screen; its redacted copy while the redaction switch is on."""
    result = st.session_state.get(ACTIVE_RESULT)
    if result is None:
        return None
    project = ActiveProject(
        name=str(st.session_state.get(ACTIVE_PROJECT, "")),
        result=result,
        fingerprint=str(st.session_state.get(ACTIVE_FINGERPRINT, "")),
    )
    if redaction_on():
        from ui.redaction import redacted_project  # lazy: ui.redaction imports this module

        return redacted_project(project)
    return project


def redaction_on() -> bool:
    return bool(st.session_state.get(REDACT, False))


def set_active_project(name: str, result: AnalysisResult, fingerprint: str) -> None:
    """Switch the dashboard to another project; filters that no longer apply are dropped."""
    if st.session_state.get(ACTIVE_PROJECT) != name:
        reset_filters()
    st.session_state[ACTIVE_PROJECT] = name
    st.session_state[ACTIVE_RESULT] = result
    st.session_state[ACTIVE_FINGERPRINT] = fingerprint
    st.session_state.pop(ACTIVE_LARGE, None)  # ``ui.large_project`` sets it after this


def clear_active_project() -> None:
    for key in (ACTIVE_PROJECT, ACTIVE_RESULT, ACTIVE_FINGERPRINT, ACTIVE_LARGE):
        st.session_state.pop(key, None)
    reset_filters()


def filter_spec() -> FilterSpec:
    """The active filters as the pure ``FilterSpec`` the analysis package understands."""
    codes = st.session_state.get(F_CODES) or {}
    attributes = st.session_state.get(F_ATTRIBUTES) or {}
    return FilterSpec(
        cohorts=tuple(st.session_state.get(F_COHORTS) or ()),
        occupation_groups=tuple(st.session_state.get(F_GROUPS) or ()),
        codes=tuple(code for facet in sorted(codes) for code in codes[facet]),
        topics=tuple(int(t) for t in st.session_state.get(F_TOPICS) or ()),
        keyword=str(st.session_state.get(F_KEYWORD) or "").strip(),
        attributes=tuple(
            (column, tuple(values)) for column, values in sorted(attributes.items()) if values
        ),
    )


def reset_filters() -> None:
    """Forget every filter value and every filter widget's value (the "Reset" button)."""
    for key in list(st.session_state.keys()):
        if key in FILTER_KEYS or any(
            key.startswith(WIDGET_PREFIX + fk) for fk in FILTER_KEYS
        ):
            del st.session_state[key]


def min_group_size() -> int:
    return int(st.session_state.get(MIN_GROUP_SIZE, DEFAULT_MIN_GROUP_SIZE))


def presentation_mode() -> bool:
    return bool(st.session_state.get(PRESENTATION, False))
