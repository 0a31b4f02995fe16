"""The "Slides & report" downloads: a .pptx deck and an HTML report of the current view.

Every page that shows the filter line offers them. ``start`` opens a ``ReportShelf`` for the
page run and draws the buttons; ``widgets.show_chart`` puts each chart it draws on the
shelf, so the deck holds exactly the charts on screen (a page without charts gets one
chart per facet). The files are built only when a button is clicked (Streamlit's deferred
download), from the shelf the buttons were drawn with: by then the page run has finished
and every chart is on it. The callables never touch session state (they run outside the
script run).
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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "project"


def start(ctx: PageContext) -> None:
    """Open this run's shelf and draw the two download buttons (not in presentation mode)."""
    if ctx.presentation:
        st.session_state.pop(SHELF, None)
        return
    shelf = ReportShelf(project=ctx.project.name, result=ctx.result, spec=ctx.spec,
                        min_group_size=ctx.min_group_size)
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
