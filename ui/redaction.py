"""The "Redact personal details" switch: a redacted copy of the project for every page.

When the switch is on, ``state.active_project()`` hands pages this module's redacted copy
instead of the loaded result, so quotes, tables, charts and exports all read redacted text
through the code they already use, and every derived cache is keyed by a distinct
fingerprint (``<fp>.redacted``). The copy is kept in the session (never in a cache shared
between sessions), because the result fingerprint does not cover every text column
(interviewer turns, evidence): two projects agreeing on it must never share redactions.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.redact import Pseudonyms, RedactionLog, redact_result
from ui import state

_MEMO = "redaction.memo"
"""Session-only memo: (fingerprint, id of the loaded result) -> (redacted project, log)."""

BEST_EFFORT = (
    "Best-effort: emails, phone numbers, URLs and names on a first-name list become "
    "[EMAIL-1], [PHONE-1], [URL-1], [NAME-1]… (numbered per participant). Names not on "
    "the list, employers and other details are not found: check before sharing."
)


def _redacted(project: state.ActiveProject) -> tuple[state.ActiveProject, RedactionLog]:
    key = (project.fingerprint, id(project.result))
    memo = st.session_state.get(_MEMO)
    if memo is None or memo[0] != key:
        with st.spinner("Redacting personal details…"):
            result, log = redact_result(project.result)
        redacted = state.ActiveProject(name=project.name, result=result,
                                       fingerprint=f"{project.fingerprint}.redacted")
        memo = (key, redacted, log)
        st.session_state[_MEMO] = memo  # one project at a time: the old copy is freed
    return memo[1], memo[2]


def redacted_project(project: state.ActiveProject) -> state.ActiveProject:
    """``project`` with participant text, quotes, labels and attributes redacted."""
    return _redacted(project)[0]


def redact_turns(turns: pd.DataFrame, scope: str) -> pd.DataFrame:
    """One transcript's turns (upload preview) redacted with that transcript's pseudonyms."""
    pseudonyms = Pseudonyms()
    out = turns.copy()
    for column in ("speaker", "text"):
        if column in out.columns:
            out[column] = [pseudonyms.redact(v, scope) for v in out[column]]
    return out


def draw_toggle(project: state.ActiveProject | None) -> None:
    """The switch, what it promises (best-effort) and, when on, what it replaced."""
    st.toggle("Redact personal details", key=state.REDACT, help=BEST_EFFORT)
    if not state.redaction_on():
        return
    st.caption(BEST_EFFORT)
    if project is not None:
        st.caption(_redacted_log(project).describe())


def _redacted_log(project: state.ActiveProject) -> RedactionLog:
    memo = st.session_state.get(_MEMO)
    return memo[2] if memo is not None else RedactionLog(replaced={}, participants=0)
