"""Cached tables and small drawing helpers for the question × theme, saturation, stability
and agreement views.

Every cache is keyed by the result fingerprint and the filter (the data arguments are
skipped by the hasher because those two determine them), like ``ui.cache``; uploaded
coding files are keyed by a hash of their bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from analysis.agreement import AgreementReport, compare_coding, parse_human_coding
from analysis.filters import FilteredView, FilterSpec
from analysis.questions import GROUP_COLUMNS, question_by_code, question_by_topic
from analysis.results import AnalysisResult
from analysis.saturation import saturation_table
from ui import large_pages, large_research
from ui.widgets import PageContext, escape_markdown

SATURATION_ORDERS = 20
MAX_TOPIC_COLUMNS = 15
"""Topic columns in the question × topic heatmap (the largest topics in view)."""


def has_question_groups(ctx: PageContext) -> bool:
    if large_pages.is_large(ctx):  # a large project: the tables are counted in SQL
        return large_research.has_question_groups(ctx)
    return "question_group" in ctx.result.segments.columns


@st.cache_data(max_entries=64, show_spinner=False)
def _question_matrix(fp: str, spec: FilterSpec, kind: str, option: Any,
                     _view: FilteredView, _result: AnalysisResult) -> pd.DataFrame:
    if kind == "topic":
        return question_by_topic(_view.segments, _result.topics, max_topics=option)
    return question_by_code(_view.segments, _result.codebook, facet=option)


def question_matrix(ctx: PageContext, kind: str, option: Any) -> pd.DataFrame:
    """question group × code (``option`` = facet or None) or × topic (``option`` = max)."""
    if large_pages.is_large(ctx):
        return large_research.question_matrix_table(ctx, kind, option)
    return _question_matrix(ctx.project.fingerprint, ctx.spec, kind, option, ctx.view,
                            ctx.result)


def question_groups_table(ctx: PageContext) -> pd.DataFrame:
    """Question groups in view: answers, interviews and the most-asked wording."""
    if large_pages.is_large(ctx):
        return large_research.question_groups_table(ctx)
    segments = ctx.view.segments
    if not len(segments) or not has_question_groups(ctx):
        return pd.DataFrame(columns=GROUP_COLUMNS[:4])
    grouped = segments.groupby("question_group", sort=False)
    table = pd.DataFrame({
        "answers": grouped.size(),
        "interviews": grouped["transcript_id"].nunique(),
        "most asked wording": grouped["question"].agg(
            lambda q: q.value_counts().index[0] if len(q) else ""),
    }).reset_index()
    return table.sort_values(["answers", "question_group"], ascending=[False, True],
                             kind="mergesort").reset_index(drop=True)


@st.cache_data(max_entries=32, show_spinner="Computing saturation curves…")
def _saturation(fp: str, spec: FilterSpec, orders: int, _view: FilteredView,
                _result: AnalysisResult) -> pd.DataFrame:
    return saturation_table(_view.participants, _view.segments, _result.code_ids,
                            n_orders=orders)


def saturation(ctx: PageContext) -> pd.DataFrame:
    """``analysis.saturation.saturation_table`` over the participants in view."""
    if large_pages.is_large(ctx):  # the participant table of a large project, from SQL
        from ui import large_participant_pages

        return large_participant_pages.saturation(ctx, SATURATION_ORDERS)
    return _saturation(ctx.project.fingerprint, ctx.spec, SATURATION_ORDERS, ctx.view,
                       ctx.result)


def stability_text(run: dict[str, Any]) -> tuple[str, str] | None:
    """(badge text, colour) for the Topics page from ``run.json``'s ``stability``."""
    stability = (run or {}).get("stability")
    if not stability:
        return None
    ari = float(stability.get("ari_median", 0.0))
    recur = float(stability.get("topics_recurring_share", 0.0))
    colour = "green" if ari >= 0.7 else "orange" if ari >= 0.4 else "red"
    word = "stable" if ari >= 0.7 else "moderately stable" if ari >= 0.4 else "unstable"
    text = (f"Topics {word}: ARI {ari:.2f} (min {float(stability.get('ari_min', 0.0)):.2f}), "
            f"{recur:.0%} of topics recur")
    return text, colour


def draw_stability_badge(ctx: PageContext) -> None:
    """The stability badge and a one-line explanation (nothing when it was not measured)."""
    shown = stability_text(ctx.result.run)
    if shown is None:
        st.caption("Topic stability was not measured for this project.")
        return
    text, colour = shown
    stability = ctx.result.run["stability"]
    st.badge(text, color=colour, icon=":material/verified:")
    if not ctx.presentation:
        st.caption(escape_markdown(
            f"{stability.get('runs')} re-runs of the topic model with other seeds and input "
            f"orders on {stability.get('sample_size')} answers: the adjusted Rand index says "
            "how alike their groupings are (1 = identical, 0 = chance); a topic recurs when "
            "every other run has a topic sharing at least half its answers."))


@st.cache_data(max_entries=16, show_spinner="Comparing codings…")
def _agreement(fp: str, spec: FilterSpec, digest: str, name: str, _data: bytes,
               _view: FilteredView, _result: AnalysisResult) -> AgreementReport:
    human = parse_human_coding(name, _data)
    return compare_coding(human, _view.participants, _result.codebook, _view.assignments)


def agreement(ctx: PageContext, name: str, data: bytes) -> AgreementReport:
    """Agreement of the participants in view with an uploaded coding (ValueError if bad)."""
    if large_pages.is_large(ctx):  # only the coded participants' rows come from SQL
        return large_research.agreement(ctx, name, data)
    digest = hashlib.sha256(data).hexdigest()
    return _agreement(ctx.project.fingerprint, ctx.spec, digest, name, data, ctx.view,
                      ctx.result)
