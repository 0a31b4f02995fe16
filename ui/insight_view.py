"""Cached insight tables (findings, parity, Economic Index split) and how a finding is drawn.

The builders in ``analysis.findings``/``parity``/``econ_index`` run Fisher tests and quote
selection over every participant, so each result is cached per result fingerprint and
filter (like ``ui.cache.aggregate``) and shared read-only. A large project's tables come
from ``ui.large_participant_pages`` (the same builders on its participant table). A finding
is drawn as its sentence (escaped Markdown), its quotes through ``widgets.quote_block``
(text elements and escaped Markdown only) and its trace line as a caption, so the page
shows nothing the structured record does not hold.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.econ_index import econ_table
from analysis.filters import FilteredView, FilterSpec
from analysis.findings import Finding, Findings, build_findings, evidence_line
from analysis.parity import is_anthropic_interviewer, parity_table
from analysis.results import AnalysisResult
from ui import large_pages, large_participant_pages, widgets


@st.cache_resource(max_entries=32, show_spinner="Writing the summary…")
def _findings(fp: str, spec: FilterSpec, min_group_size: int, filters: str,
              _view: FilteredView, _result: AnalysisResult) -> Findings:
    # ``_view``/``_result`` are skipped by the hasher: ``fp`` + ``spec`` determine them.
    return build_findings(_view, _result.codebook, _result.topics, filters=filters,
                          min_group_size=min_group_size)


def findings(ctx: widgets.PageContext) -> Findings:
    """The findings summary of the participants in view (follows the sidebar filters)."""
    if large_pages.is_large(ctx):
        return large_participant_pages.findings(ctx)
    return _findings(ctx.project.fingerprint, ctx.spec, ctx.min_group_size, ctx.filters_text,
                     ctx.view, ctx.result)


@st.cache_resource(max_entries=8, show_spinner=False)
def _detected(fp: str, _result: AnalysisResult) -> bool:
    return is_anthropic_interviewer(_result.participants["transcript_id"])


def corpus_detected(ctx: widgets.PageContext) -> bool:
    """True when the project's ids are those of the public Anthropic Interviewer dataset."""
    if large_pages.is_large(ctx):
        return large_participant_pages.detected()
    return _detected(ctx.project.fingerprint, ctx.result)


@st.cache_resource(max_entries=8, show_spinner=False)
def _parity(fp: str, _result: AnalysisResult) -> pd.DataFrame:
    return parity_table(_result.participants)


def parity(ctx: widgets.PageContext) -> pd.DataFrame:
    """The parity table over the whole project (published figures describe whole samples)."""
    if large_pages.is_large(ctx):
        return large_participant_pages.parity()
    return _parity(ctx.project.fingerprint, ctx.result)


@st.cache_resource(max_entries=32, show_spinner=False)
def _econ(fp: str, spec: FilterSpec, min_group_size: int, _view: FilteredView) -> pd.DataFrame:
    return econ_table(_view.participants, _view.segments, _view.assignments,
                      min_group_size=min_group_size)


def econ(ctx: widgets.PageContext) -> pd.DataFrame:
    """Economic Index split of the participants in view, then the published rows."""
    if large_pages.is_large(ctx):
        return large_participant_pages.econ(ctx)
    return _econ(ctx.project.fingerprint, ctx.spec, ctx.min_group_size, ctx.view)


def draw_finding(finding: Finding, *, presentation: bool) -> None:
    """Sentence, up to two quotes side by side, and (outside presentation) the trace."""
    st.markdown(widgets.escape_markdown(finding.sentence))
    if finding.quotes:
        columns = st.columns(len(finding.quotes))
        for column, quote in zip(columns, finding.quotes, strict=True):
            with column:
                who = f"{quote.role} · {quote.cohort} · {quote.ref}" if quote.cohort else (
                    f"{quote.role} · {quote.ref}")
                widgets.quote_block(answer=quote.text, evidence="", question="", who=who,
                                    chips=[])
    if not presentation:
        st.caption(widgets.escape_markdown(evidence_line(finding)))
