"""The large-project path of the converted pages: a page context whose tables come from SQL.

``widgets.page_context(title, large=True)`` hands a converted page a ``LargePageContext``
when a large project is open. It is a ``PageContext`` whose ``aggregate`` asks
``analysis.scale.queries`` (same names, arguments and columns as ``analysis.aggregates``)
through the cache of ``ui.large_project``, and whose ``view`` holds only the counts
(its frames are empty, with the usual columns), so chart builders, captions, the filter
line and the facet renderer work unchanged. The few page parts that read answer rows
(topic sizes, the map, quotes) ask for their page or sample here instead.

Quotes are read one page at a time (``LIMIT``/``OFFSET``) with the speaker's role. With
"Redact personal details" on, each page of text is redacted as it is drawn (the
in-memory path redacts the whole project; a large one is never loaded whole).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd
import streamlit as st

from analysis.filters import FilteredView, describe_filters
from analysis.redact import TOPIC_SCOPE, Pseudonyms
from analysis.scale.queries import Overview
from analysis.tables import ASSIGNMENTS_COLUMNS, PARTICIPANTS_BASE_COLUMNS
from ui import large_project, report_downloads, state, widgets

TEXT_COLUMNS = ("question", "answer", "evidence")
EXPORT_NOTE = ("Exports of a large project are the CLI's job (`python -m analysis`): the "
               "dashboard never loads every answer.")


PARTICIPANT_LEVEL = {"group_differences": "differences"}
"""Aggregates a large project computes on its participant table
(``analysis.scale.participant_views``) rather than in one SQL query."""


@dataclasses.dataclass(frozen=True, slots=True)
class LargePageContext(widgets.PageContext):
    """A page context whose aggregates are SQL queries over the scale tables."""

    overview: Overview | None = None

    def aggregate(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if name in PARTICIPANT_LEVEL:
            from ui import large_participant_pages  # lazy: that module imports this one

            table = large_participant_pages.query(PARTICIPANT_LEVEL[name], self.spec, *args,
                                                  **kwargs)
        else:
            table = large_project.query(name, self.spec, *args, **kwargs)
        if isinstance(table, pd.DataFrame) and state.redaction_on():
            return redacted(table, self.result.topics)
        return table


def is_large(ctx: widgets.PageContext) -> bool:
    return isinstance(ctx, LargePageContext)


def _empty_view(overview: Overview) -> FilteredView:
    return FilteredView(
        participants=pd.DataFrame(columns=PARTICIPANTS_BASE_COLUMNS),
        segments=pd.DataFrame(columns=["transcript_id", "segment_index", "question", "answer",
                                       "topic_id", "topic_label", "x", "y", "codes",
                                       "match"]),
        assignments=pd.DataFrame(columns=ASSIGNMENTS_COLUMNS),
        n_participants=overview.n_participants,
        n_total_participants=overview.n_total_participants,
    )


def page_context(project: state.ActiveProject) -> LargePageContext:
    """The context of a converted page for the open large project (title already drawn)."""
    spec = state.filter_spec()
    overview = large_project.query("overview", spec)
    topics = project.result.topics
    topic_labels = {int(t): str(label) for t, label in
                    zip(topics["topic_id"], topics["label"], strict=False)}
    ctx = LargePageContext(
        project=project,
        spec=spec,
        view=_empty_view(overview),
        filters_text=describe_filters(spec, project.result.codebook, topic_labels),
        min_group_size=state.min_group_size(),
        presentation=state.presentation_mode(),
        overview=overview,
    )
    widgets.filter_line(ctx)
    # Slides & report from SQL (``analysis.scale.report``); this page's charts join the
    # new shelf, never an earlier page's.
    report_downloads.start_large(ctx)
    return ctx


def redacted(frame: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """A table or page of quotes with its text redacted (the switch is on).

    Topic labels, keywords and quotes are taken from ``topics``, the open project's
    redacted shell, so charts name topics as the sidebar does; answer text is redacted
    per participant, one page at a time.
    """
    if frame.empty:
        return frame
    out = frame.copy()
    if "topic_id" in out.columns:
        shown = topics.set_index("topic_id")
        ids = out["topic_id"]
        for column, source in (("label", "label"), ("topic_label", "label"),
                               ("top_words", "top_words"),
                               ("representative_quotes", "representative_quotes")):
            if column in out.columns and source in shown.columns:
                out[column] = ids.map(shown[source]).where(ids.isin(shown.index), out[column])
    if "transcript_id" not in out.columns:
        return out
    pseudonyms = Pseudonyms()
    for column in TEXT_COLUMNS:
        if column in out.columns:
            out[column] = [pseudonyms.redact(text, str(tid)) for text, tid in
                           zip(out[column], out["transcript_id"], strict=True)]
    if "topic" in out.columns:
        out["topic"] = [pseudonyms.redact(text, TOPIC_SCOPE) for text in out["topic"]]
    return out


def pager(total: int, per_page: int, key: str, label: str = "Page") -> int:
    """A page number input (only when there is more than one page); returns the offset."""
    pages = max(1, math.ceil(total / per_page))
    if pages == 1:
        return 0
    kept = st.session_state.get(key)
    if kept is not None and not 1 <= int(kept) <= pages:
        st.session_state[key] = 1  # a narrower filter left fewer pages: start over
    page = int(st.columns([1, 4])[0].number_input(
        f"{label} (of {pages:,})", 1, pages, 1, key=key))
    return (page - 1) * per_page


# --- the facet pages -----------------------------------------------------------------


def evidence_page(ctx: LargePageContext, facet: str, code: str, per_page: int
                  ) -> pd.DataFrame:
    """One page of the evidence for ``code`` (best first), with a pager when needed."""
    total = large_project.query("count_evidence", ctx.spec, code)
    offset = 0 if ctx.presentation else pager(total, per_page, state.page_key(facet, "page"))
    return ctx.aggregate("evidence_for_code", code, limit=per_page, offset=offset)


# --- the overview page ---------------------------------------------------------------


def draw_metrics(ctx: LargePageContext) -> None:
    """Participants, answers, topics and known roles in view, counted in the database."""
    over = ctx.overview or large_project.query("overview", ctx.spec)
    cols = st.columns(4)
    cols[0].metric("Participants", f"{over.n_participants:,}",
                   help=f"of {over.n_total_participants:,} in the project")
    cols[1].metric("Answers", f"{over.n_answers:,}")
    cols[2].metric("Topics", f"{over.n_topics:,}", help="Topics with at least one answer in view")
    share = 1.0 - over.share_unclear if over.n_participants else 0.0
    cols[3].metric("With a known role", f"{share:.0%}", help=f"{over.n_known_role} participants")


# --- the topics page ------------------------------------------------------------------


def topic_sizes(ctx: LargePageContext) -> pd.DataFrame:
    """Topics with ``size`` = answers in view (``topics_view.topic_sizes`` for SQL)."""
    return ctx.aggregate("topic_sizes")


def map_sample(ctx: LargePageContext, n: int) -> pd.DataFrame:
    """A fixed sample of ``n`` answers in view for the topic map (never every answer)."""
    return ctx.aggregate("map_sample", n)


def small_groups(ctx: LargePageContext, column: str) -> list[tuple[str, int]]:
    """Groups below the minimum size (``topics_view.small_groups`` for SQL)."""
    sizes = large_project.query("group_sizes", ctx.spec, column)
    return [(str(g), int(n)) for g, n in sizes.items() if n < ctx.min_group_size]


QUOTES_PER_TOPIC = 5


def draw_topic_quotes(ctx: LargePageContext, labels: dict[int, str]) -> None:
    """Answers in view of one topic, a page at a time (matching answers first)."""
    topic = st.selectbox("Quotes of topic", list(labels), format_func=labels.get,
                         key=state.page_key("topics", "quotes"))
    if topic is None:
        return
    total = large_project.query("count_topic_answers", ctx.spec, int(topic))
    st.caption(f"{total:,} answer(s) in view in this topic.")
    offset = pager(total, QUOTES_PER_TOPIC, state.page_key("topics", "quotes.page"))
    page = ctx.aggregate("topic_quotes", int(topic), limit=QUOTES_PER_TOPIC, offset=offset)
    for row in page.itertuples(index=False):
        with st.container(border=True):
            st.text(str(row.answer))
            role = widgets.role_text(row.occupation, row.occupation_group)
            st.caption(widgets.escape_markdown(
                f"{row.transcript_id} · {row.cohort} · {role} · Q: {row.question}"))


def topic_order(ctx: LargePageContext, sizes: pd.DataFrame) -> dict[int, str]:
    """Topic id -> "#id label": largest in view first, the outlier bucket last."""
    topics = ctx.result.topics
    counts = dict(zip(sizes["topic_id"], sizes["size"], strict=True))
    ranked = topics.assign(_in_view=topics["topic_id"].map(counts).fillna(0).astype(int),
                           _outlier=topics["topic_id"] == -1).sort_values(
        ["_outlier", "_in_view", "topic_id"], ascending=[True, False, True], kind="mergesort")
    return {int(t): f"#{int(t)} {lab}" for t, lab in
            zip(ranked["topic_id"], ranked["label"], strict=False)}


# --- the quotes page ------------------------------------------------------------------


def answers(ctx: LargePageContext, *, search: str, code: str | None, per_page: int
            ) -> tuple[pd.DataFrame, int]:
    """One page of the Quotes list (``quotes_view.QUOTE_COLUMNS``) and the total count."""
    from ui.quotes_view import QUOTE_COLUMNS

    total = large_project.query("count_answers", ctx.spec, search=search, code=code)
    offset = pager(total, per_page, state.page_key("quotes", "page"))
    page = ctx.aggregate("answers_page", search=search, code=code, limit=per_page,
                         offset=offset)
    page = page.assign(role=[widgets.role_text(o, g) for o, g in
                             zip(page["occupation"], page["occupation_group"], strict=True)])
    return page.reindex(columns=QUOTE_COLUMNS).fillna(""), total
