"""Large projects in the app: open one, cache its query results, draw its sidebar filters.

A large project (a row of ``scale_projects``) is never loaded into memory. Opening it puts
a *shell* ``AnalysisResult`` in session state (the codebook and topic list only, a few
hundred rows; every other frame empty) so the shared sidebar, the filter line and the
chart captions work unchanged, and marks the session with ``state.ACTIVE_LARGE``. Pages
that know the large path (``ui.large_pages``) then ask ``analysis.scale.queries`` for
aggregates and pages of quotes; every other page says it is not available yet.

Caching: each query result is cached per (store, project, revision, query, filter,
arguments) with a small TTL and size: the tables are small (aggregates, one page of
quotes), never the project's rows. ``revision`` is the project's ``updated_at``, so a
re-run of the pipeline gets fresh entries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analysis.filters import FilterSpec, attribute_label
from analysis.results import AnalysisResult
from analysis.scale import attributes, queries
from analysis.tables import (
    ASSIGNMENTS_COLUMNS,
    PARTICIPANTS_BASE_COLUMNS,
    SEGMENTS_ANALYSED_COLUMNS,
    TRANSCRIPTS_COLUMNS,
)
from ui import cache, state

NOT_AVAILABLE = (
    "Not available for large projects yet — use the CLI outputs "
    "(`python -m analysis`) for this view."
)
CACHE_TTL_S = 600
CACHE_ENTRIES = 256
_REVISION = "project.large.revision"
"""The open large project's revision (``updated_at``) when it was opened."""


def is_open() -> bool:
    """True when the project on screen is a large (database-backed) project."""
    return bool(state.get(state.ACTIVE_LARGE)) and state.get(state.ACTIVE_RESULT) is not None


def stop_if_open() -> None:
    """For pages without a large-project path: say so plainly and stop the page."""
    if is_open():
        st.info(NOT_AVAILABLE)
        st.stop()


def _store() -> Any:
    return cache.get_store(cache.store_path())


def list_projects() -> pd.DataFrame:
    """Large projects of the store (empty in team mode, where they are not offered yet)."""
    from ui import auth

    if auth.team_mode():
        return pd.DataFrame(columns=["project"])
    try:
        return queries.scale_projects(_store())
    except Exception:  # the store is optional (browsing the demo without one)
        return pd.DataFrame(columns=["project"])


def shell_result(project: str) -> AnalysisResult:
    """The small part of a large project that the shared sidebar and captions read."""
    store = _store()
    topics = queries.topics(store, project)
    return AnalysisResult(
        files=pd.DataFrame(),
        transcripts=pd.DataFrame(columns=TRANSCRIPTS_COLUMNS),
        turns=pd.DataFrame(),
        segments=pd.DataFrame(columns=SEGMENTS_ANALYSED_COLUMNS),
        topics=topics,
        participants=pd.DataFrame(columns=PARTICIPANTS_BASE_COLUMNS),
        assignments=pd.DataFrame(columns=ASSIGNMENTS_COLUMNS),
        codebook=queries.codebook(store, project),
        run={"project": project, "large": True},
    )


def open_project(project: str) -> None:
    """Make a large project the active one (reads only its codebook and topic list)."""
    revision = queries.project_revision(_store(), project)
    if revision is None:
        raise KeyError(f"no large project named {project!r}")
    state.set_active_project(project, shell_result(project),
                             f"scale:{project}:{revision}")
    state.put(state.ACTIVE_LARGE, True)
    state.put(_REVISION, revision)


def revision() -> str:
    return str(state.get(_REVISION, ""))


@st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_ENTRIES, show_spinner=False)
def _filtered_query(path: str, project: str, revision: str, name: str, spec: FilterSpec,
                    args: tuple, kwargs: tuple) -> Any:
    # ``revision`` is only part of the key: a rewritten project gets fresh entries.
    func = getattr(queries, name)
    return func(cache.get_store(path), project, spec, *args, **dict(kwargs))


@st.cache_data(ttl=CACHE_TTL_S, max_entries=32, show_spinner=False)
def _project_query(path: str, project: str, revision: str, name: str) -> Any:
    return getattr(queries, name)(cache.get_store(path), project)


def query(name: str, spec: FilterSpec, *args: Any, **kwargs: Any) -> Any:
    """``analysis.scale.queries.<name>(store, project, spec, ...)`` for the open project,
    cached per (project, revision, filter, arguments)."""
    project = str(state.get(state.ACTIVE_PROJECT, ""))
    return _filtered_query(cache.store_path(), project, revision(), name, spec, tuple(args),
                           tuple(sorted(kwargs.items())))


def options() -> dict[str, pd.DataFrame]:
    """Filter options with counts (whole project), cached per project revision."""
    project = str(state.get(state.ACTIVE_PROJECT, ""))
    return _project_query(cache.store_path(), project, revision(), "filter_options")


@st.cache_data(ttl=CACHE_TTL_S, max_entries=32, show_spinner=False)
def _attribute_stats(path: str, project: str, revision: str) -> pd.DataFrame:
    return attributes.attribute_stats(cache.get_store(path), project)


@st.cache_data(ttl=CACHE_TTL_S, max_entries=64, show_spinner=False)
def _attribute_values(path: str, project: str, revision: str, column: str) -> list[str]:
    return attributes.attribute_values(cache.get_store(path), project, column)


def attribute_columns() -> list[str]:
    """The open project's metadata columns worth grouping by (``attr.<name>``): the rule
    of ``ui.sidebar.attribute_columns`` applied to counts from SQL, cached per revision."""
    from ui.sidebar import is_group_column  # lazy: ui.sidebar imports this module

    project = str(state.get(state.ACTIVE_PROJECT, ""))
    stats = _attribute_stats(cache.store_path(), project, revision())
    return [str(c) for c, n_values, n_rows in stats.itertuples(index=False)
            if is_group_column(str(c), int(n_values), int(n_rows))]


def _counted(frame: pd.DataFrame, unit: str) -> Callable[[Any], str]:
    labels = {v: f"{lab} ({int(n):,} {unit})" for v, lab, n in
              zip(frame["value"], frame["label"], frame["n"], strict=True)}
    return lambda value: labels.get(value, str(value))


def draw_filters(project: state.ActiveProject, synced: Callable[..., Any],
                 facets: dict[str, str]) -> None:
    """The sidebar filters of a large project: options and counts from SQL.

    Same canonical keys as the in-memory sidebar (``ui.sidebar``), so ``state.filter_spec``
    reads them unchanged, metadata attributes included (the same columns as chart groups,
    ``attribute_columns``). Topic names come from ``project`` (its shell, redacted when the
    switch is on).
    """
    found = options()
    cohort, group = found["cohort"], found["occupation_group"]
    synced(st.multiselect, state.F_COHORTS, default=[], label="Cohort",
           options=list(cohort["value"]), format_func=_counted(cohort, "people"),
           placeholder="All cohorts")
    synced(st.multiselect, state.F_GROUPS, default=[], label="Occupation group",
           options=list(group["value"]), format_func=_counted(group, "people"),
           placeholder="All groups")
    codes = found["code"]
    for facet, facet_title in facets.items():
        mine = codes[codes["facet"] == facet]
        if len(mine):
            synced(st.multiselect, state.F_CODES, sub=facet, default=[], label=facet_title,
                   options=list(mine["value"]), format_func=_counted(mine, "people"),
                   placeholder="Any code", help="Participants must have every selected code.")
    names = dict(zip(project.result.topics["topic_id"], project.result.topics["label"],
                     strict=True))
    topics = found["topic"].assign(label=lambda f: [f"#{int(t)} {names.get(t, lab)}" for t, lab
                                                    in zip(f["value"], f["label"], strict=True)])
    synced(st.multiselect, state.F_TOPICS, default=[], label="Topic",
           options=[int(t) for t in topics["value"]], format_func=_counted(topics, "answers"),
           placeholder="All topics", help="Participants with at least one answer in a topic.")
    synced(st.text_input, state.F_KEYWORD, default="", label="Keyword in answers",
           placeholder="e.g. deadline", help="Case-insensitive; keeps participants with "
           "at least one matching answer.")
    name = str(state.get(state.ACTIVE_PROJECT, ""))
    for column in attribute_columns():
        synced(st.multiselect, state.F_ATTRIBUTES, sub=column, default=[],
               label=attribute_label(column),
               options=_attribute_values(cache.store_path(), name, revision(), column),
               placeholder="Any")


def draw_picker() -> None:
    """Upload & projects: open a large project (drawn only when the store holds one)."""
    listed = list_projects()
    if listed.empty:
        return
    st.caption("Large projects (aggregated in the database)")
    names = [str(n) for n in listed["project"]]
    rows = {str(r.project): r for r in listed.itertuples(index=False)}

    def describe(name: str) -> str:
        row = rows[name]
        return (f"{name} · {int(row.n_transcripts):,} transcripts · "
                f"{int(row.n_segments):,} answers · {row.status}")

    chosen = st.selectbox("Large projects", names, format_func=describe,
                          key="upload.large.pick", label_visibility="collapsed")
    if st.button("Open large project", key="upload.large.open",
                 icon=":material/folder_open:") and chosen:
        open_project(chosen)
        st.rerun()
