"""Question × theme page: heatmaps by code facet and by topic, following the filters."""
# ruff: noqa: F811  (pytest fixtures are imported from tests.app.conftest by name)

from __future__ import annotations

from tests.insight.research_app import (  # noqa: F401 - pytest fixtures
    _isolated_store,
    chart_data,
    fixture_result,
    open_app,
    research_fixture,
)
from ui import state
from ui.cache import fingerprint

PAGE = "app_pages/questions.py"


def _open(open_app, result, **session):
    return open_app(PAGE, **{state.ACTIVE_RESULT: result,
                             state.ACTIVE_FINGERPRINT: fingerprint(result), **session})


def _chart_rows(at) -> list[dict]:
    data = chart_data(at)
    return data.drop_duplicates(["question_group", "column"]).to_dict("records")


def test_codes_heatmap_has_share_of_answers_per_question(open_app, research_fixture) -> None:
    at = _open(open_app, research_fixture)
    assert not at.exception, [e.value for e in at.exception]
    rows = _chart_rows(at)
    assert rows and {"question_group", "label", "n", "total", "share"} <= set(rows[0])
    segments = research_fixture.segments
    for row in rows[:10]:
        group = segments[segments["question_group"] == row["question_group"]]
        assert row["total"] == len(group)
        assert row["n"] == sum(row["column"] in c.split(";") for c in group["codes"])


def test_topics_and_cohort_filter(open_app, research_fixture) -> None:
    at = _open(open_app, research_fixture, **{state.F_COHORTS: ["creatives"]})
    at.segmented_control(key=state.page_key("questions", "themes")).set_value("Topics").run()
    assert not at.exception, [e.value for e in at.exception]
    rows = _chart_rows(at)
    creatives = set(research_fixture.participants.query("cohort == 'creatives'")["transcript_id"])
    in_view = research_fixture.segments[research_fixture.segments["transcript_id"].isin(creatives)]
    assert max(r["total"] for r in rows) <= len(in_view)
    assert all(r["label"].startswith("#") for r in rows)


def test_project_without_question_groups_says_so(open_app) -> None:
    at = open_app(PAGE)
    assert not at.exception
    assert any("Analyse it again" in i.value for i in at.info)
