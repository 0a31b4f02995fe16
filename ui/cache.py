"""Every Streamlit cache of the app, and the first-run bootstrap.

Why two kinds of cache: analysis results are large (every turn of every transcript), so
they are shared read-only objects (``st.cache_resource``) instead of being pickled and
copied on each page draw; a filter change then costs one ``apply_filters`` plus small
aggregates. Every cache is keyed by a *content fingerprint* of the result, never by
a bare project name, so two sessions with different data can never see each other's
tables, and a renamed topic or re-coded project gets fresh entries. Nothing here ever
embeds, fits topics or codes: those run only from the Upload and Codebook pages.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis.filters import FilteredView, FilterSpec, apply_filters
from analysis.results import AnalysisResult
from ui import state

STORE_ENV = "INTERVIEW_LENS_STORE"
DEMO_PROJECT = "Demo (synthetic)"
DEMO_DIR = Path(__file__).resolve().parents[1] / "demo" / "project"
_FINGERPRINT_FRAMES = ("transcripts", "segments", "topics", "participants", "codebook")


def fingerprint(result: AnalysisResult) -> str:
    """A short content hash of what the pages draw (ids, topics, codes, labels, attributes).

    Hashing is row-wise vectorised (pandas), a few milliseconds on the full corpus, and is
    done once per load, not per draw.
    """
    digest = hashlib.sha256()
    for name in _FINGERPRINT_FRAMES:
        frame: pd.DataFrame = getattr(result, name)
        digest.update(name.encode())
        digest.update(",".join(map(str, frame.columns)).encode())
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object and _holds_containers(values):
                values = values.map(repr)  # lists (topic quotes): their text is what matters
            hashes = pd.util.hash_pandas_object(values, index=False)
            digest.update(hashes.to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _holds_containers(values: pd.Series) -> bool:
    first = values.dropna().head(1)
    if not len(first):
        return False
    value = first.iloc[0]
    return isinstance(value, list | tuple | dict) or hasattr(value, "tolist")


def store_path() -> str:
    """The store location for this process ("" means the store's own per-user default)."""
    return os.environ.get(STORE_ENV, "")


@st.cache_resource(max_entries=4, show_spinner=False)
def get_store(path: str) -> Any:
    """One DuckDB store per path, shared by the sessions of this (local) app."""
    from analysis.store import Store

    return Store(path or None)


def store() -> Any:
    """The store as this session's user may use it (``ui.auth``: scoped in team mode)."""
    from ui import auth

    return auth.scoped(get_store(store_path()))


def project_names() -> list[str]:
    """Saved project names, most recently updated first; [] without a usable store."""
    try:
        listed = store().list_projects()
    except Exception:  # the store is optional for browsing the demo
        return []
    return [str(getattr(info, "name", info)) for info in listed]


@st.cache_resource(max_entries=8, show_spinner="Opening project…")
def _load_from_store(path: str, project: str, revision: str) -> tuple[AnalysisResult, str]:
    # ``revision`` only makes the key change when the stored project changed.
    result = get_store(path).load_result(project)
    if result is None:
        raise KeyError(f"no saved project named {project!r}")
    return result, fingerprint(result)


def open_project(project: str) -> None:
    """Make a saved project the active one (cached: reopening is instant)."""
    from ui import auth

    revision = f"{state.get(_revision_key(project), 0)}"
    # Keyed by the store key (owner-qualified in team mode), checked for access first: the
    # shared cache can never hand one user's project to another.
    key = auth.project_key(project)
    result, fp = _load_from_store(store_path(), key, revision)
    state.set_active_project(project, result, fp)
    auth.record("project_open", project)


def project_changed(project: str) -> None:
    """Call after the store's copy of a project changed (rename, merge, re-code, re-save).

    Clearing the loader cache (not just bumping this session's revision) means no
    other session of this local app can be handed the stale copy either.
    """
    key = _revision_key(project)
    state.put(key, int(state.get(key, 0)) + 1)
    _load_from_store.clear()


def _revision_key(project: str) -> str:
    return f"project.revision.{project}"


def use_result(name: str, result: AnalysisResult) -> None:
    """Show a result that is already in memory (fresh analysis, tests, demo without a store)."""
    state.set_active_project(name, result, fingerprint(result))


@st.cache_resource(max_entries=2, show_spinner=False)
def _demo_result(path: str) -> AnalysisResult | None:
    if not Path(path).is_dir():
        return None
    from analysis.bundle import load_result_dir

    return load_result_dir(Path(path))


def bootstrap() -> None:
    """First run of a session: open the newest saved project, else the bundled demo.

    Runs once per session. Every failure degrades to the empty state (a pointer to Upload),
    because a broken store or a missing bundle must never stop the app from starting.
    """
    if state.get(state.BOOTSTRAPPED) or state.active_project() is not None:
        state.put(state.BOOTSTRAPPED, True)
        return
    state.put(state.BOOTSTRAPPED, True)
    names = project_names()
    try:
        if names:
            open_project(names[0])
            return
        demo = _demo_result(str(DEMO_DIR))
    except Exception as error:  # any failure means: show the empty state
        state.put(state.BOOT_MESSAGE, f"Could not open a project ({type(error).__name__}).")
        return
    if demo is None:
        return
    # Without a usable store the demo is still browsable from memory.
    with contextlib.suppress(Exception):
        store().save_result(DEMO_PROJECT, demo)
    use_result(DEMO_PROJECT, demo)  # already in memory: no need to read it back


@st.cache_resource(max_entries=64, show_spinner=False)
def _filtered(fp: str, spec: FilterSpec, _result: AnalysisResult) -> FilteredView:
    # ``_result`` is skipped by the hasher on purpose: ``fp`` is its content hash.
    return apply_filters(_result, spec)


def filtered_view(project: state.ActiveProject, spec: FilterSpec) -> FilteredView:
    """The filtered tables for one (result, filter) pair, computed once and then shared."""
    return _filtered(project.fingerprint, spec, project.result)


@st.cache_data(max_entries=256, show_spinner=False)
def _aggregate(fp: str, spec: FilterSpec, name: str, args: tuple, kwargs: tuple,
               _view: FilteredView, _result: AnalysisResult) -> Any:
    # ``_view``/``_result`` are skipped by the hasher: ``fp`` + ``spec`` determine them.
    from analysis import aggregates

    func = getattr(aggregates, name)
    options = dict(kwargs)
    if name == "topic_by_group":
        return func(_view.segments, _view.participants, *args, **options)
    if name == "evidence_for_code":
        return func(_view, *args, _result.participants, **options)
    return func(_view.participants, _result.codebook, *args, **options)


def aggregate(project: state.ActiveProject, spec: FilterSpec, view: FilteredView,
              name: str, *args: Any, **kwargs: Any) -> Any:
    """``analysis.aggregates.<name>`` over the filtered participants, cached per filter.

    Tables take ``(participants, codebook, *args)``, except ``topic_by_group``
    (``segments, participants, *args``) and ``evidence_for_code`` (``view, code, ...``).
    """
    return _aggregate(project.fingerprint, spec, name, tuple(args),
                      tuple(sorted(kwargs.items())), view, project.result)


PICK = "pick"
"""Name of the click selection added to charts whose marks can be picked (a code)."""


@st.cache_resource(max_entries=128, show_spinner=False)
def _built_chart(key: tuple, pick: str | None, _build: Callable[[], Any]
                 ) -> tuple[Any, dict[str, Any]]:
    chart = _build()
    # Skipping jsonschema validation halves the cost; ui.charts tests validate these specs.
    spec = chart.to_dict(validate=False)
    if pick:
        unit = spec["layer"][0] if spec.get("layer") else spec
        unit.setdefault("params", []).append(
            {"name": PICK, "select": {"type": "point", "fields": [pick], "on": "click"}})
    return chart, spec


def built_chart(key: tuple, build: Callable[[], Any], pick: str | None = None
                ) -> tuple[Any, dict[str, Any]]:
    """``(chart, vega-lite spec)`` built once per key (result fingerprint, filters, chart id).

    ``pick`` names a data field to make clickable (a point selection called ``PICK``,
    added to the spec only: exported images stay clean). Shared read-only like the
    results; Streamlit never mutates the spec dict.
    """
    return _built_chart(key, pick, build)
