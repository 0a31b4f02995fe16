"""Large projects: re-coding with an edited codebook, chart exports and the slide deck.

The large project is the engine fixture corpus analysed in memory (hashing vectors, cached
in the store) and written to the scale tables with ``write_result_tables``, so every SQL
result can be compared with the in-memory project it came from.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from analysis.coding.codebook import default_codebook_yaml, dump_codebook, parse_codebook
from analysis.embedding import CachedEmbedder, embedder_for
from analysis.export import to_csv_bytes, to_xlsx_bytes
from analysis.filters import FilterSpec, apply_filters
from analysis.report.content import top_codes
from analysis.report.pptx_deck import build_deck, findings_pages, slide_titles
from analysis.results import AnalysisResult
from analysis.scale import queries
from analysis.scale.convert import write_result_tables
from analysis.scale.db import query_frame
from analysis.scale.participant_views import participant_frame
from analysis.scale.recode import recode_streaming
from analysis.scale.report import large_quote_groups, large_report_content
from analysis.store import Store
from tests.engine.conftest import ENGINE_CORPUS, HASHING
from tests.scale_dashboard.conftest import open_large_project
from ui import large_exports, large_pages, report_downloads, state, widgets
from ui.report_charts import build_report

SMALL, LARGE, EXPORTED = "small", "big", "big export"
EDITED = "trigger.ideation"
NEW_CUE = r"\bmood boards?\b"
"""A cue that fires on answers of the fixture corpus the default codebook leaves alone."""


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, AnalysisResult]]:
    """A store with the fixture corpus as a saved small project and as two large projects,
    and the in-memory result (kept here: the tests re-code the stored small project)."""
    from analysis.pipeline import run_pipeline

    path = tmp_path_factory.mktemp("recode") / "store.duckdb"
    with Store(path) as store:
        result = run_pipeline([ENGINE_CORPUS], project=SMALL, store=store, config=HASHING)
        write_result_tables(store, LARGE, result)  # re-coded by the tests below
        write_result_tables(store, EXPORTED, result)  # left as analysed
    yield path, result


@pytest.fixture(scope="module")
def store_path(analysed: tuple[Path, AnalysisResult]) -> Path:
    return analysed[0]


@pytest.fixture(scope="module")
def memory(analysed: tuple[Path, AnalysisResult]) -> AnalysisResult:
    return analysed[1]


def edited_codebook() -> str:
    codebook, problems = parse_codebook(default_codebook_yaml())
    assert codebook is not None, problems
    codes = tuple(
        dataclasses.replace(c, cues=(*c.cues, NEW_CUE)) if c.id == EDITED else c
        for c in codebook.codes
    )
    return dump_codebook(dataclasses.replace(codebook, codes=codes))


class RecordingEmbedder:
    """The hashing model, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        self.inner = embedder_for("hashing", HASHING.max_seq_length, HASHING.batch_size)
        self.model_id = self.inner.model_id
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def _assignments(store: Store, project: str) -> pd.DataFrame:
    frame = query_frame(
        store,
        "SELECT transcript_id, segment_index, code, evidence, "
        "round(CAST(confidence AS DOUBLE), 3) AS confidence FROM scale_assignments "
        "WHERE project = ? ORDER BY transcript_id, segment_index, code",
        [project],
    )
    return frame


def _rows(frame: pd.DataFrame) -> set[tuple]:
    cols = ["transcript_id", "segment_index", "code", "evidence", "confidence"]
    return {tuple(r) for r in frame[cols].astype(str).itertuples(index=False)}


def test_recoding_changes_only_the_edited_code_and_equals_in_memory(store_path: Path) -> None:
    from analysis.pipeline import recode_project

    yaml_text = edited_codebook()
    with Store(store_path) as store:
        before = _assignments(store, LARGE)
        recorder = RecordingEmbedder()
        record = recode_streaming(
            store, LARGE, yaml_text, embedder=CachedEmbedder(recorder, store), chunk_rows=16
        )
        after = _assignments(store, LARGE)
        answers = set(query_frame(
            store, "SELECT answer FROM scale_segments WHERE project = ?", [LARGE]
        )["answer"])
        memory = recode_project(store, SMALL, yaml_text)
        stored = query_frame(
            store, "SELECT codebook_yaml, status FROM scale_projects WHERE project = ?", [LARGE]
        ).iloc[0]
        roles = query_frame(
            store, "SELECT transcript_id, occupation, occupation_group FROM scale_participants "
            "WHERE project = ? ORDER BY transcript_id", [LARGE])
    changed = _rows(before) ^ _rows(after)
    assert changed and {row[2] for row in changed} == {EDITED}
    assert len(after[after["code"] == EDITED]) > len(before[before["code"] == EDITED])
    # nothing embedded: every answer vector (and every code text) came from the cache
    assert record["texts_embedded_now"] == 0
    assert not answers & set(recorder.texts)
    expected = memory.assignments.copy()
    expected["confidence"] = expected["confidence"].astype(float).round(3)
    assert _rows(after) == _rows(expected)
    people = memory.participants.sort_values("transcript_id")
    assert roles["occupation"].tolist() == people["occupation"].tolist()
    assert roles["occupation_group"].tolist() == people["occupation_group"].tolist()
    assert stored["codebook_yaml"] == yaml_text and stored["status"] == "done"
    assert record["assignments"] == len(after)


# --- the app ------------------------------------------------------------------------------


@pytest.fixture
def open_app(store_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``open_app("app_pages/codebook.py")``: the app on a page with the large project open."""
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(store_path))

    def _open(page: str | None = None, project: str = LARGE, **session: object) -> AppTest:
        return open_large_project(page, project, **session)

    return _open


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_codebook_page_recodes_a_large_project_in_the_background(open_app, store_path) -> None:
    at = open_app("app_pages/codebook.py")
    _ok(at)
    assert not any("Not available" in str(i.value) for i in at.info)
    assert len(at.dataframe) == 1  # the codebook table
    revision = at.session_state["project.large.revision"]
    at.selectbox(key="codebook.pick").set_value(EDITED).run()
    at.button(key="codebook.remove").click().run()  # a form edit: the draft loses the code
    _ok(at)
    assert "differs" in " ".join(str(c.value) for c in at.caption)
    at.button(key="codebook.recode").click().run()  # queued; this run follows the job
    _ok(at)
    with Store(store_path) as store:
        codes = set(query_frame(
            store, "SELECT DISTINCT code FROM scale_assignments WHERE project = ?", [LARGE]
        )["code"])
        listed = query_frame(
            store, "SELECT code FROM scale_codebook WHERE project = ?", [LARGE])["code"]
        n = int(query_frame(
            store, "SELECT count(*) AS n FROM scale_assignments WHERE project = ?", [LARGE]
        )["n"].iloc[0])
    assert codes and EDITED not in codes and EDITED not in set(listed)
    assert any(f"{n:,} code assignments" in str(s.value) for s in at.success)
    assert at.session_state["project.large.revision"] != revision  # pages re-query
    shell = at.session_state[state.ACTIVE_RESULT]
    assert EDITED not in set(shell.codebook["code"])
    at.switch_page("app_pages/triggers.py").run()
    _ok(at)


# --- exports and the slide deck -------------------------------------------------------------

COHORT = "office"


def test_report_content_and_deck_equal_the_in_memory_report(
    store_path: Path, memory: AnalysisResult
) -> None:
    spec = FilterSpec(cohorts=(COHORT,))
    with Store(store_path) as store:
        large = large_report_content(store, EXPORTED, spec, generated="2026-11-27")
    report = build_report(memory, spec, project=EXPORTED, generated="2026-11-27", charts=[])
    assert large.n_participants == report.n_participants == 6
    assert large.n_total == report.n_total == 12
    assert large.filters_text == report.filters_text
    assert large.findings == report.findings and large.findings
    assert large.quote_groups == report.quote_groups and large.quote_groups
    deck = Presentation(io.BytesIO(build_deck(large)))
    assert len(deck.slides) == len(slide_titles(large)) == 1 + len(
        findings_pages(large)) + len(large.quote_groups)


def test_report_quotes_go_through_the_redactor(store_path: Path) -> None:
    with Store(store_path) as store:
        top = top_codes(participant_frame(store, EXPORTED, FilterSpec()),
                        queries.codebook(store, EXPORTED))
        plain = large_quote_groups(store, EXPORTED, FilterSpec(), top)
        marked = large_quote_groups(store, EXPORTED, FilterSpec(), top,
                                    redact=lambda text, tid: f"[{tid}] {text}")
    assert plain and len(plain) == len(marked)
    for before, after in zip(plain, marked, strict=True):
        for quote, shown in zip(before.quotes, after.quotes, strict=True):
            tid = quote.who.split(" · ")[0]
            assert shown.text.startswith(f"[{tid}]") or shown.text.startswith("…")
            assert shown.text != quote.text


def test_overview_of_a_large_project_exports_charts_tables_and_the_deck(
    open_app, store_path: Path
) -> None:
    at = open_app("app_pages/overview.py", project=EXPORTED)
    _ok(at)
    at.multiselect(key=state.WIDGET_PREFIX + state.F_COHORTS).set_value([COHORT]).run()
    _ok(at)
    labels = {b.label for b in at.get("download_button")}
    assert {"PNG", "SVG", "CSV", "XLSX", "Participants CSV", "Answers CSV", "Both as XLSX",
            "Slides (.pptx)", "HTML report"} <= labels
    assert large_pages.EXPORT_NOTE not in " ".join(str(c.value) for c in at.caption)
    shelf = at.session_state[report_downloads.SHELF]
    assert isinstance(shelf, report_downloads.LargeReportShelf)
    assert [name for name, _, _ in shelf.charts] == ["overview-top-codes"]
    content = shelf.content(generated="2026-11-27")
    assert content.n_participants == 6 and [c.title for c in content.charts] == [
        "Top codes of each facet"]
    deck = Presentation(io.BytesIO(shelf.deck()))
    assert len(deck.slides) == len(slide_titles(content))
    assert b"<!DOCTYPE html>" in shelf.html()[:20]
    # the chart's table: the SQL prevalence of the codes drawn, formula-escaped CSV
    _, chart, _ = shelf.charts[0]
    table = large_exports.chart_table(chart)
    assert table is not None
    spec = FilterSpec(cohorts=(COHORT,))
    with Store(store_path) as store:
        sql = queries.code_prevalence(store, EXPORTED, spec, None)
    drawn = table.set_index("code")
    for code in drawn.index:
        row = sql.set_index("code").loc[code]
        assert (int(drawn.loc[code, "n"]), int(drawn.loc[code, "total"])) == (
            int(row["n"]), int(row["total"]))
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(table)))
    assert csv["n"].tolist() == table["n"].tolist()


def test_large_participant_and_answer_exports_hold_the_sql_rows(
    open_app, store_path: Path, memory: AnalysisResult
) -> None:
    at = open_app("app_pages/quotes.py", project=EXPORTED)
    _ok(at)
    at.multiselect(key=state.WIDGET_PREFIX + state.F_COHORTS).set_value([COHORT]).run()
    labels = {b.label for b in at.get("download_button")}
    assert {"Participants CSV", "Answers CSV", "Both as XLSX"} <= labels
    shelf = at.session_state[report_downloads.SHELF]
    assert shelf.charts == []  # a page without charts: one SQL prevalence chart per facet
    assert [c.title for c in shelf.content(generated="2026-11-27").charts] == [
        "Triggers: share of participants", "Interaction patterns: share of participants",
        "Workplace culture: share of participants", "Outcomes: share of participants"]
    export = large_exports.LargeExport(store=None, project=EXPORTED, spec=shelf.spec,
                                       redact=False, topics=shelf.result.topics)
    result, view = memory, apply_filters(memory, shelf.spec)
    ctx = widgets.PageContext(
        project=state.ActiveProject(EXPORTED, shelf.result, "fp"), spec=shelf.spec,
        view=view, filters_text="", min_group_size=5, presentation=False)
    with Store(store_path) as store:
        export = dataclasses.replace(export, store=store)
        people = export.participants(ctx)
        answers = export.answers()
        assert export.n_answers() == len(answers) == len(view.segments)
    assert sorted(people["transcript_id"]) == sorted(view.participants["transcript_id"])
    assert list(people.columns[:4]) == ["transcript_id", "cohort", "occupation",
                                        "occupation_group"]
    counts = dict(zip(people["transcript_id"], people["n_codes"], strict=True))
    codes = [c for c in result.code_ids if c in view.participants.columns]
    expected = dict(zip(view.participants["transcript_id"],
                        view.participants[codes].sum(axis=1), strict=True))
    assert counts == expected
    assert list(answers.columns) == large_exports.ANSWER_EXPORT_COLUMNS
    memory = view.segments.sort_values(["transcript_id", "segment_index"])
    assert answers["answer"].tolist() == memory["answer"].tolist()
    book = pd.read_excel(io.BytesIO(to_xlsx_bytes({"coded answers": answers})), sheet_name=None)
    assert len(book["coded answers"]) == len(answers)


def test_answer_export_beyond_the_cap_points_to_the_cli(open_app, monkeypatch) -> None:
    monkeypatch.setattr(large_exports, "ANSWER_EXPORT_CAP", 10)
    at = open_app("app_pages/overview.py", project=EXPORTED)
    _ok(at)
    labels = {b.label for b in at.get("download_button")}
    assert "Answers CSV" not in labels and "Participants XLSX" in labels
    assert "CLI" in " ".join(str(c.value) for c in at.caption)


def _slide_texts(path: Path) -> list[list[str]]:
    deck = Presentation(str(path))
    return [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
            for slide in deck.slides]


def test_cli_report_of_a_large_project_equals_the_in_memory_deck(
    store_path: Path, memory: AnalysisResult, tmp_path: Path, capsys
) -> None:
    from analysis.bundle import save_result_dir
    from analysis.cli import main

    common = ["--cohort", COHORT, "--title", "Office", "--date", "2026-11-27"]
    assert main(["report", "--store", str(store_path), "--project", EXPORTED,
                 "--pptx", str(tmp_path / "large.pptx"), "--html", str(tmp_path / "large.html"),
                 *common]) == 0
    assert "6 of 12 participants, 4 charts" in capsys.readouterr().out
    save_result_dir(memory, tmp_path / "bundle")
    assert main(["report", "--bundle", str(tmp_path / "bundle"),
                 "--pptx", str(tmp_path / "small.pptx"), *common]) == 0
    large, small = _slide_texts(tmp_path / "large.pptx"), _slide_texts(tmp_path / "small.pptx")
    assert len(large) >= 1 + 1 + 4 + 1 and large == small
    assert (tmp_path / "large.html").read_bytes().startswith(b"<!DOCTYPE html>")


def test_a_project_still_being_analysed_is_not_recoded(tmp_path: Path, memory) -> None:
    with Store(tmp_path / "store.duckdb") as store:
        write_result_tables(store, "running", memory)
        with store.locked_connection() as con:
            con.execute("UPDATE scale_projects SET status = 'embedding' WHERE project = ?",
                        ["running"])
        before = len(_assignments(store, "running"))
        with pytest.raises(ValueError, match="still being analysed"):
            recode_streaming(store, "running", edited_codebook())
        assert len(_assignments(store, "running")) == before
