"""Building blocks every page uses: page context, filter line, charts with downloads,
safe text, quotes and exports.

User text (answers, questions, names, topic words, codebook labels from an uploaded
YAML) is never passed to ``unsafe_allow_html`` or ``st.html``; where it must sit inside
markdown (to highlight an evidence sentence), it goes through ``escape_markdown`` first,
which backslash-escapes every markdown and HTML metacharacter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analysis.export import to_csv_bytes, to_xlsx_bytes
from analysis.filters import FilteredView, FilterSpec, attribute_label, describe_filters
from analysis.results import AnalysisResult
from ui import cache, large_project, report_downloads, state
from ui.auth import audited_export

UPLOAD_PAGE = "app_pages/upload.py"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'^%@/])")
_LEADING_SPACE = re.compile(r"(?m)^[ \t]+")


def escape_markdown(text: Any) -> str:
    """``text`` as markdown that displays literally: no links, images, HTML or LaTeX.

    CommonMark lets any ASCII punctuation be backslash-escaped, so escaping all of it
    (plus ``:`` for Streamlit's ``:color[]`` directives and emoji shortcodes, and ``/``
    and ``.`` to break bare-URL autolinks) leaves nothing for the renderer to interpret.
    Leading indentation would start a code block: callers pass whole texts through
    ``strip_indent`` first.
    """
    value = "" if text is None else str(text)
    return _MD_SPECIAL.sub(r"\\\1", value.replace("\r", ""))


def strip_indent(text: Any) -> str:
    """Drop each line's leading spaces (markdown would turn 4 of them into a code block)."""
    return _LEADING_SPACE.sub("", "" if text is None else str(text))


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a page draws from: the project, the active filter and its filtered view."""

    project: state.ActiveProject
    spec: FilterSpec
    view: FilteredView
    filters_text: str
    min_group_size: int
    presentation: bool

    @property
    def result(self) -> AnalysisResult:
        return self.project.result

    @property
    def codebook(self) -> pd.DataFrame:
        return self.project.result.codebook

    def aggregate(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """A cached ``analysis.aggregates`` table over the filtered participants."""
        return cache.aggregate(self.project, self.spec, self.view, name, *args, **kwargs)

    def subtitle(self, extra: str = "") -> str:
        n = f"N = {self.view.n_participants} of {self.view.n_total_participants} participants"
        return " · ".join(part for part in (self.filters_text, n, extra) if part)


def empty_state() -> None:
    """Shown when no project is open: say why and point to the Upload page."""
    st.info("No project is open yet. Upload transcripts or open a saved project to start.")
    message = state.get(state.BOOT_MESSAGE)
    if message:
        st.caption(message)
    st.page_link(UPLOAD_PAGE, label="Upload & projects", icon=":material/upload_file:")


def page_context(title: str, *, large: bool = False) -> PageContext:
    """Title + filter line; stops the page with the empty state when nothing is open.

    ``large``: the page has a large-project path, so an open large project gets the
    database-backed context of ``ui.large_pages``; other pages say plainly that they are
    not available for large projects (they would need every answer in memory).
    """
    st.title(title)
    project = state.active_project()
    if project is None:
        empty_state()
        st.stop()
    if large_project.is_open():
        if not large:
            large_project.stop_if_open()
        from ui import large_pages  # lazy: ui.large_pages builds on this module

        return large_pages.page_context(project)
    spec = state.filter_spec()
    view = cache.filtered_view(project, spec)
    ctx = PageContext(
        project=project,
        spec=spec,
        view=view,
        filters_text=describe_filters(spec, project.result.codebook, _topic_labels(project)),
        min_group_size=state.min_group_size(),
        presentation=state.presentation_mode(),
    )
    filter_line(ctx)
    report_downloads.start(ctx)  # slides + HTML report of this view
    return ctx


def _topic_labels(project: state.ActiveProject) -> dict[int, str]:
    topics = project.result.topics
    return {int(t): str(label) for t, label in
            zip(topics["topic_id"], topics["label"], strict=False)} if len(topics) else {}


def filter_line(ctx: PageContext) -> None:
    """The visible statement of the active filters and N, with a one-click reset."""
    n_line = f"{ctx.view.n_participants} of {ctx.view.n_total_participants} participants"
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.markdown(f"**{n_line}** · {escape_markdown(ctx.filters_text)}")
    if not ctx.spec.is_empty() and not ctx.presentation:
        right.button("Reset filters", key="page.reset", on_click=state.reset_filters,
                     icon=":material/filter_alt_off:")
    if ctx.view.n_participants == 0:
        st.warning("No participant matches these filters. Reset or loosen them.")


def caption_for(ctx: PageContext) -> str:
    from ui.charts import caption_line

    return caption_line(
        source=f"Interview Lens · {ctx.project.name}",
        n=ctx.view.n_participants,
        filters=ctx.filters_text,
        date=dt.date.today().isoformat(),
    )


def show_chart(build: Callable[[], Any], *, name: str, ctx: PageContext,
               pick: str | None = None) -> list[str]:
    """Draw the Altair chart ``build()`` makes, with PNG (2x) and SVG downloads.

    ``name`` must identify the chart within the page's current selections (facet, split,
    group column...): together with the result fingerprint, the filters, the minimum
    group size and presentation mode it keys a cache of the built chart and its
    Vega-Lite spec, because building and schema-validating an Altair spec costs more than
    everything else on a redraw. Images are rendered only when a button is clicked.
    With ``pick`` (a data field such as ``"code"``), clicking a mark returns its value(s).
    """
    key = (ctx.project.fingerprint, ctx.spec, name, ctx.presentation, ctx.min_group_size)
    chart, spec = cache.built_chart(key, build, pick)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chart"
    picked: list[str] = []
    if pick:
        event = st.vega_lite_chart(spec, width="stretch", on_select="rerun",
                                   selection_mode=cache.PICK, key=f"chart.{slug}")
        points = (event.get("selection") or {}).get(cache.PICK) or []
        picked = [str(point[pick]) for point in points if isinstance(point, dict)
                  and pick in point]
    else:
        st.vega_lite_chart(spec, width="stretch")
    if ctx.presentation:
        return picked
    from ui.charts import chart_to_png, chart_to_svg

    caption = caption_for(ctx)
    report_downloads.remember(name, chart, caption)
    row = st.container(horizontal=True)
    row.download_button("PNG", data=lambda: chart_to_png(chart, caption=caption, scale=2.0),
                        file_name=f"{slug}.png", mime="image/png", key=f"dl.{slug}.png",
                        icon=":material/image:", on_click="ignore")
    row.download_button("SVG", data=lambda: chart_to_svg(chart, caption=caption),
                        file_name=f"{slug}.svg", mime="image/svg+xml", key=f"dl.{slug}.svg",
                        icon=":material/polyline:", on_click="ignore")
    if large_project.is_open():  # the drawn SQL aggregate as a table (ui.large_exports)
        from ui import large_exports

        large_exports.chart_buttons(row, chart, slug)
    return picked


def control(ctx: PageContext, widget: Callable[..., Any], label: str, options: list[Any], *,
            key: str, default: Any = None, **kwargs: Any) -> Any:
    """A page control (split, facet, group picker) that presentation mode hides.

    The last value is remembered under a key no widget owns, because Streamlit forgets a
    widget's value when the widget is not drawn: presentation mode keeps showing the chart
    the user chose, and leaving it restores the control where it was.
    """
    kept = "kept." + key
    remembered = st.session_state.get(kept, default)
    if remembered not in options:
        remembered = default if default in options else (options[0] if options else None)
    if ctx.presentation:
        return remembered
    current = st.session_state.get(key)
    if current is not None and current not in options:
        # The options changed under the widget (e.g. Compare's groups after "Groups" moved
        # from cohort to occupation group): Streamlit would fall back to the first option
        # for every such control, so Group A and Group B would both become options[0].
        st.session_state[key] = remembered
    elif key not in st.session_state and kept in st.session_state:
        st.session_state[key] = remembered  # seeded: no default as well (Streamlit warns)
    elif default is not None and key not in st.session_state:
        kwargs["default" if widget is st.segmented_control else "index"] = (
            default if widget is st.segmented_control else options.index(default))
    value = widget(label, options, key=key, **kwargs)
    st.session_state[kept] = value
    return value


def follow_row_click(event: Any, ids: list[str], *, key: str) -> None:
    """A newly selected table row sets the selectbox ``key`` (drawn after this call)."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    picked = ids[rows[0]] if rows and rows[0] < len(ids) else None
    last = key + ".clicked"
    if picked and picked != st.session_state.get(last):
        st.session_state[key] = picked
    st.session_state[last] = picked


def hidden_groups_note(hidden: list[tuple[str, int]], min_size: int) -> None:
    """Say which groups were left out for being too small (never show them as 100%)."""
    if hidden:
        names = ", ".join(f"{group} (n={size})" for group, size in hidden)
        st.caption(escape_markdown(
            f"Hidden: groups with fewer than {min_size} participants — {names}. "
            "Lower the minimum group size in Chart settings to show them."
        ))


def role_of(participants: pd.DataFrame) -> pd.Series:
    """"occupation (group)" per participant, "Unclear" when nothing is known."""
    occupation = participants.get("occupation", pd.Series("", index=participants.index))
    group = participants.get("occupation_group", pd.Series("", index=participants.index))
    occupation = occupation.fillna("").astype(str).str.strip()
    group = group.fillna("").astype(str).str.strip().replace("", "Unclear")
    return (occupation + " (" + group + ")").where(occupation != "", group)


def role_text(occupation: Any, group: Any) -> str:
    """One participant's role for display: "nurse educator (Healthcare ...)"."""
    occupation = "" if pd.isna(occupation) else str(occupation).strip()
    group = ("" if pd.isna(group) else str(group).strip()) or "Unclear"
    return f"{occupation} ({group})" if occupation else group


def highlighted(answer: str, evidence: str) -> str:
    """Escaped markdown of ``answer`` with the evidence sentence in bold."""
    answer, evidence = strip_indent(answer), str(evidence or "").strip()
    start = answer.find(evidence) if evidence else -1
    if start < 0:
        return escape_markdown(answer)
    end = start + len(evidence)
    return (escape_markdown(answer[:start]) + "**" + escape_markdown(answer[start:end])
            + "**" + escape_markdown(answer[end:]))


def quote_block(*, answer: str, evidence: str, question: str, who: str, chips: list[str]) -> None:
    """One quote: question, answer with highlighted evidence, who said it, code chips."""
    with st.container(border=True):
        if question:
            st.caption("Q: " + escape_markdown(question))
        st.markdown(highlighted(answer, evidence))
        meta = escape_markdown(who)
        if chips:
            meta += " · " + " ".join(f"`{chip.replace('`', '')}`" for chip in chips)
        st.caption(meta)


def coded_answers(ctx: PageContext) -> pd.DataFrame:
    """The filtered answers with their codes, topic and the participant's role (export)."""
    segments = ctx.view.segments
    people = ctx.view.participants[
        [c for c in ("transcript_id", "cohort", "occupation", "occupation_group")
         if c in ctx.view.participants.columns]
    ]
    columns = [c for c in ("transcript_id", "segment_index", "question", "answer", "topic_id",
                           "topic_label", "codes") if c in segments.columns]
    return segments[columns].merge(people, on="transcript_id", how="left")


def participants_table(ctx: PageContext) -> pd.DataFrame:
    """Participants in view with their role and a readable list of their codes."""
    participants = ctx.view.participants
    codes = [c for c in ctx.result.code_ids if c in participants.columns]
    labels = dict(zip(ctx.codebook["code"], ctx.codebook["label"], strict=False))
    has = (participants[codes].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0)
    names = np.array([str(labels.get(c, c)) for c in codes], dtype=object)
    table = participants[[c for c in ("transcript_id", "cohort", "occupation", "occupation_group")
                          if c in participants.columns]].copy()
    table["n_codes"] = has.sum(axis=1) if codes else 0
    table["codes"] = ["; ".join(names[row]) for row in has] if codes else ""
    attrs = [c for c in participants.columns if str(c).startswith("attr.")]
    return pd.concat([table, participants[attrs]], axis=1)


def export_buttons(ctx: PageContext, *, key: str) -> None:
    """CSV and XLSX of the filtered participants and coded answers (formula-escaped)."""
    if ctx.presentation:
        return
    if large_project.is_open():  # from SQL; answers only up to a cap (ui.large_exports)
        from ui import large_exports

        large_exports.draw(ctx, key=key)
        return
    # Built only when a button is clicked: exports never slow down a redraw.
    def people() -> pd.DataFrame:
        return participants_table(ctx)

    def answers() -> pd.DataFrame:
        return coded_answers(ctx)

    if not state.redaction_on():
        st.caption("Exports hold participants' words as written (names, emails…). Turn on "
                   "“Redact personal details” in the sidebar before sharing them.")
    row = st.container(horizontal=True)
    # Each download is logged in the audit trail (ui.auth) when its bytes are built.
    row.download_button("Participants CSV", data=audited_export(
                          "participants.csv", lambda: to_csv_bytes(people())),
                      file_name="participants.csv", mime="text/csv", key=f"{key}.pcsv",
                      on_click="ignore", icon=":material/download:")
    row.download_button("Answers CSV", data=audited_export(
                          "coded_answers.csv", lambda: to_csv_bytes(answers())),
                      file_name="coded_answers.csv", mime="text/csv", key=f"{key}.acsv",
                      on_click="ignore", icon=":material/download:")
    row.download_button(
        "Both as XLSX",
        data=audited_export("interview_lens.xlsx", lambda: to_xlsx_bytes(
            {"participants": people(), "coded answers": answers()})),
        file_name="interview_lens.xlsx", key=f"{key}.xlsx", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:")


def group_columns(ctx: PageContext) -> dict[str, str]:
    """Columns a chart can split by: label -> participants column."""
    from ui.sidebar import attribute_columns

    options = {"Cohort": "cohort", "Occupation group": "occupation_group"}
    large = large_project.is_open()  # its attributes are in the store, not the shell
    columns = large_project.attribute_columns() if large else attribute_columns(
        ctx.result.participants)
    for column in columns:
        options[attribute_label(column)] = column
    if large:  # every participant-level SQL table of a large project can split by these
        return options
    return {label: col for label, col in options.items() if col in ctx.view.participants.columns}
