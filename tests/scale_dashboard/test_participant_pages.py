"""Participant-level pages of a large project show the in-memory project's numbers.

The demo project is written into the scale tables (``write_result_tables``); every table
of Compare groups, Findings, Paper parity, the Economic Index lens, Saturation and
Participants built from SQL (``analysis.scale.participant_views``) must equal the
in-memory builders on the same result, and each page must render them for the open
large project.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analysis.aggregates import group_differences, prevalence_by_group
from analysis.bundle import load_result_dir
from analysis.econ_index import econ_table
from analysis.filters import FilterSpec, apply_filters
from analysis.findings import build_findings
from analysis.parity import parity_table
from analysis.results import AnalysisResult
from analysis.saturation import last_new_share, saturation_table
from analysis.scale import participant_views as pv
from analysis.scale.convert import write_result_tables
from analysis.store import Store
from analysis.tables import PARTICIPANTS_BASE_COLUMNS
from tests.scale_dashboard.conftest import open_large_project
from tests.scale_dashboard.parity import same_frame
from ui import large_project, state

DEMO = Path(__file__).resolve().parents[2] / "demo" / "project"
LARGE = "Demo as a large project"
PUBLIC = "Demo with the public dataset's ids"
SPECS = [
    FilterSpec(),
    FilterSpec(cohorts=("workforce", "creatives")),
    FilterSpec(codes=("outcome.saves_time",)),
    FilterSpec(topics=(0, 1), keyword="the"),
]
PREFIX = {"workforce": "work", "creatives": "creativity", "scientists": "science"}


def _public_ids(result: AnalysisResult) -> AnalysisResult:
    """The result with ids in the public Anthropic Interviewer pattern (work_0001...)."""
    people = result.participants
    new = {tid: f"{PREFIX[cohort]}_{i:04d}" for i, (tid, cohort) in
           enumerate(zip(people["transcript_id"], people["cohort"], strict=True), start=1)}
    frames = {}
    for name in ("transcripts", "turns", "segments", "participants", "assignments"):
        frame = getattr(result, name).copy()
        frame["transcript_id"] = frame["transcript_id"].map(new)
        frames[name] = frame
    return dataclasses.replace(result, **frames)


@pytest.fixture(scope="module")
def demo() -> AnalysisResult:
    return load_result_dir(DEMO)


@pytest.fixture(scope="module")
def store_path(demo: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("participant_pages") / "store.duckdb"
    with Store(path) as store:
        write_result_tables(store, PUBLIC, _public_ids(demo))
        write_result_tables(store, LARGE, demo)
    return path


@pytest.fixture(scope="module")
def store(store_path: Path):
    with Store(store_path) as opened:
        yield opened


# --- the tables -------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_participant_table_is_the_in_memory_one(store, demo, spec: FilterSpec) -> None:
    view = apply_filters(demo, spec)
    frame = pv.participant_frame(store, LARGE, spec)
    columns = [*PARTICIPANTS_BASE_COLUMNS, *demo.code_ids]
    assert list(frame.columns) == columns
    assert len(frame) == view.n_participants > 0
    same_frame(frame, view.participants[columns].fillna(""))


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_insight_tables_equal_the_in_memory_ones(store, demo, spec: FilterSpec) -> None:
    view = apply_filters(demo, spec)
    mem = build_findings(view, demo.codebook, demo.topics, min_group_size=3)
    sql = pv.large_findings(store, LARGE, spec, min_group_size=3)
    assert sql.n_answers == mem.n_answers == len(view.segments)
    same_frame(sql.to_frame(), mem.to_frame())  # sentences, numbers, quote references
    assert [f.quotes for f in sql.findings] == [f.quotes for f in mem.findings]
    assert any(f.quotes for f in sql.findings) and any(f.kind == "topic" for f in sql.findings)
    same_frame(pv.econ(store, LARGE, spec, min_group_size=3),
          econ_table(view.participants, view.segments, view.assignments, min_group_size=3))
    same_frame(pv.saturation(store, LARGE, spec, n_orders=5),
          saturation_table(view.participants, view.segments, demo.code_ids, n_orders=5))
    for column in ("cohort", "occupation_group"):
        groups = prevalence_by_group(view.participants, demo.codebook, column,
                                     min_group_size=1).groups
        for facet in (None, "pattern"):
            same_frame(pv.differences(store, LARGE, spec, column, groups[0], groups[-1], facet),
                  group_differences(view.participants, demo.codebook, column, groups[0],
                                    groups[-1], facet))


def test_parity_over_the_whole_project_when_the_ids_are_the_public_datasets(store, demo
                                                                            ) -> None:
    assert not pv.detected(store, LARGE)
    assert pv.detected(store, PUBLIC)
    public = _public_ids(demo)
    table = pv.parity(store, PUBLIC)
    same_frame(table, parity_table(public.participants))
    assert table["n"].notna().sum() > 5


def test_one_participants_answers_in_order_with_their_codes(store, demo) -> None:
    tid = str(demo.participants["transcript_id"].iloc[3])
    answers = pv.transcript_answers(store, LARGE, tid)
    mine = demo.segments[demo.segments["transcript_id"] == tid].sort_values("segment_index")
    assert answers["answer"].tolist() == mine["answer"].tolist()
    assert answers["question"].tolist() == mine["question"].tolist()
    labels = dict(zip(demo.codebook["code"], demo.codebook["label"], strict=True))
    order = {code: i for i, code in enumerate(demo.codebook["code"])}
    coded = demo.assignments[demo.assignments["transcript_id"] == tid]
    expected = {int(i): "; ".join(labels[c] for c in sorted(set(g["code"]), key=order.get))
                for i, g in coded.groupby("segment_index")}
    shown = dict(zip(answers["segment_index"], answers["codes"], strict=True))
    assert {i: c for i, c in shown.items() if c} == expected and expected


# --- the pages --------------------------------------------------------------------------


@pytest.fixture
def open_page(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """``open_page("app_pages/compare.py")``: the app with the demo's large project open."""
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(store_path))

    def _open(page: str, project: str = LARGE) -> AppTest:
        at = open_large_project(page, project)
        assert at.session_state[state.ACTIVE_PROJECT] == project
        assert not at.exception, [e.value for e in at.exception]
        assert not any(large_project.NOT_AVAILABLE in str(i.value) for i in at.info)
        return at

    return _open


def _text(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption])


def test_compare_page_heatmap_and_differences(open_page, demo) -> None:
    at = open_page("app_pages/compare.py")
    assert len(at.get("vega_lite_chart")) == 2  # heatmap and gaps
    groups = prevalence_by_group(demo.participants, demo.codebook, "cohort",
                                 min_group_size=5).groups
    expected = group_differences(demo.participants, demo.codebook, "cohort", groups[0],
                                 groups[1])
    shown = at.dataframe[0].value
    assert shown["label"].tolist() == expected["label"].tolist()
    for column in ("n_a", "total_a", "n_b", "total_b"):
        assert shown[column].tolist() == expected[column].tolist()
    np.testing.assert_allclose(shown["p_value"], expected["p_value"])


def test_findings_page_writes_the_in_memory_summary(open_page, demo) -> None:
    at = open_page("app_pages/findings.py")
    mem = build_findings(apply_filters(demo, FilterSpec()), demo.codebook, demo.topics,
                         filters="All participants", min_group_size=5)
    table = at.dataframe[0].value
    expected = mem.to_frame().drop(columns=["sentence"])
    assert table["subject"].tolist() == expected["subject"].tolist()
    assert table["n"].tolist() == expected["n"].tolist()
    assert table["quotes"].tolist() == expected["quotes"].tolist()
    assert len(at.markdown) >= len(mem.findings)


def test_parity_page_for_the_public_ids(open_page, demo) -> None:
    at = open_page("app_pages/parity.py", PUBLIC)
    shown = at.dataframe[0].value
    expected = parity_table(_public_ids(demo).participants)
    assert shown["figure"].tolist() == expected["figure"].tolist()
    assert shown["n"].astype("Int64").tolist() == expected["n"].tolist()


def test_econ_page_counts_per_subtype(open_page, demo) -> None:
    at = open_page("app_pages/econ_index.py")
    assert len(at.get("vega_lite_chart")) == 1
    econ = econ_table(demo.participants, demo.segments, demo.assignments)
    mine = econ[(econ["dimension"] == "all") & (econ["measure"] == "task_iteration")]
    wide = at.dataframe[0].value
    assert int(wide["participants"].iloc[0]) == len(demo.participants)
    assert int(wide["Task Iteration"].iloc[0]) == int(mine["n"].iloc[0])


def test_saturation_page_caption_from_the_in_memory_curve(open_page, demo) -> None:
    at = open_page("app_pages/saturation.py")
    assert len(at.get("vega_lite_chart")) == 1
    table = saturation_table(demo.participants, demo.segments, demo.code_ids, n_orders=20)
    curve = table[(table["kind"] == "code") & (table["threshold"] == 1)
                  & (table["cohort"] == "All participants")]
    share = last_new_share(curve)
    total = int(curve["total"].iloc[0])
    assert f"the last 10 interviews added {share:.0%} of the {total} codes found" in (
        _text(at).replace("\\", ""))


def test_participants_page_pages_and_reads_one_transcript(open_page, demo, monkeypatch) -> None:
    from ui import large_participant_pages

    monkeypatch.setattr(large_participant_pages, "PEOPLE_PER_PAGE", 20)
    at = open_page("app_pages/participants.py")
    ids = demo.participants["transcript_id"].tolist()
    assert f"{len(ids):,} participant(s)" in _text(at)
    assert at.dataframe[0].value["transcript_id"].tolist() == ids[:20]
    at.number_input(key=state.page_key("participants", "page")).set_value(3).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["transcript_id"].tolist() == ids[40:]  # the last page
    heading = [str(m.value) for m in at.markdown if " · " in str(m.value)][-1]
    tid = heading.split(" · ")[0].replace("\\", "")  # the participant being read
    assert tid in ids[40:]  # picked from the page shown
    answers = demo.segments[demo.segments["transcript_id"] == tid].sort_values("segment_index")
    assert f"{len(answers)} answers;" in _text(at)
    texts = [t.value for t in at.text]  # the answers, and the sidebar's project name
    expected = answers["answer"].tolist()
    first = texts.index(expected[0])
    assert texts[first: first + len(expected)] == expected
    at.text_input(key=state.page_key("participants", "find")).input("scientists").run()
    assert not at.exception
    scientists = int((demo.participants["cohort"] == "scientists").sum())
    assert f"{scientists:,} participant(s)" in _text(at)
    assert set(at.dataframe[0].value["cohort"]) == {"scientists"}


# --- a project of 17,200 participants (the synthetic one of ``conftest``) -------------------


def test_saturation_curves_are_thinned_for_drawing_with_values_unchanged(demo) -> None:
    table = saturation_table(demo.participants, demo.segments, demo.code_ids, n_orders=3)
    thin = pv.thin_curves(table, points=60, keep_last=10)
    curves = ["cohort", "kind", "threshold"]
    merged = thin.merge(table, on=[*curves, "n_interviews"], suffixes=("", "_full"))
    assert len(merged) == len(thin) < len(table)
    np.testing.assert_allclose(merged["median_cumulative"], merged["median_cumulative_full"])
    for key, part in thin.groupby(curves):
        full = table.set_index(curves).loc[key]
        assert part["n_interviews"].iloc[0] == 1
        assert part["n_interviews"].tail(10).tolist() == full["n_interviews"].tail(10).tolist()
        assert last_new_share(part) == last_new_share(full.reset_index())
    cohorts = table["cohort"].nunique()
    assert thin.groupby(["kind", "threshold"]).size().max() <= 60 + 10 * cohorts


@pytest.mark.parametrize("page", ["app_pages/compare.py", "app_pages/findings.py",
                                  "app_pages/parity.py", "app_pages/econ_index.py",
                                  "app_pages/saturation.py", "app_pages/participants.py"])
def test_pages_render_for_a_project_of_17k_participants(open_large, page) -> None:
    at = open_large(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not any(large_project.NOT_AVAILABLE in str(i.value) for i in at.info)
    if page == "app_pages/participants.py":
        assert "17,200 participant(s)" in _text(at)
        assert len(at.dataframe[0].value) == 50  # one page of the table
    if page == "app_pages/saturation.py":  # thinned: under Altair's 5,000-row limit
        assert len(at.get("vega_lite_chart")) == 1


def test_finding_quotes_are_redacted_per_participant_on_display() -> None:
    from analysis.findings import Finding, Findings, Quote
    from ui import large_participant_pages

    quote = Quote(transcript_id="a", segment_index=2, text="Mail me at sam@example.org",
                  role="Nurse (Healthcare)", cohort="workforce")
    found = Findings(n_participants=1, n_answers=1, filters="All participants", findings=[
        Finding(kind="top_code", section="codes", sentence="s", subject="c", label="l",
                quotes=(quote,))])
    out = large_participant_pages._redact_quotes(found)
    assert out.findings[0].quotes[0].text == "Mail me at [EMAIL-1]"
    assert out.findings[0].quotes[0].ref == "a#2"
    assert found.findings[0].quotes[0].text.endswith("example.org")  # the cached copy
