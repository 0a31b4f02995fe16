"""The default report charts of a large project: each facet's prevalence chart, from SQL.

Why here and not in ``ui.report_charts.facet_charts``: that one filters an in-memory
result. A large project's share of participants per code is one SQL aggregate per facet
(``analysis.scale.queries.code_prevalence``), drawn with the dashboard's own builder. No
Streamlit call, so the CLI's ``report`` uses it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis.filters import FilterSpec, describe_filters
from analysis.report.content import ChartImage, facet_title
from analysis.scale import queries
from ui.charts import chart_prevalence
from ui.report_charts import render_chart, report_caption


def large_facet_charts(store: Any, project: str, spec: FilterSpec, *, generated: str,
                       topic_labels: Mapping[int, str] | None = None,
                       shown_as: str | None = None) -> list[ChartImage]:
    """One "share of participants" chart per facet for the participants in view.

    ``shown_as``: the project's name in the captions (a report title), default ``project``.
    """
    codebook = queries.codebook(store, project)
    filters_text = describe_filters(spec, codebook, dict(topic_labels or {}))
    overview = queries.overview(store, project, spec)
    n_line = f"N = {overview.n_participants} of {overview.n_total_participants} participants"
    caption = report_caption(shown_as or project, overview.n_participants, filters_text,
                             generated)
    subtitle = " · ".join(part for part in (filters_text, n_line) if part)
    images = []
    for facet in dict.fromkeys(codebook["facet"]):
        table = queries.code_prevalence(store, project, spec, facet)
        title = f"{facet_title(facet)}: share of participants"
        images.append(render_chart(chart_prevalence(table, title=title, subtitle=subtitle),
                                   caption=caption, fallback_title=title))
    return images
