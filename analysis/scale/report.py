"""The slides/report content (``ReportContent``) of a large project's filtered view, from SQL.

Why not ``analysis.report.content.build_content``: it reads a ``FilteredView`` with every
answer in it. A large project supplies the same three parts without loading its answers:
- the findings summary from ``analysis.scale.participant_views.large_findings`` (the
  participant-level table, plus bounded answer reads for quotes);
- the top code of each facet from that participant table (``content.top_codes``, the
  in-memory rule);
- each top code's quotes from one page of ``queries.evidence_for_code`` (the in-memory
  order: filter matches, then confidence), one quote per participant.
The charts come from the caller (the page's drawn SQL aggregates). The deck and HTML
writers then lay the content out exactly as for a small project.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.filters import FilterSpec, describe_filters
from analysis.report.content import (
    QUOTE_CHARS,
    QUOTES_PER_CODE,
    ChartImage,
    Quote,
    QuoteGroup,
    ReportContent,
    assemble,
    excerpt,
    facet_title,
    finding_groups,
    plain,
    role_text,
    top_codes,
)
from analysis.scale import queries

EVIDENCE_CANDIDATES = 200
"""Evidence rows read per top code to find ``QUOTES_PER_CODE`` different participants
(the in-memory report reads the same number)."""

Redactor = Callable[[str, str], str]
"""(text, transcript id) -> text shown; the identity unless "Redact personal details" is on."""


def large_quote_groups(
    store: Any,
    project: str,
    spec: FilterSpec,
    top: pd.DataFrame,
    *,
    redact: Redactor | None = None,
    per_code: int = QUOTES_PER_CODE,
    limit: int = QUOTE_CHARS,
) -> list[QuoteGroup]:
    """Up to ``per_code`` quotes from different participants for each top code."""
    shown = redact or (lambda text, _tid: text)
    groups = []
    for row in top.itertuples(index=False):
        evidence = queries.evidence_for_code(store, project, spec, str(row.code),
                                             limit=EVIDENCE_CANDIDATES, offset=0)
        evidence = evidence.drop_duplicates("transcript_id").head(per_code)
        quotes = tuple(
            Quote(
                text=excerpt(shown(str(item.answer), str(item.transcript_id)),
                             shown(str(item.evidence), str(item.transcript_id)), limit),
                who=" · ".join(part for part in (
                    plain(item.transcript_id), plain(item.cohort),
                    role_text(item.occupation, item.occupation_group)) if part),
            )
            for item in evidence.itertuples(index=False)
        )
        if quotes:
            groups.append(QuoteGroup(code=str(row.code), label=plain(row.label),
                                     facet=facet_title(row.facet), n=int(row.n),
                                     total=int(row.total), quotes=quotes))
    return groups


def large_report_content(
    store: Any,
    project: str,
    spec: FilterSpec,
    *,
    generated: str,
    charts: Sequence[ChartImage] = (),
    min_group_size: int = 5,
    topic_labels: Mapping[int, str] | None = None,
    redact: Redactor | None = None,
) -> ReportContent:
    """The report of ``project`` filtered by ``spec`` (the charts as given).

    ``topic_labels``: topic names as the app shows them (its redacted ones when the switch
    is on); default the stored labels.
    """
    from analysis.scale.participant_views import large_findings, participant_view

    codebook = queries.codebook(store, project)
    if topic_labels is None:
        topics = queries.topics(store, project)
        topic_labels = {int(t): str(label) for t, label in
                        zip(topics["topic_id"], topics["label"], strict=False)}
    filters_text = describe_filters(spec, codebook, dict(topic_labels))
    view = participant_view(store, project, spec)
    found = large_findings(store, project, spec, filters=filters_text,
                           min_group_size=min_group_size, topic_labels=dict(topic_labels),
                           participants=view.participants)
    top = top_codes(view.participants, codebook)
    return assemble(project, generated, view, filters_text, finding_groups(found), charts,
                    large_quote_groups(store, project, spec, top, redact=redact))  # fmt: skip
