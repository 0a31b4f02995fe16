"""The "Slides & report" downloads: a .pptx deck and an HTML report of the current view.

Every page that shows the filter line offers them. ``start`` opens a ``ReportShelf`` for the
page run and draws the buttons; ``widgets.show_chart`` puts each chart it draws on the
shelf, so the deck holds exactly the charts on screen (a page without charts gets one
chart per facet). The files are built only when a button is clicked (Streamlit's deferred
download), from the shelf the buttons were drawn with: by then the page run has finished
and every chart is on it. The callables never touch session state (they run outside the
script run).

A large project (``start_large``) gets the same buttons over a ``LargeReportShelf``: its
findings, top codes and quotes come from SQL (``analysis.scale.report``), never from the
project's answers in memory.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import streamlit as st

from analysis.filters import FilterSpec
from analysis.report.content import ReportContent
from analysis.results import AnalysisResult
from ui import auth, state

if TYPE_CHECKING:
    from ui.widgets import PageContext

SHELF = "report.shelf"
"""Session key of the current page run's shelf (tests read it)."""
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass
class ReportShelf:
    """One page run's view (project, filters) and the charts drawn on it, in order."""

    project: str
    result: AnalysisResult
    spec: FilterSpec
    min_group_size: int
    charts: list[tuple[str, Any, str]] = field(default_factory=list)
    """(name, Altair chart, caption line) per chart drawn on the page."""

    def add(self, name: str, chart: Any, caption: str) -> None:
        if all(name != existing for existing, _, _ in self.charts):
            self.charts.append((name, chart, caption))

    def content(self, generated: str | None = None) -> ReportContent:
        from ui.report_charts import build_report, render_chart

        images = [render_chart(chart, caption=caption, fallback_title=name)
                  for name, chart, caption in self.charts]
        return build_report(self.result, self.spec, project=self.project,
                            generated=generated or dt.date.today().isoformat(),
                            charts=images or None, min_group_size=self.min_group_size)

    def deck(self) -> bytes:
        from analysis.report.pptx_deck import build_deck

        return build_deck(self.content())

    def html(self) -> bytes:
        from analysis.report.html_report import build_html

        return build_html(self.content()).encode("utf-8")


@dataclass
class LargeReportShelf(ReportShelf):
    """A large project's shelf: content from SQL over the store captured when drawn."""

    store: Any = None
    topic_labels: dict[int, str] = field(default_factory=dict)
    redact: bool = False

    def _charts(self, generated: str) -> list[Any]:
        """The page's charts; on a page without any, each facet's prevalence chart."""
        from ui.report_charts import render_chart

        if self.charts:
            return [render_chart(chart, caption=caption, fallback_title=name)
                    for name, chart, caption in self.charts]
        from ui.large_report_charts import large_facet_charts

        return large_facet_charts(self.store, self.project, self.spec, generated=generated,
                                  topic_labels=self.topic_labels)

    def content(self, generated: str | None = None) -> ReportContent:
        from analysis.redact import Pseudonyms
        from analysis.scale.report import large_report_content

        date = generated or dt.date.today().isoformat()
        redact = Pseudonyms().redact if self.redact else None
        return large_report_content(self.store, self.project, self.spec, generated=date,
                                    charts=self._charts(date),
                                    min_group_size=self.min_group_size,
                                    topic_labels=self.topic_labels, redact=redact)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "project"


def start(ctx: PageContext) -> None:
    """Open this run's shelf and draw the two download buttons (not in presentation mode)."""
    if ctx.presentation:
        st.session_state.pop(SHELF, None)
        return
    shelf = ReportShelf(project=ctx.project.name, result=ctx.result, spec=ctx.spec,
                        min_group_size=ctx.min_group_size)
    _draw(ctx, shelf)


def start_large(ctx: PageContext) -> None:
    """``start`` for a large project: the deck and report are built from SQL."""
    if ctx.presentation:
        st.session_state.pop(SHELF, None)
        return
    from ui import cache

    topics = ctx.result.topics  # the shell's list: redacted names when the switch is on
    labels = {int(t): str(label) for t, label in
              zip(topics["topic_id"], topics["label"], strict=False)} if len(topics) else {}
    store = cache.get_store(cache.store_path())
    shelf = LargeReportShelf(project=ctx.project.name, result=ctx.result, spec=ctx.spec,
                             min_group_size=ctx.min_group_size, store=store,
                             topic_labels=labels, redact=state.redaction_on())
    _draw(ctx, shelf)


def _draw(ctx: PageContext, shelf: ReportShelf) -> None:
    st.session_state[SHELF] = shelf
    stem = f"interview-lens-{_slug(ctx.project.name)}-{dt.date.today().isoformat()}"
    with st.popover("Slides & report", icon=":material/slideshow:"):
        st.caption("The current filtered view: the findings, the charts on this page (one "
                   "per facet on pages without charts) and quotes for the top codes.")
        if not state.redaction_on():
            st.caption("Quotes are participants' words as written (names, emails…). Turn on "
                       "“Redact personal details” in the sidebar before sharing the files.")
        row = st.container(horizontal=True)
        # Each download is logged in the audit trail (user and project taken now).
        row.download_button("Slides (.pptx)", data=auth.audited_export(f"{stem}.pptx",
                            shelf.deck), file_name=f"{stem}.pptx",
                            mime=PPTX_MIME, key="report.pptx", on_click="ignore",
                            icon=":material/slideshow:")
        row.download_button("HTML report", data=auth.audited_export(f"{stem}.html",
                            shelf.html), file_name=f"{stem}.html",
                            mime="text/html", key="report.html", on_click="ignore",
                            icon=":material/description:")


def remember(name: str, chart: Any, caption: str) -> None:
    """Put a chart drawn on this page on the current shelf (called by ``show_chart``)."""
    shelf = st.session_state.get(SHELF)
    if isinstance(shelf, ReportShelf):
        shelf.add(name, chart, caption)
