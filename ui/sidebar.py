"""The shared sidebar: one filter set for every page, kept across page switches.

Each filter widget is seeded from its canonical session-state value before it is drawn
and writes its value back after, so filters survive page switches and presentation mode
(which hides the widgets) — Streamlit would otherwise drop a widget's state whenever the
widget is not drawn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis.filters import ATTRIBUTE_PREFIX, attribute_label
from ui import large_project, redaction, state

FACETS: dict[str, str] = {
    "trigger": "Triggers",
    "pattern": "Interaction patterns",
    "culture": "Workplace culture",
    "outcome": "Outcomes",
}
_PRESENTING_BEFORE = "settings.presentation.before"
MAX_ATTRIBUTE_VALUES = 40
"""Metadata columns with more distinct values than this (ids, free text) get no filter."""
_IDENTIFIER_NAME = re.compile(
    r"(?:^|\s)(?:id|ids|uuid|guid|key|identifier|email|e mail|file|filename|file name|path|"
    r"url)$|^(?:(?:participant|interviewer|respondent|person|full|first|last|user) )?name$"
)
"""Column names (``_``/``-`` read as spaces) that hold identifiers, never groups:
"Transcript id", "participant_ID", "Respondent key", "source file", "Participant name"."""


def _synced(
    widget: Callable[..., Any],
    canonical: str,
    *,
    sub: str | None = None,
    default: Any,
    options: Sequence[Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Draw ``widget`` bound to a canonical value; returns the widget's value."""
    wkey = state.WIDGET_PREFIX + canonical + (f".{sub}" if sub else "")
    stored = st.session_state.get(canonical, {} if sub else default)
    current = stored.get(sub, default) if sub else stored
    if options is not None:
        allowed = set(options)
        current = [v for v in current if v in allowed]
        if wkey in st.session_state:
            st.session_state[wkey] = [v for v in st.session_state[wkey] if v in allowed]
        kwargs["options"] = list(options)
    if wkey not in st.session_state:
        st.session_state[wkey] = current
    value = widget(key=wkey, **kwargs)
    if sub:
        merged = dict(st.session_state.get(canonical) or {})
        merged[sub] = value
        st.session_state[canonical] = merged
    else:
        st.session_state[canonical] = value
    return value


def is_identifier_name(column: str) -> bool:
    """True for a column named like an id, key, file or person's name ("Transcript id")."""
    name = str(column).removeprefix(ATTRIBUTE_PREFIX).replace("_", " ").replace("-", " ")
    return bool(_IDENTIFIER_NAME.search(" ".join(name.casefold().split())))


def attribute_columns(participants: pd.DataFrame) -> list[str]:
    """Metadata columns worth filtering or grouping on.

    ``attr.*`` columns with 2 to ``MAX_ATTRIBUTE_VALUES`` distinct non-empty values, some
    shared by several participants; a column whose values never repeat is an identifier
    (or free text, like a transcript header's id), not a group. A column *named* like an
    identifier is left out even when its values repeat (a metadata sheet with two rows
    per interview, or ids reused across cohorts): splitting a chart by it is never useful.
    """
    columns = []
    for column in participants.columns:
        if not str(column).startswith(ATTRIBUTE_PREFIX) or is_identifier_name(column):
            continue
        values = participants[column].dropna().astype(str).str.strip()
        values = values[values != ""]
        if is_group_column(column, values.nunique(), len(values)):
            columns.append(column)
    return columns


def is_group_column(column: str, n_values: int, n_rows: int) -> bool:
    """The rule of ``attribute_columns`` from counts alone (``n_values`` distinct non-empty
    values over ``n_rows`` non-empty ones), so a large project applies it to SQL counts."""
    return (not is_identifier_name(column) and 1 < n_values <= MAX_ATTRIBUTE_VALUES
            and n_values < n_rows)


def _values(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    values = frame[column].dropna().astype(str).str.strip()
    return sorted(v for v in values.unique() if v)


def draw_filters(project: state.ActiveProject) -> None:
    """All filter widgets for the active project (the sidebar's main block)."""
    if large_project.is_open():  # options and counts from SQL, never the answers
        large_project.draw_filters(project, _synced, FACETS)
        return
    result = project.result
    participants = result.participants
    _synced(st.multiselect, state.F_COHORTS, default=[], label="Cohort",
            options=_values(participants, "cohort"), placeholder="All cohorts")
    _synced(st.multiselect, state.F_GROUPS, default=[], label="Occupation group",
            options=_values(participants, "occupation_group"), placeholder="All groups")
    labels = dict(zip(result.codebook["code"], result.codebook["label"], strict=False))
    for facet, facet_title in FACETS.items():
        codes = list(result.codebook.loc[result.codebook["facet"] == facet, "code"])
        if codes:
            _synced(st.multiselect, state.F_CODES, sub=facet, default=[], label=facet_title,
                    options=codes, format_func=lambda c: str(labels.get(c, c)),
                    placeholder="Any code", help="Participants must have every selected code.")
    topics = result.topics.sort_values("topic_id")
    topic_labels = {int(t): f"#{int(t)} {label}" for t, label in
                    zip(topics["topic_id"], topics["label"], strict=False)}
    _synced(st.multiselect, state.F_TOPICS, default=[], label="Topic",
            options=list(topic_labels), format_func=lambda t: topic_labels.get(t, str(t)),
            placeholder="All topics", help="Participants with at least one answer in a topic.")
    _synced(st.text_input, state.F_KEYWORD, default="", label="Keyword in answers",
            placeholder="e.g. deadline", help="Case-insensitive; keeps participants with "
            "at least one matching answer.")
    for column in attribute_columns(participants):
        _synced(st.multiselect, state.F_ATTRIBUTES, sub=column, default=[],
                label=attribute_label(column),
                options=_values(participants, column), placeholder="Any")


def draw_settings() -> None:
    """Minimum group size and presentation mode (both used by every chart)."""
    _synced(st.number_input, state.MIN_GROUP_SIZE, default=state.DEFAULT_MIN_GROUP_SIZE,
            label="Minimum group size", min_value=1, max_value=100, step=1,
            help="Groups with fewer participants are hidden from group charts, with a note.")


def sidebar_state() -> str | None:
    """``initial_sidebar_state`` for this run: collapsed while presenting.

    Streamlit only moves the sidebar when this value changes, so it is sent on the runs
    where presentation mode switched (collapse on entry, expand on exit) and left unset
    otherwise, never fighting a user who opened or closed the sidebar by hand.
    """
    presenting = state.presentation_mode()
    if state.get(_PRESENTING_BEFORE, False) == presenting:
        return None
    state.put(_PRESENTING_BEFORE, presenting)
    return "collapsed" if presenting else "expanded"


def draw_sidebar(project: state.ActiveProject | None) -> None:
    """The sidebar every page shares: project name, filters, settings, reset."""
    with st.sidebar:
        st.toggle("Presentation mode", key=state.PRESENTATION,
                  help="Bigger chart fonts; hides filters, buttons and tables.")
        redaction.draw_toggle(project)
        if project is None:
            return
        st.caption("Project")
        st.text(project.name)
        if state.presentation_mode():
            return
        st.button("Reset filters", key="sidebar.reset", on_click=state.reset_filters,
                  icon=":material/filter_alt_off:", width="stretch")
        draw_filters(project)
        with st.expander("Chart settings"):
            draw_settings()
