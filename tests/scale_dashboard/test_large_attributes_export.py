"""Metadata attributes as chart groups, and the Participants export, of a large project.

The demo project gets metadata the way ``--metadata`` gives it (a CSV read by
``read_metadata``, attached by ``apply_metadata``, turned into ``attr.*`` columns by
``transcripts_frame`` and joined onto the participants as the pipeline does), and is then
written to the scale tables with ``write_result_tables``. Every SQL table split by an
attribute must equal the in-memory aggregate of the same result, and the pages must show
the in-memory numbers.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.aggregates import group_differences, prevalence_by_group, topic_by_group
from analysis.bundle import load_result_dir
from analysis.export import to_csv_bytes, to_xlsx_bytes
from analysis.filters import FilterSpec, apply_filters
from analysis.ingest.metadata import apply_metadata, read_metadata
from analysis.ingest.tables import transcripts_frame
from analysis.records import IngestResult, Transcript
from analysis.results import AnalysisResult
from analysis.scale import attributes, queries
from analysis.scale import participant_views as pv
from analysis.scale.convert import write_result_tables
from analysis.scale.db import query_frame
from analysis.store import Store
from analysis.tables import PARTICIPANTS_BASE_COLUMNS
from tests.scale_dashboard.conftest import open_large_project
from tests.scale_dashboard.parity import same_frame
from ui import large_exports, large_pages, state, widgets
from ui.sidebar import attribute_columns, is_group_column

DEMO = Path(__file__).resolve().parents[2] / "demo" / "project"
LARGE = "Demo with metadata"
SENIORITY = ("junior", "senior", "lead")
ATTRS = ["attr.seniority", "attr.team", "attr.work/site"]
"""The groupable attributes: ``badge`` is unique per person, so never a group."""
SPECS = [
    FilterSpec(),
    FilterSpec(cohorts=("workforce", "creatives")),
    FilterSpec(codes=("outcome.saves_time",)),
    FilterSpec(topics=(0, 1), keyword="the"),
    FilterSpec(cohorts=("workforce",), attributes=(("attr.seniority", ("junior", "lead")),)),
]


def _metadata_csv(ids: list[str]) -> bytes:
    """Seniority, team, site and a badge per participant; every 7th has no row at all
    (the "Unknown" group), some have an empty team cell."""
    lines = ["participant_id,Seniority,Team,Work/site,Badge"]
    for i, tid in enumerate(ids):
        if i % 7 == 3:
            continue
        team = "" if i % 11 == 5 else ("Ops" if i % 2 else "Research")
        site = ("remote", "office", "=HYPERLINK(\"x\")")[i % 3 if i % 5 else 1]
        lines.append(f"{tid},{SENIORITY[i % 3]},{team},{site},B{i:03d}")
    return "\n".join(lines).encode()


def _with_metadata(result: AnalysisResult) -> AnalysisResult:
    ids = [str(t) for t in result.transcripts["transcript_id"]]
    cohorts = dict(zip(ids, result.transcripts["cohort"].astype(str), strict=True))
    stand_ins = IngestResult(transcripts=[
        Transcript(transcript_id=t, cohort=cohorts[t], source_file="", turns=[], attributes={})
        for t in ids])
    apply_metadata(stand_ins, read_metadata("meta.csv", _metadata_csv(ids)))
    found = transcripts_frame(stand_ins)
    attrs = found[["transcript_id", *[c for c in found.columns if c.startswith("attr.")]]]
    transcripts = result.transcripts.merge(attrs, on="transcript_id", how="left")
    participants = result.participants.merge(attrs, on="transcript_id", how="left")
    return dataclasses.replace(result, transcripts=transcripts, participants=participants)


@pytest.fixture(scope="module")
def memory() -> AnalysisResult:
    return _with_metadata(load_result_dir(DEMO))


@pytest.fixture(scope="module")
def store_path(memory: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attributes") / "store.duckdb"
    with Store(path) as store:
        write_result_tables(store, LARGE, memory)
    return path


@pytest.fixture(scope="module")
def store(store_path: Path):
    with Store(store_path) as opened:
        yield opened


# --- the tables -------------------------------------------------------------------------


def test_convert_writes_the_attributes_into_transcript_meta(store, memory) -> None:
    meta = query_frame(store, "SELECT transcript_id, position, attributes_json FROM "
                       "scale_transcript_meta WHERE project = ? ORDER BY position", [LARGE])
    ids = memory.transcripts["transcript_id"].astype(str).tolist()
    assert meta["transcript_id"].tolist() == ids
    assert meta["position"].tolist() == list(range(len(ids)))
    table = read_metadata("meta.csv", _metadata_csv(ids))
    stored = {t: json.loads(b) for t, b in
              zip(meta["transcript_id"], meta["attributes_json"], strict=True)}
    assert stored == {t: table.get(t, {}) for t in ids}
    assert stored[ids[3]] == {} and stored[ids[2]]["work/site"] == "=HYPERLINK(\"x\")"


def test_sql_offers_the_in_memory_attribute_columns(store, memory) -> None:
    stats = attributes.attribute_stats(store, LARGE)
    offered = [c for c, n, rows in stats.itertuples(index=False) if is_group_column(c, n, rows)]
    assert offered == attribute_columns(memory.participants) == ATTRS
    assert "attr.badge" in set(stats["column"])  # listed, but unique: not a group
    assert attributes.attribute_names(store, LARGE) == ["badge", "seniority", "team",
                                                        "work/site"]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_participant_table_carries_the_attributes(store, memory, spec: FilterSpec) -> None:
    view = apply_filters(memory, spec)
    frame = pv.participant_frame(store, LARGE, spec)
    columns = [*PARTICIPANTS_BASE_COLUMNS, *memory.code_ids, "attr.badge", *ATTRS]
    assert list(frame.columns) == columns
    assert len(frame) == view.n_participants > 0
    same_frame(frame, view.participants[columns].fillna(""))


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("column", ATTRS)
def test_grouped_tables_by_an_attribute_equal_the_in_memory_ones(
    store, memory, spec: FilterSpec, column: str
) -> None:
    view = apply_filters(memory, spec)
    for facet in (None, "outcome"):
        for size in (1, 5):
            mem = prevalence_by_group(view.participants, memory.codebook, column, facet,
                                      min_group_size=size)
            sql = queries.prevalence_by_group(store, LARGE, spec, column, facet,
                                              min_group_size=size)
            same_frame(sql.table, mem.table)
            assert sql.hidden == mem.hidden
    for size in (1, 5):
        same_frame(queries.topic_by_group(store, LARGE, spec, column, min_group_size=size),
              topic_by_group(view.segments, view.participants, column, min_group_size=size))
    labels = view.participants[column].fillna("").astype(str).str.strip().replace("", "Unknown")
    sizes = queries.group_sizes(store, LARGE, spec, column)
    assert sizes.to_dict() == labels.value_counts().to_dict()
    groups = prevalence_by_group(view.participants, memory.codebook, column,
                                 min_group_size=1).groups
    assert len(groups) >= 2
    for facet in (None, "pattern"):
        same_frame(pv.differences(store, LARGE, spec, column, groups[0], groups[-1], facet),
              group_differences(view.participants, memory.codebook, column, groups[0],
                                groups[-1], facet))


def test_an_attribute_name_is_bound_never_spliced(store) -> None:
    evil = "attr.x') OR 1=1; DROP TABLE scale_segments; --"
    sizes = queries.group_sizes(store, LARGE, FilterSpec(), evil)
    assert sizes.to_dict() == {"Unknown": 48}  # no such attribute: everyone is "Unknown"
    with pytest.raises(KeyError):
        queries.group_sizes(store, LARGE, FilterSpec(), "transcript_id")


# --- the pages --------------------------------------------------------------------------


@pytest.fixture
def open_page(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(store_path))

    def _open(page: str) -> AppTest:
        at = open_large_project(page, LARGE)
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


def test_compare_offers_an_attribute_and_shows_the_in_memory_numbers(open_page, memory
                                                                     ) -> None:
    at = open_page("app_pages/compare.py")
    picker = at.selectbox(key=state.page_key("compare", "groups"))
    assert list(picker.options) == ["Cohort", "Occupation group", "Seniority", "Team",
                                     "Work/site"]
    picker.set_value("Seniority").run()
    assert not at.exception, [e.value for e in at.exception]
    grouped = prevalence_by_group(memory.participants, memory.codebook, "attr.seniority",
                                  min_group_size=5)
    assert list(at.selectbox(key=state.page_key("compare", "a")).options) == grouped.groups
    at.selectbox(key=state.page_key("compare", "a")).set_value(grouped.groups[0])
    at.selectbox(key=state.page_key("compare", "b")).set_value(grouped.groups[1]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("vega_lite_chart")) == 2  # heatmap and gaps
    expected = group_differences(memory.participants, memory.codebook, "attr.seniority",
                                 grouped.groups[0], grouped.groups[1])
    shown = at.dataframe[0].value
    assert shown["label"].tolist() == expected["label"].tolist()
    for column in ("n_a", "total_a", "n_b", "total_b", "diff", "p_value"):
        pd.testing.assert_series_equal(shown[column].reset_index(drop=True),
                                       expected[column].reset_index(drop=True),
                                       check_dtype=False, check_names=False)


def test_the_sidebar_filters_a_large_project_by_an_attribute(open_page, memory) -> None:
    at = open_page("app_pages/overview.py")
    key = state.WIDGET_PREFIX + state.F_ATTRIBUTES + ".attr.seniority"
    picker = at.multiselect(key=key)
    assert picker.label == "Seniority" and list(picker.options) == sorted(SENIORITY)
    picker.set_value(["senior"]).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = FilterSpec(attributes=(("attr.seniority", ("senior",)),))
    expected = apply_filters(memory, spec).n_participants
    assert 0 < expected < len(memory.participants)
    shown = [m.value for m in at.metric if m.label == "Participants"]
    assert shown and str(expected) in str(shown[0]), shown


def test_participants_page_exports_every_participant_in_view(
    open_page, memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Callable[[], bytes]] = {}  # the download buttons' data callables
    audited = large_exports.audited_export

    def recording(name: str, build: Callable[[], bytes]) -> Callable[[], bytes]:
        served[name] = audited(name, build)
        return served[name]

    monkeypatch.setattr(large_exports, "audited_export", recording)
    at = open_page("app_pages/participants.py")
    at.multiselect(key=state.WIDGET_PREFIX + state.F_COHORTS).set_value(
        ["workforce", "scientists"]).run()
    assert not at.exception, [e.value for e in at.exception]
    labels = {b.label for b in at.get("download_button")}
    assert {"Participants CSV", "Answers CSV", "Both as XLSX"} <= labels
    assert large_pages.EXPORT_NOTE not in " ".join(str(c.value) for c in at.caption)
    spec = FilterSpec(cohorts=("workforce", "scientists"))
    view = apply_filters(memory, spec)
    ctx = widgets.PageContext(
        project=state.ActiveProject(LARGE, memory, "fp"), spec=spec, view=view,
        filters_text="", min_group_size=5, presentation=False)
    expected = widgets.participants_table(ctx)  # what the small project's page exports
    assert view.n_participants == len(expected) > 30  # more than one page of the table
    assert list(expected.columns)[-4:] == ["attr.badge", *ATTRS]
    csv = served["participants.csv"]()
    assert csv == to_csv_bytes(expected)  # the same bytes, formula cells escaped
    sites = set(pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)["attr.work/site"])
    assert "'=HYPERLINK(\"x\")" in sites and "=HYPERLINK(\"x\")" not in sites
    book = pd.read_excel(io.BytesIO(served["interview_lens.xlsx"]()), sheet_name=None,
                         dtype=str, keep_default_na=False)
    mine = pd.read_excel(io.BytesIO(to_xlsx_bytes({"participants": expected})),
                         sheet_name="participants", dtype=str, keep_default_na=False)
    assert book["participants"].equals(mine)
    assert len(book["coded answers"]) == len(view.segments)


def test_attribute_values_are_redacted_per_participant_when_the_switch_is_on() -> None:
    from ui.large_participant_pages import redact_attributes

    table = pd.DataFrame({"transcript_id": ["a", "b"], "codes": ["x@y.org", ""],
                          "attr.contact": ["sam@example.org", "lee@example.org"],
                          "attr.team": ["Ops", "Ops"]})
    out = redact_attributes(table)
    assert out["attr.contact"].tolist() == ["[EMAIL-1]", "[EMAIL-1]"]  # one scope each
    assert out["attr.team"].tolist() == ["Ops", "Ops"]
    assert out["codes"].tolist() == ["x@y.org", ""]  # code labels are not participant text
    assert table["attr.contact"].iloc[0] == "sam@example.org"  # the cached copy untouched
