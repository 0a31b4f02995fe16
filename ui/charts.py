"""Every chart of the dashboard: Altair only, one theme, ready to paste on a slide.

Design rules (so every page looks the same without thinking about it):
- Okabe–Ito colours, which stay distinguishable under the common colour-vision deficiencies;
  one colour when there is one series, a sequential single-hue scale for heatmaps.
- A title plus a subtitle (the caller's filter line and N), direct labels with counts and
  percentages ("42% (21/50)"), Wilson 95% intervals drawn as rules wherever a share of
  participants is shown, no gridlines or legends when direct labels already say it.
- The theme config is attached to every chart (not only registered globally), so the
  Streamlit view and the PNG/SVG export render identically; ``presentation=True`` swaps in
  the same config with larger type for screenshots.
- Transcript text only ever reaches Vega as data fields shown by text marks and tooltips,
  which render plain text; nothing here builds HTML.

No ``st.*`` calls live here: pages call these builders and hand the result to Streamlit
(``st.altair_chart(chart, theme=None)`` so Streamlit's own theme does not override ours).
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

OKABE_ITO: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow (last: weak contrast on white)
    "#000000",  # black
]
"""Okabe & Ito (2008) colour-blind-safe palette, reordered so the first colours contrast best."""

PRIMARY = OKABE_ITO[0]
MUTED = "#B8B8B8"
INK = "#222222"
SUBTLE_INK = "#555555"
HEATMAP_SCHEME = "blues"
FONT = "Source Sans Pro, Helvetica Neue, Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif"
THEME_NAME = "interview_lens"

MAX_MAP_POINTS = 3000
"""Topic-map points drawn at most; above this a fixed-seed sample keeps the page light."""
MAP_TEXT_CHARS = 240
"""Answer text in map tooltips is cut to this many characters (plain text, never HTML)."""
CAPTION_WRAP = 110
COOCCURRENCE_COMPACT_ABOVE = 12
"""Co-occurrence matrices with more codes than this show counts only, in smaller cells."""
HEATMAP_FLAT_LABEL = 12
"""Heatmap column labels up to this many characters are written flat, longer ones slanted."""
TOPIC_LABEL_WRAP = 34
"""Characters per line of a topic label on the topic-sizes axis (wrapped, not cut)."""
HEATMAP_LABEL_ANGLE = -45
"""Slant of long heatmap column labels (parallel slanted labels never collide)."""
HEATMAP_LABEL_LIMIT = {False: 170, True: 240}
"""Pixels a heatmap column label may take before it is cut with "…"."""
COOCCURRENCE_NOTE = (
    "Cell: participants with both codes; colour: their share of the row code's participants"
)

_SIZES = {
    False: {"base": 13, "label": 13, "title": 18, "subtitle": 13, "mark": 12, "width": 560},
    True: {"base": 18, "label": 18, "title": 28, "subtitle": 18, "mark": 17, "width": 760},
}


def theme_config(presentation: bool = False) -> dict[str, Any]:
    """The one chart config; ``presentation`` enlarges every font for screenshots."""
    size = _SIZES[presentation]
    axis = {
        "labelFont": FONT,
        "titleFont": FONT,
        "labelFontSize": size["label"],
        "titleFontSize": size["base"],
        "labelColor": INK,
        "titleColor": SUBTLE_INK,
        "titleFontWeight": "normal",
        "grid": False,
        "domainColor": "#888888",
        "tickColor": "#888888",
        "labelLimit": 360 if presentation else 260,
    }
    return {
        "font": FONT,
        "background": "white",
        "padding": 12,
        "view": {"stroke": None, "continuousWidth": size["width"], "continuousHeight": 320},
        "axis": axis,
        "axisY": {"domain": False, "ticks": False, "labelPadding": 6},
        "legend": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelFontSize": size["label"],
            "titleFontSize": size["base"],
            "orient": "bottom",
            "direction": "horizontal",
            "symbolType": "square",
            "labelLimit": 300,
        },
        "header": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelFontSize": size["label"],
            "titleFontSize": size["base"],
        },
        "title": {
            "font": FONT,
            "subtitleFont": FONT,
            "fontSize": size["title"],
            "subtitleFontSize": size["subtitle"],
            "color": INK,
            "subtitleColor": SUBTLE_INK,
            "anchor": "start",
            "offset": 14,
            "subtitlePadding": 6,
        },
        "text": {"font": FONT, "fontSize": size["mark"], "color": INK},
        "range": {"category": OKABE_ITO},
    }


@alt.theme.register(THEME_NAME, enable=True)
def _interview_lens_theme() -> alt.theme.ThemeConfig:
    """Registered and enabled so any Altair chart a page builds ad hoc matches ours."""
    return {"config": theme_config(False)}  # type: ignore[return-value]


def _finish(chart: alt.TopLevelMixin, presentation: bool) -> alt.TopLevelMixin:
    return chart.configure(**theme_config(presentation))


def _title(title: str, subtitle: str) -> alt.Title:
    lines = [line for line in str(subtitle).split("\n") if line]
    return alt.Title(str(title), subtitle=lines or alt.Undefined)


def _pct(share: float) -> str:
    return f"{share:.0%}" if pd.notna(share) else "–"


def _count_label(n: int, total: int, share: float) -> str:
    return f"{_pct(share)} ({int(n)}/{int(total)})"


def _unique_labels(frame: pd.DataFrame) -> pd.Series:
    """Code labels, disambiguated by facet where two different codes share a label."""
    labels = frame["label"].astype(str)
    if "code" not in frame.columns or "facet" not in frame.columns:
        return labels
    pairs = frame[["code"]].assign(label=labels).drop_duplicates()
    clashing = set(pairs.loc[pairs["label"].duplicated(keep=False), "label"])
    if not clashing:
        return labels
    clash = labels.isin(clashing)
    return labels.where(~clash, labels + " (" + frame["facet"].astype(str) + ")")


def _empty_chart(title: str, subtitle: str, message: str, presentation: bool) -> alt.Chart:
    chart = (
        alt.Chart(pd.DataFrame({"message": [message]}), title=_title(title, subtitle))
        .mark_text(align="left", baseline="middle", color=SUBTLE_INK)
        .encode(text="message:N", x=alt.value(0), y=alt.value(20))
        .properties(width=_SIZES[presentation]["width"], height=40)
    )
    return _finish(chart, presentation)


def _share_axis(title: str = "Share of participants") -> alt.Axis:
    return alt.Axis(format="%", title=title, tickCount=5, grid=False)


def chart_prevalence(
    table: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Horizontal bars: share of participants per code, Wilson CI rules, direct labels.

    ``table`` is ``analysis.aggregates.code_prevalence`` output; bars keep its (codebook)
    order. With several facets in one table the bars are coloured by facet.
    """
    if table.empty:
        return _empty_chart(title, subtitle, "No codes to show.", presentation)
    data = table.copy()
    data["label"] = _unique_labels(data)
    data["display"] = [
        _count_label(n, t, s)
        for n, t, s in zip(data["n"], data["total"], data["share"], strict=True)
    ]
    data["interval"] = [
        f"{_pct(lo)}–{_pct(hi)}" for lo, hi in zip(data["ci_low"], data["ci_high"], strict=True)
    ]
    order = list(data["label"])
    several_facets = "facet" in data.columns and data["facet"].nunique() > 1
    base = alt.Chart(data, title=_title(title, subtitle)).encode(
        y=alt.Y("label:N", sort=order, title=None),
        tooltip=[
            alt.Tooltip("label:N", title="Code"),
            alt.Tooltip("display:N", title="Participants"),
            alt.Tooltip("interval:N", title="95% interval (Wilson)"),
        ],
    )
    colour: Any = (
        alt.Color(
            "facet:N",
            title=None,
            sort=list(dict.fromkeys(data["facet"])),
            scale=alt.Scale(range=OKABE_ITO),
        )
        if several_facets
        else alt.value(PRIMARY)
    )
    bars = base.mark_bar(height={"band": 0.72}).encode(
        x=alt.X("share:Q", scale=alt.Scale(domain=[0, 1]), axis=_share_axis()),
        color=colour,
    )
    rules = base.mark_rule(color=INK, strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    labels = base.mark_text(align="left", baseline="middle", dx=6).encode(
        x="ci_high:Q", text="display:N"
    )
    step = 34 if presentation else 26
    chart = alt.layer(bars, rules, labels).properties(
        width=_SIZES[presentation]["width"], height=alt.Step(step)
    )
    return _finish(chart, presentation)


def _grouped_table(table: Any) -> pd.DataFrame:
    """Accept a ``GroupedPrevalence`` or its ``.table``."""
    return table.table if hasattr(table, "table") else table


def chart_prevalence_by_group(
    table: Any, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Grouped horizontal bars: per code, one bar per group, with CI rules and labels.

    ``table`` is ``prevalence_by_group(...)`` (or its ``.table``). Groups keep their order
    (largest first) and their Okabe–Ito colour; a top legend names them.
    """
    data = _grouped_table(table)
    if data.empty:
        return _empty_chart(title, subtitle, "No group is large enough to show.", presentation)
    data = data.copy()
    data["group"] = data["group"].astype(str)
    data["label"] = _unique_labels(data)
    data["display"] = [
        _count_label(n, t, s)
        for n, t, s in zip(data["n"], data["total"], data["share"], strict=True)
    ]
    data["interval"] = [
        f"{_pct(lo)}–{_pct(hi)}" for lo, hi in zip(data["ci_low"], data["ci_high"], strict=True)
    ]
    groups = list(dict.fromkeys(data["group"]))
    palette = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(groups))]
    order = list(dict.fromkeys(data["label"]))
    base = alt.Chart(data, title=_title(title, subtitle)).encode(
        y=alt.Y("label:N", sort=order, title=None),
        yOffset=alt.YOffset("group:N", sort=groups),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("label:N", title="Code"),
            alt.Tooltip("display:N", title="Participants"),
            alt.Tooltip("interval:N", title="95% interval (Wilson)"),
        ],
    )
    bars = base.mark_bar(height={"band": 0.85}).encode(
        x=alt.X("share:Q", scale=alt.Scale(domain=[0, 1]), axis=_share_axis()),
        color=alt.Color(
            "group:N", sort=groups, scale=alt.Scale(domain=groups, range=palette), title=None
        ),
    )
    return _bars_with_intervals(base, bars, len(groups), "ci_high:Q", presentation)


def _bars_with_intervals(
    base: alt.Chart, bars: alt.Chart, n_bars: int, label_x: str, presentation: bool
) -> alt.TopLevelMixin:
    """Grouped bars + their 95% interval rules + value labels at ``label_x``, sized per group."""
    rules = base.mark_rule(color=INK, strokeWidth=1.2).encode(x="ci_low:Q", x2="ci_high:Q")
    size = _SIZES[presentation]
    labels = base.mark_text(
        align="left", baseline="middle", dx=5, fontSize=size["mark"] - 1
    ).encode(x=label_x, text="display:N")
    step = (24 if presentation else 18) * n_bars + 10
    chart = alt.layer(bars, rules, labels).properties(
        width=size["width"], height=alt.Step(step, **{"for": "position"})
    )
    return _finish(chart, presentation)


def _heatmap_layers(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    row_order: list[str],
    col_order: list[str],
    colour_field: str,
    text_field: str,
    tooltip: list[alt.Tooltip],
    presentation: bool,
    light_text_above: float = 0.55,
    two_lines: bool = True,
    font_size: int | None = None,
) -> list[alt.Chart]:
    """Cell rectangles and their text as separate charts (callers may add layers)."""
    size = _SIZES[presentation]
    short_columns = max((len(str(c)) for c in col_order), default=0) <= HEATMAP_FLAT_LABEL
    base = alt.Chart(data).encode(
        y=alt.Y(f"{row}:N", sort=row_order, title=None),
        x=alt.X(
            f"{col}:N",
            sort=col_order,
            title=None,
            # Every column label must show: Vega's overlap removal would otherwise hide
            # every other slanted label. Long labels are cut with "…" (full text in the
            # tooltip), slanted enough that neighbours never touch.
            axis=alt.Axis(
                orient="top",
                labelAngle=0 if short_columns else HEATMAP_LABEL_ANGLE,
                labelAlign="center" if short_columns else "left",
                labelBaseline="middle" if not short_columns else "bottom",
                labelOverlap=False,
                labelLimit=HEATMAP_LABEL_LIMIT[presentation],
                labelPadding=4,
                domain=False,
                ticks=False,
            ),
        ),
        tooltip=tooltip,
    )
    rects = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color(
            f"{colour_field}:Q",
            scale=alt.Scale(scheme=HEATMAP_SCHEME, domain=[0, 1]),
            legend=None,
        )
    )
    font_size = font_size or size["mark"] - 1
    line_height = round(font_size * 1.2)
    # Two-line cells: lift the first line by half a line so the pair sits centred.
    text = base.mark_text(
        baseline="middle",
        lineBreak="\n",
        lineHeight=line_height,
        dy=-line_height / 2 if two_lines else 0,
        fontSize=font_size,
    ).encode(
        text=f"{text_field}:N",
        color=alt.condition(
            alt.datum[colour_field] > light_text_above, alt.value("white"), alt.value(INK)
        ),
    )
    return [rects, text]


def _heatmap_chart(
    parts: list[alt.Chart], title: alt.Title, presentation: bool, compact: bool = False
) -> alt.LayerChart:
    if compact:
        width, height = (46, 34) if presentation else (36, 26)
    else:
        width, height = (100, 62) if presentation else (76, 44)
    return alt.layer(*parts, title=title).properties(width=alt.Step(width), height=alt.Step(height))


def chart_heatmap(
    table: Any,
    *,
    row: str,
    col: str,
    title: str,
    subtitle: str,
    presentation: bool = False,
    count_title: str = "Participants",
) -> alt.TopLevelMixin:
    """Heatmap of share of participants; each cell reads "42%\\n21/50".

    ``table`` needs ``row``, ``col``, ``n``, ``total`` and ``share`` columns, e.g.
    ``prevalence_by_group(...).table`` with ``row="label", col="group"`` (or the reverse).
    Rows and columns keep the order in which they first appear. ``count_title`` names
    what ``n``/``total`` count in the tooltip ("Answers" where shares are of answers).
    """
    data = _grouped_table(table)
    if data.empty:
        return _empty_chart(title, subtitle, "Nothing to show for this selection.", presentation)
    data = data.copy()
    if "label" in data.columns and "facet" in data.columns:
        data["label"] = _unique_labels(data)
    data[row] = data[row].astype(str)
    data[col] = data[col].astype(str)
    data["cell"] = [
        f"{_pct(s)}\n{int(n)}/{int(t)}"
        for n, t, s in zip(data["n"], data["total"], data["share"], strict=True)
    ]
    data["display"] = [
        _count_label(n, t, s)
        for n, t, s in zip(data["n"], data["total"], data["share"], strict=True)
    ]
    tooltip = [
        alt.Tooltip(f"{row}:N"),
        alt.Tooltip(f"{col}:N"),
        alt.Tooltip("display:N", title=count_title),
    ]
    if {"ci_low", "ci_high"} <= set(data.columns):
        data["interval"] = [
            f"{_pct(lo)}–{_pct(hi)}" for lo, hi in zip(data["ci_low"], data["ci_high"], strict=True)
        ]
        tooltip.append(alt.Tooltip("interval:N", title="95% interval (Wilson)"))
    parts = _heatmap_layers(
        data,
        row=row,
        col=col,
        row_order=list(dict.fromkeys(data[row])),
        col_order=list(dict.fromkeys(data[col])),
        colour_field="share",
        text_field="cell",
        tooltip=tooltip,
        presentation=presentation,
    )
    return _finish(_heatmap_chart(parts, _title(title, subtitle), presentation), presentation)


def chart_cooccurrence(
    table: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Square matrix of codes: cell = participants with both; colour = P(column | row).

    Read along a row: "of the participants with <row code>, x% also have <column code>".
    The diagonal shows how many participants have the code at all (grey, no colour).
    ``table`` is ``analysis.aggregates.cooccurrence`` output.
    """
    if table.empty:
        return _empty_chart(title, subtitle, "No codes to pair.", presentation)
    data = table.copy()
    data["label_a"] = data["label_a"].astype(str)
    data["label_b"] = data["label_b"].astype(str)
    order = list(dict.fromkeys([*data["label_a"], *data["label_b"]]))
    totals = dict(zip(data["label_a"], data["n_a"], strict=False))
    totals.update(dict(zip(data["label_b"], data["n_b"], strict=False)))
    # Many codes: small cells holding the count only (the share stays in the colour and
    # the tooltip), so a whole codebook still fits on one slide.
    compact = len(order) > COOCCURRENCE_COMPACT_ABOVE
    size = _SIZES[presentation]
    font_size = size["mark"] - (3 if compact else 1)
    data["cell"] = [
        f"{int(n)}" if compact else f"{int(n)}\n{_pct(s)}"
        for n, s in zip(data["n_both"], data["share_of_a"], strict=True)
    ]
    data["display"] = [
        f"{int(n)} of {int(a)} ({_pct(s)})"
        for n, a, s in zip(data["n_both"], data["n_a"], data["share_of_a"], strict=True)
    ]
    data["colour"] = data["share_of_a"].fillna(0.0)
    diagonal = pd.DataFrame(
        {"label_a": order, "label_b": order, "cell": [f"{int(totals[o])}" for o in order]}
    )
    data["diagonal"] = False
    diagonal["diagonal"] = True
    tooltip = [
        alt.Tooltip("label_a:N", title="Participants with"),
        alt.Tooltip("label_b:N", title="…who also have"),
        alt.Tooltip("display:N", title="Both"),
        alt.Tooltip("jaccard:Q", title="Jaccard", format=".2f"),
    ]
    parts = _heatmap_layers(
        data,
        row="label_a",
        col="label_b",
        row_order=order,
        col_order=order,
        colour_field="colour",
        text_field="cell",
        tooltip=tooltip,
        presentation=presentation,
        two_lines=not compact,
        font_size=font_size,
    )
    diag_base = alt.Chart(diagonal).encode(
        y=alt.Y("label_a:N", sort=order, title=None),
        x=alt.X("label_b:N", sort=order, title=None),
    )
    if "both" not in subtitle.lower():  # the caller has not explained the cells yet
        subtitle = f"{subtitle}\n{COOCCURRENCE_NOTE}"
    parts += [
        diag_base.mark_rect(color="#EEEEEE", stroke="white", strokeWidth=1.5),
        diag_base.mark_text(fontWeight="bold", fontSize=font_size).encode(text="cell:N"),
    ]
    chart = _heatmap_chart(parts, _title(title, subtitle), presentation, compact=compact)
    return _finish(chart, presentation)


def chart_topic_sizes(
    topics: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Horizontal bars: answers per topic, largest first, labelled "123 (12%)".

    Percentages are of all answers, outliers (topic -1) included, so they do not inflate
    when many answers fit no topic; the outlier bucket itself is not drawn.
    """
    all_answers = int(topics["size"].sum()) if len(topics) else 0
    data = topics[topics["topic_id"] != -1].copy()
    if data.empty:
        return _empty_chart(title, subtitle, "No topics were found.", presentation)
    data["label"] = data["label"].astype(str)
    data = data.sort_values(["size", "topic_id"], ascending=[False, True], kind="mergesort")
    data["share"] = data["size"] / all_answers if all_answers else 0.0
    data["display"] = [
        f"{int(n):,} ({_pct(s)})" for n, s in zip(data["size"], data["share"], strict=True)
    ]
    keep = [c for c in ("topic_id", "label", "size", "share", "display", "top_words") if c in data]
    data = data[keep]
    if "top_words" in data:
        data["top_words"] = data["top_words"].map(
            lambda w: ", ".join(map(str, w)) if isinstance(w, (list, tuple)) else str(w)
        )
    # Topic labels are keyword lists ("Allowed disclose, confidentiality, write guidance"):
    # wrapped onto up to three lines instead of being cut at the axis' label limit.
    data["axis_label"] = _unique_wrapped(data["label"], TOPIC_LABEL_WRAP)
    lines = int(data["axis_label"].str.count("\n").max()) + 1
    order = list(data["axis_label"])
    tooltip = [alt.Tooltip("label:N", title="Topic"), alt.Tooltip("display:N", title="Answers")]
    if "top_words" in data:
        tooltip.append(alt.Tooltip("top_words:N", title="Top words"))
    base = alt.Chart(data, title=_title(title, subtitle)).encode(
        y=alt.Y(
            "axis_label:N",
            sort=order,
            title=None,
            axis=alt.Axis(
                labelExpr="split(datum.value, '\\n')",
                labelLimit=0,
                labelOverlap=False,
                labelLineHeight=_SIZES[presentation]["label"] + 2,
            ),
        ),
        tooltip=tooltip,
    )
    bars = base.mark_bar(color=PRIMARY, height={"band": 0.72}).encode(
        x=alt.X(
            "size:Q",
            axis=alt.Axis(title="Answers", tickCount=5, tickMinStep=1, grid=False, format=",.0f"),
        )
    )
    labels = base.mark_text(align="left", baseline="middle", dx=6).encode(
        x="size:Q", text="display:N"
    )
    step = 34 if presentation else 26
    step = max(step, lines * (_SIZES[presentation]["label"] + 2) + 8)
    chart = alt.layer(bars, labels).properties(
        width=_SIZES[presentation]["width"], height=alt.Step(step)
    )
    return _finish(chart, presentation)


def _unique_wrapped(labels: pd.Series, width: int, max_lines: int = 3) -> pd.Series:
    """Labels wrapped to ``width`` characters ("\\n" between lines), kept distinct.

    The wrapped text is the axis' category, so two topics must never share one; a label
    longer than ``max_lines`` lines ends with "…" (the tooltip keeps the full label).
    """
    wrapped: list[str] = []
    seen: set[str] = set()
    for label in labels.astype(str):
        lines = textwrap.wrap(label, width=width, max_lines=max_lines, placeholder=" …") or [""]
        text = "\n".join(lines)
        while text in seen:
            text += "\u200b"  # invisible, but a distinct category
        seen.add(text)
        wrapped.append(text)
    return pd.Series(wrapped, index=labels.index)


def _shorten(text: Any, limit: int = MAP_TEXT_CHARS) -> str:
    # Cut before flattening whitespace: answers can be thousands of characters long.
    flat = " ".join(str(text)[: limit * 2].split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def chart_topic_map(
    segments: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """2-D map of answers (UMAP x, y) coloured by topic, topic names written at centres.

    The seven largest topics get Okabe–Ito colours and a direct label at their median
    point; other topics and outliers are grey, so no legend is needed. Hovering a point
    shows its topic and (shortened) answer as plain text. Above ``MAX_MAP_POINTS`` answers
    a fixed-seed sample is drawn and the subtitle says so.
    """
    data = segments.dropna(subset=["x", "y"])
    if data.empty:
        return _empty_chart(title, subtitle, "No answers to map.", presentation)
    # Colours, names and label positions come from ALL answers, before any sampling, so
    # the picture does not shift with the sample.
    top_ids = list(
        data.loc[data["topic_id"] != -1, "topic_id"]
        .value_counts()
        .sort_index(kind="mergesort")
        .sort_values(ascending=False, kind="mergesort")
        .index[:7]
    )
    named: dict[Any, str] = {}
    for tid in top_ids:
        name = str(data.loc[data["topic_id"] == tid, "topic_label"].iloc[0])
        named[tid] = name if name not in named.values() else f"{name} (#{tid})"
    other = "Other topics / no topic"
    centres = (
        data[data["topic_id"].isin(top_ids)]
        .groupby("topic_id", sort=False)[["x", "y"]]
        .median()
        .reset_index()
    )
    centres["shown_topic"] = centres["topic_id"].map(named)
    centres = centres[["x", "y", "shown_topic"]]
    n_all = len(data)
    if n_all > MAX_MAP_POINTS:
        data = data.sample(n=MAX_MAP_POINTS, random_state=0).sort_index()
        subtitle = f"{subtitle}\nShowing a random {MAX_MAP_POINTS:,} of {n_all:,} answers"
    data = data.copy()
    data["topic_label"] = data["topic_label"].astype(str)
    data["shown_topic"] = data["topic_id"].map(named).fillna(other)
    data["answer_text"] = data["answer"].map(_shorten)
    data["question_text"] = data.get("question", pd.Series("", index=data.index)).map(
        lambda q: _shorten(q, 160)
    )
    data = data[
        ["x", "y", "transcript_id", "topic_label", "shown_topic", "answer_text", "question_text"]
    ]
    domain = [*named.values(), other]
    palette = [*OKABE_ITO[: len(named)], MUTED]
    size = _SIZES[presentation]
    # Few answers: bigger dots. Names sit just above their cluster's centre, not on it.
    point_size = (28 if presentation else 18) * (3 if len(data) < 500 else 1)
    label_lift = -int(size["mark"] * 1.2)
    points = (
        alt.Chart(data)
        .mark_circle(size=point_size, opacity=0.65)
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(zero=False, nice=False, padding=24)),
            y=alt.Y("y:Q", axis=None, scale=alt.Scale(zero=False, nice=False, padding=24)),
            color=alt.Color(
                "shown_topic:N", scale=alt.Scale(domain=domain, range=palette), legend=None
            ),
            order=alt.Order("is_named:Q"),
            tooltip=[
                alt.Tooltip("topic_label:N", title="Topic"),
                alt.Tooltip("transcript_id:N", title="Participant"),
                alt.Tooltip("question_text:N", title="Question"),
                alt.Tooltip("answer_text:N", title="Answer"),
            ],
        )
        .transform_calculate(is_named=f"datum.shown_topic === {other!r} ? 0 : 1")
    )
    names = (
        alt.Chart(centres)
        .mark_text(
            fontWeight="bold",
            fontSize=size["mark"],
            stroke="white",
            strokeWidth=3,
            strokeOpacity=0.9,
            dy=label_lift,
        )
        .encode(x="x:Q", y="y:Q", text="shown_topic:N")
    )
    names_fill = (
        alt.Chart(centres)
        .mark_text(fontWeight="bold", fontSize=size["mark"], dy=label_lift)
        .encode(x="x:Q", y="y:Q", text="shown_topic:N", color=alt.value(INK))
    )
    chart = alt.layer(points, names, names_fill, title=_title(title, subtitle)).properties(
        width=size["width"], height=int(size["width"] * 0.7)
    )
    return _finish(chart, presentation)


def chart_topic_by_group(
    table: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Heatmap topic × group: share of each group's participants who spoke to the topic.

    ``table`` is ``analysis.aggregates.topic_by_group`` output.
    """
    if table.empty:
        return _empty_chart(title, subtitle, "No topics for this selection.", presentation)
    data = table.rename(columns={"n_participants": "n"}).copy()
    data = data.drop(columns=[c for c in ("facet",) if c in data.columns])
    return chart_heatmap(
        data, row="label", col="group", title=title, subtitle=subtitle, presentation=presentation
    )


def chart_group_differences(
    table: pd.DataFrame,
    *,
    group_a: str,
    group_b: str,
    title: str,
    subtitle: str,
    presentation: bool = False,
    top_n: int = 12,
) -> alt.TopLevelMixin:
    """Diverging bars: share in ``group_a`` minus share in ``group_b``, biggest gaps first.

    ``table`` is ``analysis.aggregates.group_differences`` output. Each bar carries its
    95% Newcombe interval and a direct label "+25 pts (60% vs 35%) · q = 0.03"; bars take
    the colour of the group that is ahead, so no legend is needed beyond the axis title.
    """
    if table.empty:
        return _empty_chart(title, subtitle, "No codes to compare.", presentation)
    data = table.head(top_n).copy()
    data["label"] = _unique_labels(data)
    data["ahead"] = np.where(data["diff"] >= 0, str(group_a), str(group_b))
    data["display"] = [
        f"{d * 100:+.0f} pts ({_pct(a)} vs {_pct(b)})" + (f" · q = {q:.2f}" if pd.notna(q) else "")
        for d, a, b, q in zip(
            data["diff"], data["share_a"], data["share_b"], data["q_value"], strict=True
        )
    ]
    # Every label starts right of its interval (or of zero), never over the code names.
    data["anchor"] = np.maximum(data["diff_ci_high"], 0.0)
    reach = float(np.nanmax(np.abs(data[["diff_ci_low", "diff_ci_high"]].to_numpy())))
    limit = min(1.0, max(0.2, np.ceil(reach * 10) / 10))
    order = list(data["label"])
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None),
        tooltip=[
            alt.Tooltip("label:N", title="Code"),
            alt.Tooltip("display:N", title="Gap"),
            alt.Tooltip("diff_ci_low:Q", title="95% low", format="+.0%"),
            alt.Tooltip("diff_ci_high:Q", title="95% high", format="+.0%"),
            alt.Tooltip("p_value:Q", title="Fisher p", format=".3f"),
        ],
    )
    axis_title = f"Share in {group_a} minus share in {group_b}"
    bars = base.mark_bar(height={"band": 0.72}).encode(
        x=alt.X(
            "diff:Q",
            scale=alt.Scale(domain=[-limit, limit]),
            axis=alt.Axis(format="+%", title=axis_title, tickCount=9, grid=False),
        ),
        color=alt.Color(
            "ahead:N",
            scale=alt.Scale(domain=[str(group_a), str(group_b)], range=OKABE_ITO[:2]),
            legend=alt.Legend(title="Higher in"),
        ),
    )
    rules = base.mark_rule(color=INK, strokeWidth=1.5).encode(
        x="diff_ci_low:Q", x2="diff_ci_high:Q"
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#888888").encode(x="zero:Q")
    labels = base.mark_text(align="left", dx=6).encode(x="anchor:Q", text="display:N")
    step = 34 if presentation else 26
    chart = alt.layer(bars, rules, zero, labels, title=_title(title, subtitle)).properties(
        width=_SIZES[presentation]["width"], height=alt.Step(step)
    )
    return _finish(chart, presentation)


def caption_line(*, source: str, n: int, filters: str, date: str) -> str:
    """The provenance line baked into exported images: source, N, filters, date."""
    filters = filters.strip()
    filter_text = "no filters" if filters in ("", "All participants") else f"filters: {filters}"
    return f"Source: {source} · N = {int(n):,} participants · {filter_text} · {date}"


def _with_caption(chart: alt.TopLevelMixin, caption: str) -> dict[str, Any]:
    """The chart's spec with ``caption`` as a footer line under it (config kept on top)."""
    inner = chart.copy(deep=True)
    config = inner.config
    inner.config = alt.Undefined
    lines = textwrap.wrap(caption, CAPTION_WRAP) or [""]
    font_size = 12
    if config is not alt.Undefined:
        title_cfg = config.to_dict().get("text", {}) if hasattr(config, "to_dict") else {}
        font_size = max(11, int(title_cfg.get("fontSize", 12)) - 1)
    footer = alt.Title(
        lines,
        orient="bottom",
        anchor="start",
        fontSize=font_size,
        fontWeight="normal",
        color=SUBTLE_INK,
        offset=14,
    )
    framed = alt.vconcat(inner, title=footer)
    if config is not alt.Undefined:
        framed.config = config
    return framed.to_dict()


def chart_to_png(chart: alt.TopLevelMixin, *, caption: str, scale: float = 2.0) -> bytes:
    """PNG bytes (vl-convert, offline) with the caption line rendered under the chart."""
    return bytes(vl_convert.vegalite_to_png(_with_caption(chart, caption), scale=scale))


def chart_to_svg(chart: alt.TopLevelMixin, *, caption: str) -> bytes:
    """SVG bytes (vl-convert, offline) with the caption line rendered under the chart."""
    return vl_convert.vegalite_to_svg(_with_caption(chart, caption)).encode("utf-8")


def chart_econ_split(
    table: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Grouped bars: per group, the share with any augmentation / automation pattern / both.

    ``table`` holds rows of ``analysis.econ_index.econ_table`` (``group``, ``label``, ``n``,
    ``total``, ``share``, ``ci_low``, ``ci_high``). Measured rows carry Wilson rules and
    "42% (21/50)" labels; published rows (no counts) are labelled "57% published" and have
    no interval, because only the percentage was published.
    """
    if table.empty:
        return _empty_chart(title, subtitle, "No participants to show.", presentation)
    data = table.copy()
    data["group"] = data["group"].astype(str)
    measured = data["n"].notna()
    data["display"] = [
        _count_label(n, t, s) if has else f"{_pct(s)} published"
        for n, t, s, has in zip(data["n"], data["total"], data["share"], measured, strict=True)
    ]
    data["anchor"] = data["ci_high"].where(measured, data["share"])
    data["ci_low"] = data["ci_low"].where(measured)
    data["ci_high"] = data["ci_high"].where(measured)
    measures = list(dict.fromkeys(data["label"]))
    groups = list(dict.fromkeys(data["group"]))
    base = alt.Chart(data, title=_title(title, subtitle)).encode(
        y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("label:N", sort=measures),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("label:N", title="Measure"),
            alt.Tooltip("display:N", title="Share"),
        ],
    )
    bars = base.mark_bar(height={"band": 0.85}).encode(
        x=alt.X(
            "share:Q",
            scale=alt.Scale(domain=[0, 1]),
            axis=_share_axis("Share (ours: of participants; published: as reported)"),
        ),
        color=alt.Color(
            "label:N",
            sort=measures,
            scale=alt.Scale(domain=measures, range=OKABE_ITO[: len(measures)]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
    )
    return _bars_with_intervals(base, bars, len(measures), "anchor:Q", presentation)


def chart_saturation(
    table: pd.DataFrame, *, title: str, subtitle: str, presentation: bool = False
) -> alt.TopLevelMixin:
    """Saturation curves: cumulative items found after n interviews, one line per cohort.

    ``table`` is ``analysis.saturation.saturation_table`` output for one ``kind`` and
    ``threshold``: the line is the median over random interview orders, the shaded band
    the 10–90 % range; each line ends with a direct label "cohort: total".
    """
    if table.empty:
        return _empty_chart(title, subtitle, "No interviews to show.", presentation)
    data = table.copy()
    data["cohort"] = data["cohort"].astype(str)
    cohorts = list(dict.fromkeys(data["cohort"]))
    palette = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(cohorts))]
    colour = alt.Color("cohort:N", sort=cohorts, scale=alt.Scale(domain=cohorts, range=palette),
                       legend=None)
    data["band"] = [f"{lo:g}–{hi:g}" for lo, hi in
                    zip(data["low_cumulative"], data["high_cumulative"], strict=True)]
    base = alt.Chart(data, title=_title(title, subtitle)).encode(
        x=alt.X("n_interviews:Q", title="Interviews read", axis=alt.Axis(grid=False)),
        color=colour,
        tooltip=[
            alt.Tooltip("cohort:N", title="Cohort"),
            alt.Tooltip("n_interviews:Q", title="Interviews"),
            alt.Tooltip("median_cumulative:Q", title="Found (median)"),
            alt.Tooltip("band:N", title="10–90% of orders"),
            alt.Tooltip("median_new:Q", title="New at this interview (median)"),
        ],
    )
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("low_cumulative:Q", title="Found so far", axis=alt.Axis(grid=False)),
        y2="high_cumulative:Q",
    )
    line = base.mark_line(strokeWidth=2.5).encode(y="median_cumulative:Q")
    ends = data.sort_values("n_interviews").groupby("cohort", sort=False).tail(1).copy()
    ends["end_label"] = [f"{c}: {int(t)}" for c, t in zip(ends["cohort"], ends["total"],
                                                           strict=True)]
    labels = alt.Chart(ends).mark_text(align="left", dx=6, baseline="middle").encode(
        x="n_interviews:Q", y="median_cumulative:Q", text="end_label:N", color=colour)
    size = _SIZES[presentation]
    chart = alt.layer(band, line, labels, title=_title(title, subtitle)).properties(
        width=size["width"], height=320 if not presentation else 420)
    return _finish(chart, presentation)
