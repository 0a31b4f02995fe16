"""Every SQL aggregate equals its in-memory counterpart on the fixture and demo projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.bundle import load_result_dir
from analysis.filters import FilterSpec, apply_filters
from analysis.scale import queries
from analysis.scale.convert import write_result_tables
from analysis.store import Store
from tests.app.fixture_result import build_result
from tests.scale_dashboard.parity import check_all

DEMO = Path(__file__).resolve().parents[2] / "demo" / "project"

FIXTURE_SPECS = [
    FilterSpec(),
    FilterSpec(cohorts=("workforce",)),
    FilterSpec(occupation_groups=("Sales and Related", "Computer and Mathematical")),
    FilterSpec(codes=("trigger.technical_problem", "outcome.saves_time")),
    FilterSpec(topics=(0, 3), keyword="Prompt"),
    FilterSpec(cohorts=("workforce",), codes=("culture.peer_sharing",), keyword="prompts"),
    FilterSpec(keyword="no such words anywhere"),
]
DEMO_SPECS = [
    FilterSpec(),
    FilterSpec(occupation_groups=("Unclear", "Computer and Mathematical")),
    FilterSpec(codes=("outcome.saves_time", "pattern.verification")),
    FilterSpec(topics=(1, 4), keyword="  CHECK "),
    FilterSpec(keyword="deadline"),
    FilterSpec(cohorts=("workforce", "creatives"), topics=(0,), keyword="the"),
]


@pytest.fixture(scope="module")
def fixture_store():
    result = build_result()
    with Store(":memory:") as store:
        write_result_tables(store, "fixture", result)
        yield store, result


@pytest.fixture(scope="module")
def demo_store():
    result = load_result_dir(DEMO)
    with Store(":memory:") as store:
        write_result_tables(store, "demo", result)
        write_result_tables(store, "other", build_result())  # rows of another project
        yield store, result


@pytest.mark.parametrize("spec", FIXTURE_SPECS, ids=str)
def test_fixture_tables_equal_pandas(fixture_store, spec: FilterSpec) -> None:
    store, result = fixture_store
    n = check_all(store, "fixture", result, spec)
    assert n == 0 if spec.keyword == "no such words anywhere" else n > 0


@pytest.mark.parametrize("spec", DEMO_SPECS, ids=str)
def test_demo_tables_equal_pandas(demo_store, spec: FilterSpec) -> None:
    store, result = demo_store
    assert check_all(store, "demo", result, spec) > 0


def test_filter_options_count_participants_and_answers(demo_store) -> None:
    store, result = demo_store
    options = queries.filter_options(store, "demo")
    cohorts = result.participants["cohort"].value_counts()
    assert dict(zip(options["cohort"]["value"], options["cohort"]["n"], strict=True)) == {
        str(k): int(v) for k, v in cohorts.items()}
    assert list(options["cohort"]["value"]) == sorted(cohorts.index)
    topics = result.segments["topic_id"].value_counts()
    assert dict(zip(options["topic"]["value"], options["topic"]["n"], strict=True)) == {
        int(k): int(v) for k, v in topics.items()}
    assert list(options["code"]["value"]) == list(result.codebook["code"])
    flags = result.participants[result.code_ids].sum()
    assert options["code"]["n"].tolist() == [int(flags[c]) for c in result.code_ids]


def test_projects_do_not_leak_into_each_other(demo_store) -> None:
    store, _ = demo_store
    listed = queries.scale_projects(store)
    assert set(listed["project"]) == {"demo", "other"}
    assert queries.overview(store, "other", FilterSpec()).n_participants == 12
    assert queries.overview(store, "demo", FilterSpec()).n_participants == 48
    assert queries.overview(store, "missing", FilterSpec()).n_participants == 0
    assert queries.project_revision(store, "missing") is None
    assert queries.project_revision(store, "demo")


def test_rewriting_a_project_replaces_its_rows(fixture_store) -> None:
    store, result = fixture_store
    before = queries.project_revision(store, "fixture")
    write_result_tables(store, "fixture", result)
    assert queries.overview(store, "fixture", FilterSpec()).n_answers == len(result.segments)
    assert queries.project_revision(store, "fixture") >= before


def test_evidence_pages_are_disjoint_and_ordered(demo_store) -> None:
    store, _ = demo_store
    spec = FilterSpec(keyword="time")  # matching answers first, then the rest
    code = "outcome.saves_time"
    total = queries.count_evidence(store, "demo", spec, code)
    assert total > 12
    pages = [queries.evidence_for_code(store, "demo", spec, code, limit=5, offset=o)
             for o in range(0, total + 5, 5)]
    assert all(len(p) == 5 for p in pages[:-2]) and pages[-1].empty
    keys = [(r.transcript_id, r.segment_index) for p in pages for r in p.itertuples()]
    assert len(keys) == len(set(keys)) == total
    whole = queries.evidence_for_code(store, "demo", spec, code, limit=total)
    assert keys == list(zip(whole["transcript_id"], whole["segment_index"], strict=True))


def test_topic_quote_pages_lead_with_matches(demo_store) -> None:
    store, _ = demo_store
    spec = FilterSpec(keyword="code")
    total = queries.count_topic_answers(store, "demo", spec, 1)
    pages = [queries.topic_quotes(store, "demo", spec, 1, limit=4, offset=o)
             for o in range(0, total, 4)]
    rows = [r for p in pages for r in p.itertuples()]
    assert len(rows) == total == len({(r.transcript_id, r.segment_index) for r in rows})
    matches = [bool(r.match) for r in rows]
    assert matches == sorted(matches, reverse=True) and any(matches)
    assert all(("code" in r.answer.lower()) == r.match for r in rows)
    assert all(r.occupation_group for r in rows)


def test_answer_pages_match_the_quotes_list(fixture_store) -> None:
    store, result = fixture_store
    spec = FilterSpec(cohorts=("workforce",))
    wanted = result.segments[result.segments["transcript_id"].str.startswith("work_")]
    assert queries.count_answers(store, "fixture", spec) == len(wanted)
    page = queries.answers_page(store, "fixture", spec, limit=4, offset=4)
    ordered = wanted.sort_values(["transcript_id", "segment_index"]).iloc[4:8]
    assert page["answer"].tolist() == ordered["answer"].tolist()
    first = page.iloc[0]
    row = ordered.iloc[0]
    labels = dict(zip(result.codebook["code"], result.codebook["label"], strict=True))
    codes = [c for c in result.code_ids if c in row["codes"].split(";")]
    assert first["codes"] == "; ".join(labels[c] for c in codes)
    assert first["topic"] == row["topic_label"]
    assert first["occupation"] and first["cohort"] == "workforce"
    coded = queries.answers_page(store, "fixture", spec, code="pattern.verification",
                                 search="CHECK", limit=50)
    assert set(coded["transcript_id"]) == {"work_002", "work_005"}
    assert coded["evidence"].str.contains("check", case=False).all()
    assert queries.count_answers(store, "fixture", spec, code="pattern.verification",
                                 search="check") == 2


@pytest.mark.parametrize("spec", [
    FilterSpec(attributes=(("attr.seniority", ("senior",)),)),
    FilterSpec(attributes=(("attr.seniority", ("senior", "junior")),), codes=("trigger.wording",)),
    FilterSpec(attributes=(("attr.seniority", ("nobody has this",)),)),
], ids=str)
def test_attribute_filters_equal_the_in_memory_ones(fixture_store, spec: FilterSpec) -> None:
    store, result = fixture_store
    n = check_all(store, "fixture", result, spec)
    assert n == apply_filters(result, spec).n_participants
    if spec.attributes[0][1] == ("senior",):
        assert 0 < n < len(result.participants)  # the filter really narrows the view


def test_group_columns_are_an_allow_list(fixture_store) -> None:
    store, _ = fixture_store
    with pytest.raises(KeyError):
        queries.prevalence_by_group(store, "fixture", FilterSpec(), "cohort; DROP TABLE x")
