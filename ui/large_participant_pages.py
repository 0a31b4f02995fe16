"""The participant-level pages of a large project: cached tables and the Participants page.

Compare groups, Findings, Paper parity, the Economic Index lens and Saturation run the
in-memory builders on the participant table of a large project
(``analysis.scale.participant_views``); this module caches their results per (store,
project, revision, filter, arguments), like ``ui.large_project.query``. The Participants
page lists the participants in view a page at a time and reads one participant's answers
from the database (a large project keeps no turns: its transcript is its question and
answer pairs).

With "Redact personal details" on, quotes and answers are redacted as they are drawn
(per participant), and topics are named by the open project's redacted shell.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from analysis.filters import ATTRIBUTE_PREFIX, FilteredView, FilterSpec
from analysis.findings import Findings
from analysis.redact import Pseudonyms
from analysis.scale import participant_views
from ui import cache, large_pages, large_project, state, widgets

PEOPLE_PER_PAGE = 50
CACHE_TTL_S = large_project.CACHE_TTL_S


@st.cache_data(ttl=CACHE_TTL_S, max_entries=64, show_spinner="Counting participants…")
def _cached(path: str, project: str, revision: str, name: str, spec: FilterSpec | None,
            args: tuple, kwargs: tuple) -> Any:
    # ``revision`` is only part of the key: a rewritten project gets fresh entries.
    func = getattr(participant_views, name)
    store = cache.get_store(path)
    if spec is None:  # whole-project tables (parity)
        return func(store, project, *args, **dict(kwargs))
    return func(store, project, spec, *args, **dict(kwargs))


def query(name: str, spec: FilterSpec | None, *args: Any, **kwargs: Any) -> Any:
    """``participant_views.<name>(store, project, [spec,] ...)`` for the open project, cached."""
    project = str(state.get(state.ACTIVE_PROJECT, ""))
    return _cached(cache.store_path(), project, large_project.revision(), name, spec,
                   tuple(args), tuple(sorted(kwargs.items())))


# --- Compare groups, Economic Index, Paper parity, Saturation --------------------------


def econ(ctx: widgets.PageContext) -> pd.DataFrame:
    return query("econ", ctx.spec, min_group_size=ctx.min_group_size)


def detected() -> bool:
    return bool(query("detected", None))


def parity() -> pd.DataFrame:
    return query("parity", None)


def saturation(ctx: widgets.PageContext, orders: int) -> pd.DataFrame:
    """Saturation curves of the participants in view, thinned for drawing
    (``participant_views.thin_curves``: same values at fewer interview counts)."""
    return query("saturation_curves", ctx.spec, n_orders=orders)


# --- Findings ---------------------------------------------------------------------------


def _redact_quotes(found: Findings) -> Findings:
    pseudonyms = Pseudonyms()
    items = []
    for finding in found.findings:
        quotes = tuple(dataclasses.replace(q, text=str(pseudonyms.redact(q.text,
                                                                         q.transcript_id)))
                       for q in finding.quotes)
        items.append(dataclasses.replace(finding, quotes=quotes))
    return dataclasses.replace(found, findings=items)


def findings(ctx: widgets.PageContext) -> Findings:
    """The findings of the participants in view; topics named as the sidebar names them."""
    topics = ctx.result.topics
    labels = {int(t): str(label) for t, label in
              zip(topics["topic_id"], topics["label"], strict=True)}
    found = query("large_findings", ctx.spec, filters=ctx.filters_text,
                  min_group_size=ctx.min_group_size, topic_labels=labels)
    return _redact_quotes(found) if state.redaction_on() else found


# --- the Participants page --------------------------------------------------------------


def redact_attributes(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its metadata values (``attr.*``) redacted per participant, as the
    in-memory redaction does to a project's participant table (the switch is on)."""
    columns = [c for c in table.columns if str(c).startswith(ATTRIBUTE_PREFIX)]
    if not columns or table.empty:
        return table
    out, pseudonyms = table.copy(), Pseudonyms()
    scopes = out["transcript_id"].astype(str)
    for column in columns:
        out[column] = [pseudonyms.redact(v, s) for v, s in zip(out[column], scopes,
                                                               strict=True)]
    return out


def participants_table(ctx: widgets.PageContext, search: str) -> pd.DataFrame:
    """``widgets.participants_table`` for the participants in view of a large project,
    narrowed to rows whose id, cohort, role or codes contain ``search``."""
    frame = query("participant_frame", ctx.spec)
    view = FilteredView(participants=frame, segments=ctx.view.segments,
                        assignments=ctx.view.assignments, n_participants=len(frame),
                        n_total_participants=ctx.view.n_total_participants)
    table = widgets.participants_table(dataclasses.replace(ctx, view=view))
    if state.redaction_on():
        table = redact_attributes(table)
    needle = search.strip().casefold()
    if needle:
        text = table[["transcript_id", "cohort", "occupation", "occupation_group", "codes"]]
        hit = text.fillna("").astype(str).apply(
            lambda col: col.str.casefold().str.contains(needle, regex=False)).any(axis=1)
        table = table[hit]
    return table.reset_index(drop=True)


def participants_page(ctx: widgets.PageContext, table: pd.DataFrame) -> pd.DataFrame:
    """One page of ``table`` (a pager when there is more than one)."""
    offset = 0 if ctx.presentation else large_pages.pager(
        len(table), PEOPLE_PER_PAGE, state.page_key("participants", "page"))
    return table.iloc[offset: offset + PEOPLE_PER_PAGE].reset_index(drop=True)


def draw_transcript(ctx: widgets.PageContext, transcript_id: str) -> None:
    """One participant's question and answer pairs in order, coded answers with their codes."""
    project = str(state.get(state.ACTIVE_PROJECT, ""))
    answers = participant_views.transcript_answers(
        cache.get_store(cache.store_path()), project, transcript_id)
    if state.redaction_on():
        answers = large_pages.redacted(answers, ctx.result.topics)
    coded = int((answers["codes"] != "").sum())
    st.caption(f"{len(answers)} answers; {coded} coded. A large project keeps each "
               "question with its answer, not the full turn-by-turn transcript.")
    for row in answers.itertuples(index=False):
        with st.container(border=True):
            if row.question:
                st.caption("Q: " + widgets.escape_markdown(row.question))
            st.text(str(row.answer))
            chips = [c for c in str(row.codes).split("; ") if c]
            if row.topic_label:
                chips.append("Topic: " + str(row.topic_label))
            if chips:
                st.caption(" ".join(f"`{chip.replace('`', '')}`" for chip in chips))
