"""Exports of a large project: chart tables, participants, and answers up to a cap.

Why these and not the in-memory exports as they are: a large project is never loaded
whole. What can be exported from it without doing so:
- the table behind each drawn chart (an SQL aggregate: a few hundred rows) as CSV/XLSX;
- the participants in view (one row per participant with role and code list, built from
  the participant-level 0/1 table, as on small projects);
- the coded answers in view while they number at most ``ANSWER_EXPORT_CAP`` (one bounded
  read); beyond that the page says to use the CLI, which streams every answer to
  ``segments.csv``/``assignments.csv`` in bounded memory.
Every file goes through ``analysis.export`` (formula cells escaped, XLSX strings as
strings) and the audit trail, like the in-memory exports. The download callables run
outside the script run, so they capture the store, project and filter when drawn and
never read session state.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from analysis.export import to_csv_bytes, to_xlsx_bytes
from analysis.filters import FilterSpec
from ui import cache, state
from ui.auth import audited_export

ANSWER_EXPORT_CAP = 20_000
"""Most answers a large project's "Answers CSV" holds (a bounded read, a few MB)."""
CLI_HINT = (
    "`python -m analysis analyze DATA --streaming --store STORE --project NAME --out DIR` "
    "(finished stages are skipped) writes every answer to `segments.csv` and "
    "`assignments.csv` in bounded memory."
)
ANSWER_EXPORT_COLUMNS = ["transcript_id", "segment_index", "question", "answer", "topic_id",
                         "topic_label", "codes", "cohort", "occupation", "occupation_group"]
"""``widgets.coded_answers``' columns (``codes`` holds code labels here)."""
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- chart tables ---------------------------------------------------------------------


def chart_table(chart: Any) -> pd.DataFrame | None:
    """The table an Altair chart draws (its own data, else its first layer's/panel's)."""
    data = getattr(chart, "data", None)
    if isinstance(data, pd.DataFrame):
        return data
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        for part in getattr(chart, attr, None) or []:
            if not hasattr(part, "to_dict"):
                continue
            found = chart_table(part)
            if found is not None:
                return found
    spec = getattr(chart, "spec", None)
    return chart_table(spec) if spec is not None and hasattr(spec, "to_dict") else None


def chart_buttons(row: Any, chart: Any, slug: str) -> None:
    """CSV and XLSX of the chart's table next to its PNG/SVG buttons (formula-escaped)."""
    table = chart_table(chart)
    if table is None:
        return
    table = table.copy()
    row.download_button("CSV", data=audited_export(f"{slug}.csv", lambda: to_csv_bytes(table)),
                        file_name=f"{slug}.csv", mime="text/csv", key=f"dl.{slug}.csv",
                        icon=":material/table_view:", on_click="ignore")
    row.download_button("XLSX", data=audited_export(
                            f"{slug}.xlsx", lambda: to_xlsx_bytes({"chart data": table})),
                        file_name=f"{slug}.xlsx", mime=XLSX_MIME, key=f"dl.{slug}.xlsx",
                        icon=":material/table:", on_click="ignore")


# --- participants and answers -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LargeExport:
    """What the download callables need, captured when the page is drawn."""

    store: Any
    project: str
    spec: FilterSpec
    redact: bool
    topics: pd.DataFrame
    """The open project's topic list (its redacted shell when the switch is on)."""

    def participants(self, ctx: Any) -> pd.DataFrame:
        """``widgets.participants_table`` over the participant-level table in view."""
        from analysis.scale.participant_views import participant_view
        from ui import widgets

        view = participant_view(self.store, self.project, self.spec)
        table = widgets.participants_table(dataclasses.replace(ctx, view=view))
        if self.redact:  # metadata values (attr.*), as the in-memory redaction does
            from ui.large_participant_pages import redact_attributes

            table = redact_attributes(table)
        return table

    def n_answers(self) -> int:
        from analysis.scale import queries

        return int(queries.count_answers(self.store, self.project, self.spec))

    def answers(self) -> pd.DataFrame:
        """The coded answers in view (at most ``ANSWER_EXPORT_CAP``), redacted when on."""
        from analysis.scale import queries

        page = queries.answers_page(self.store, self.project, self.spec,
                                    limit=ANSWER_EXPORT_CAP, offset=0)
        page = page.rename(columns={"topic": "topic_label"})
        if self.redact:
            from ui.large_pages import redacted

            page = redacted(page, self.topics)
        return page.reindex(columns=ANSWER_EXPORT_COLUMNS)


def capture(ctx: Any) -> LargeExport:
    store = cache.get_store(cache.store_path())
    return LargeExport(store=store, project=ctx.project.name, spec=ctx.spec,
                       redact=state.redaction_on(), topics=ctx.result.topics)


def draw(ctx: Any, *, key: str) -> None:
    """The Export section of a large project's page (not in presentation mode)."""
    if ctx.presentation:
        return
    export = capture(ctx)
    n_answers = export.n_answers()
    within = n_answers <= ANSWER_EXPORT_CAP
    if not state.redaction_on():
        st.caption("Exports hold participants' words as written (names, emails…). Turn on "
                   "“Redact personal details” in the sidebar before sharing them.")
    row = st.container(horizontal=True)
    row.download_button("Participants CSV", data=audited_export(
                            "participants.csv", lambda: to_csv_bytes(export.participants(ctx))),
                        file_name="participants.csv", mime="text/csv", key=f"{key}.pcsv",
                        on_click="ignore", icon=":material/download:")
    if within:
        row.download_button("Answers CSV", data=audited_export(
                                "coded_answers.csv", lambda: to_csv_bytes(export.answers())),
                            file_name="coded_answers.csv", mime="text/csv", key=f"{key}.acsv",
                            on_click="ignore", icon=":material/download:")

    def workbook() -> bytes:
        sheets = {"participants": export.participants(ctx)}
        if within:
            sheets["coded answers"] = export.answers()
        return to_xlsx_bytes(sheets)

    row.download_button("Both as XLSX" if within else "Participants XLSX",
                        data=audited_export("interview_lens.xlsx", workbook),
                        file_name="interview_lens.xlsx", key=f"{key}.xlsx", on_click="ignore",
                        mime=XLSX_MIME, icon=":material/table:")
    if within:
        st.caption(f"Large project: the {n_answers:,} answers in view are exported with their "
                   "code labels; chart tables have their own CSV/XLSX buttons.")
    else:
        st.caption(f"Large project: {n_answers:,} answers in view, more than the "
                   f"{ANSWER_EXPORT_CAP:,} the dashboard exports; narrow the filters, or "
                   "use the CLI: " + CLI_HINT)
