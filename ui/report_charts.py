"""Charts for reports: render Altair charts as ``ChartImage`` s and assemble ``ReportContent``.

This module makes no ``st.*`` call (like ``ui.charts``), so both the app's download buttons
and ``python -m analysis report`` use it: the deck and the HTML page show exactly the
charts the dashboard draws, with the dashboard's theme. The chart's title and subtitle
are lifted out of the Vega-Lite spec and handed to the writers as text, so a slide title
is editable and the HTML report has real headings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert

from analysis.filters import FilterSpec, apply_filters, describe_filters
from analysis.report.content import (
    ChartImage,
    ReportContent,
    build_content,
    facet_title,
    plain,
    topic_labels,
)
from analysis.results import AnalysisResult
from ui.charts import caption_line, chart_prevalence

PNG_SCALE = 3.0
"""Pixel density of deck images: a 560-px-wide plot becomes ~2,400 px, sharp on a projector."""
_CONTAINERS = ("layer", "vconcat", "hconcat", "concat")


def _title_parts(value: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(value, str):
        return value, ()
    if isinstance(value, dict):
        text = value.get("text", "")
        text = " ".join(map(str, text)) if isinstance(text, list) else str(text)
        subtitle = value.get("subtitle", ())
        lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or ())
        return text, tuple(str(line) for line in lines if str(line).strip())
    return "", ()


def split_title(spec: dict[str, Any]) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    """A copy of ``spec`` without its title, plus the title text and subtitle lines.

    Altair puts a chart's title either at the top level or on each layer/concat member;
    both places are cleared so the rendered image carries the plot only.
    """
    spec = dict(spec)
    title, subtitle = _title_parts(spec.pop("title", None))
    for key in _CONTAINERS:
        members = spec.get(key)
        if not isinstance(members, list):
            continue
        cleared = []
        for member in members:
            if isinstance(member, dict) and "title" in member:
                member = dict(member)
                found = _title_parts(member.pop("title"))
                if not title:
                    title, subtitle = found
            cleared.append(member)
        spec[key] = cleared
    return spec, plain(title), tuple(plain(line) for line in subtitle)


def render_chart(
    chart: alt.TopLevelMixin | dict[str, Any],
    *,
    caption: str,
    fallback_title: str = "Chart",
    scale: float = PNG_SCALE,
) -> ChartImage:
    """PNG (``scale`` x) and SVG of ``chart`` without its title, offline via vl-convert."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    body, title, subtitle = split_title(spec)
    png = bytes(vl_convert.vegalite_to_png(body, scale=scale))
    svg = str(vl_convert.vegalite_to_svg(body))
    return ChartImage(
        title=title or plain(fallback_title),
        subtitle=subtitle,
        caption=plain(caption),
        png=png,
        svg=svg,
    )


def facet_charts(
    result: AnalysisResult, spec: FilterSpec, *, caption: str, subtitle: str
) -> list[ChartImage]:
    """The default charts of a report: each facet's share-of-participants chart."""
    from analysis.aggregates import code_prevalence

    view = apply_filters(result, spec)
    codebook = result.codebook
    images = []
    facets = list(dict.fromkeys(codebook["facet"])) if len(codebook) else []
    for facet in facets:
        table = code_prevalence(view.participants, codebook, facet)
        title = f"{facet_title(facet)}: share of participants"
        chart = chart_prevalence(table, title=title, subtitle=subtitle)
        images.append(render_chart(chart, caption=caption, fallback_title=title))
    return images


def report_caption(project: str, n: int, filters_text: str, date: str) -> str:
    """The dashboard's provenance line (``ui.charts.caption_line``) for a report's charts."""
    return caption_line(source=f"Interview Lens · {project}", n=n, filters=filters_text, date=date)


def build_report(
    result: AnalysisResult,
    spec: FilterSpec,
    *,
    project: str,
    generated: str | None = None,
    charts: Sequence[ChartImage] | None = None,
    min_group_size: int = 5,
) -> ReportContent:
    """The report of ``result`` filtered by ``spec``: the given charts, else one per facet."""
    date = generated or dt.date.today().isoformat()
    view = apply_filters(result, spec)
    filters_text = describe_filters(spec, result.codebook, topic_labels(result.topics))
    if charts is None:
        n_line = f"N = {view.n_participants} of {view.n_total_participants} participants"
        charts = facet_charts(
            result,
            spec,
            caption=report_caption(project, view.n_participants, filters_text, date),
            subtitle=" · ".join(part for part in (filters_text, n_line) if part),
        )
    return build_content(
        project=project,
        generated=date,
        view=view,
        codebook=result.codebook,
        topics=result.topics,
        filters_text=filters_text,
        charts=charts,
        min_group_size=min_group_size,
    )
