"""Question × theme and agreement for an open large project: SQL tables, cached.

Why a module of its own: ``ui.research_view`` hands these over when the page context is a
``LargePageContext``; the tables come from ``analysis.scale.question_matrix`` and
``analysis.scale.agreement`` (counted in the database, only a matrix or a few
participants' rows come back). Caches are keyed like ``ui.large_project``'s: store path,
project, revision (``updated_at``: a re-run or a withdrawal gets fresh entries), filter,
arguments; an uploaded coding by a hash of its bytes.

With "Redact personal details" on, topic names come from the open project's redacted
shell, and question wordings and evidence sentences are redacted as they are shown (the
in-memory path redacts the whole project; a large one is never loaded whole).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from analysis.agreement import AgreementReport, parse_human_coding
from analysis.filters import FilterSpec
from analysis.redact import Pseudonyms
from analysis.scale import agreement as scale_agreement
from analysis.scale import question_matrix
from ui import cache, large_project, state
from ui.widgets import PageContext

CACHE_TTL_S = large_project.CACHE_TTL_S
QUESTION_SCOPE = "questions"
"""Redaction scope of interviewer question wordings (they belong to no one participant)."""


def _where(ctx: PageContext) -> tuple[str, str, str]:
    """(store path, project, revision) of the open large project."""
    return cache.store_path(), ctx.project.name, large_project.revision()


@st.cache_data(ttl=CACHE_TTL_S, max_entries=32, show_spinner=False)
def _has_groups(path: str, project: str, revision: str) -> bool:
    return question_matrix.has_question_groups(cache.get_store(path), project)


def has_question_groups(ctx: PageContext) -> bool:
    """True when the large project's questions were grouped."""
    return _has_groups(*_where(ctx))


@st.cache_data(ttl=CACHE_TTL_S, max_entries=64, show_spinner="Counting answers per question…")
def _matrix(path: str, project: str, revision: str, spec: FilterSpec, kind: str,
            option: Any) -> pd.DataFrame:
    store = cache.get_store(path)
    if kind == "topic":
        return question_matrix.question_by_topic(store, project, spec, max_topics=option)
    return question_matrix.question_by_code(store, project, spec, facet=option)


def question_matrix_table(ctx: PageContext, kind: str, option: Any) -> pd.DataFrame:
    """``research_view.question_matrix`` for a large project (topic names as on screen)."""
    table = _matrix(*_where(ctx), ctx.spec, kind, option)
    if kind != "topic" or table.empty:
        return table
    topics = ctx.result.topics
    names = dict(zip(topics["topic_id"].astype(int).astype(str), topics["label"], strict=False))
    return table.assign(label=[f"#{c} {names[c]}".strip() if c in names else label
                               for c, label in zip(table["column"], table["label"], strict=True)])


@st.cache_data(ttl=CACHE_TTL_S, max_entries=32, show_spinner=False)
def _groups(path: str, project: str, revision: str, spec: FilterSpec) -> pd.DataFrame:
    return question_matrix.question_groups_table(cache.get_store(path), project, spec)


def question_groups_table(ctx: PageContext) -> pd.DataFrame:
    """``research_view.question_groups_table`` for a large project."""
    table = _groups(*_where(ctx), ctx.spec)
    if table.empty or not state.redaction_on():
        return table
    pseudonyms = Pseudonyms()
    column = "most asked wording"
    return table.assign(**{column: [pseudonyms.redact(t, QUESTION_SCOPE)
                                    for t in table[column]]})


@st.cache_data(ttl=CACHE_TTL_S, max_entries=16, show_spinner="Comparing codings…")
def _agreement(path: str, project: str, revision: str, spec: FilterSpec, digest: str,
               name: str, _data: bytes) -> AgreementReport:
    human = parse_human_coding(name, _data)
    return scale_agreement.compare_large(cache.get_store(path), project, spec, human)


def agreement(ctx: PageContext, name: str, data: bytes) -> AgreementReport:
    """``research_view.agreement`` for a large project (ValueError if the file is bad)."""
    digest = hashlib.sha256(data).hexdigest()
    report = _agreement(*_where(ctx), ctx.spec, digest, name, data)
    if report.disagreements.empty or not state.redaction_on():
        return report
    pseudonyms = Pseudonyms()
    rows = report.disagreements
    shown = rows.assign(auto_evidence=[pseudonyms.redact(text, str(tid)) for text, tid in
                                       zip(rows["auto_evidence"], rows["transcript_id"],
                                           strict=True)])
    return dataclasses.replace(report, disagreements=shown)
