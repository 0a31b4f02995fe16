"""Every page on the fixture project: runs, follows the filters, hides small groups, resets."""

from __future__ import annotations

import pytest

from ui import state

PAGES = [
    "app_pages/overview.py",
    "app_pages/upload.py",
    "app_pages/triggers.py",
    "app_pages/patterns.py",
    "app_pages/culture.py",
    "app_pages/outcomes.py",
    "app_pages/topics.py",
    "app_pages/compare.py",
    "app_pages/cooccurrence.py",
    "app_pages/quotes.py",
    "app_pages/participants.py",
    "app_pages/codebook.py",
]
COHORT_WIDGET = state.WIDGET_PREFIX + state.F_COHORTS


def filter_line(at) -> str:
    lines = [m.value for m in at.markdown if "participants**" in m.value]
    assert lines, "every analysis page states N participants and the filters"
    return lines[0]


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_fixture_project(open_app, page: str) -> None:
    at = open_app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    if page not in ("app_pages/upload.py", "app_pages/codebook.py"):
        assert filter_line(at).startswith("**12 of 12 participants**")


def test_charts_have_png_and_svg_downloads(open_app) -> None:
    at = open_app("app_pages/triggers.py")
    labels = [b.label for b in at.get("download_button")]
    assert "PNG" in labels and "SVG" in labels
    assert len(at.get("vega_lite_chart")) >= 1


def test_cohort_filter_changes_the_numbers_on_every_page(open_app) -> None:
    at = open_app()
    assert metric(at, "Participants") == "12"
    at.multiselect(key=COHORT_WIDGET).set_value(["creatives"]).run()
    assert metric(at, "Participants") == "4"
    assert filter_line(at) == "**4 of 12 participants** · Cohort\\: creatives"
    # the filter survives a page switch and applies there too
    at.switch_page("app_pages/participants.py").run()
    assert filter_line(at).startswith("**4 of 12 participants**")
    table = at.dataframe[0].value
    assert set(table["cohort"]) == {"creatives"}
    at.switch_page("app_pages/overview.py").run()
    assert metric(at, "Participants") == "4"


def test_code_and_keyword_filters(open_app) -> None:
    at = open_app()
    at.multiselect(key=state.WIDGET_PREFIX + state.F_CODES + ".culture").set_value(
        ["culture.restricted"]
    ).run()
    assert metric(at, "Participants") == "2"  # work_002 and work_005
    at.text_input(key=state.WIDGET_PREFIX + state.F_KEYWORD).set_value("patient").run()
    assert metric(at, "Participants") == "1"
    assert metric(at, "Answers") == "3"  # the participant's answers, not only the match


def test_reset_clears_every_filter(open_app) -> None:
    at = open_app()
    at.multiselect(key=COHORT_WIDGET).set_value(["workforce"]).run()
    at.text_input(key=state.WIDGET_PREFIX + state.F_KEYWORD).set_value("email").run()
    assert metric(at, "Participants") != "12"
    at.button(key="sidebar.reset").click().run()
    assert metric(at, "Participants") == "12"
    assert at.multiselect(key=COHORT_WIDGET).value == []
    assert at.text_input(key=state.WIDGET_PREFIX + state.F_KEYWORD).value == ""
    assert filter_line(at) == "**12 of 12 participants** · All participants"


def test_page_reset_button_appears_only_with_filters(open_app) -> None:
    at = open_app()
    assert not [b for b in at.button if b.key == "page.reset"]
    at.multiselect(key=COHORT_WIDGET).set_value(["creatives"]).run()
    at.button(key="page.reset").click().run()
    assert metric(at, "Participants") == "12"


def test_small_groups_are_hidden_with_a_note(open_app) -> None:
    at = open_app("app_pages/triggers.py")
    at.segmented_control(key=state.page_key("trigger", "split")).set_value("Cohort").run()
    notes = [c.value for c in at.caption if c.value.startswith("Hidden")]
    assert notes and "scientists (n=2)" in notes[0].replace("\\", "")
    at.number_input(key=state.WIDGET_PREFIX + state.MIN_GROUP_SIZE).set_value(2).run()
    assert not [c.value for c in at.caption if c.value.startswith("Hidden")]


def test_compare_page_ranks_differences_between_two_groups(open_app) -> None:
    at = open_app("app_pages/compare.py")
    # by cohort only workforce (6) reaches the default minimum of 5: nothing to compare
    assert any("Need two groups" in i.value for i in at.info)
    at = open_app("app_pages/compare.py", **{state.MIN_GROUP_SIZE: 4})
    assert at.selectbox(key=state.page_key("compare", "a")).value == "workforce"
    assert at.selectbox(key=state.page_key("compare", "b")).value == "creatives"
    diffs = at.dataframe[0].value
    assert list(diffs.columns[:2]) == ["label", "facet"]
    assert diffs["diff"].abs().is_monotonic_decreasing
    assert {"diff_ci_low", "diff_ci_high", "q_value"} <= set(diffs.columns)


def test_presentation_mode_hides_controls_and_keeps_filters(open_app) -> None:
    at = open_app("app_pages/triggers.py")
    at.multiselect(key=COHORT_WIDGET).set_value(["workforce"]).run()
    at.toggle(key=state.PRESENTATION).set_value(True).run()
    assert not at.get("download_button")
    assert not [m for m in at.multiselect if m.key == COHORT_WIDGET]
    assert filter_line(at).startswith("**6 of 12 participants**")
    at.toggle(key=state.PRESENTATION).set_value(False).run()
    assert at.multiselect(key=COHORT_WIDGET).value == ["workforce"]


def test_evidence_quotes_show_role_and_bold_evidence(open_app) -> None:
    at = open_app("app_pages/culture.py")
    at.selectbox(key=state.page_key("culture", "code")).set_value("culture.restricted").run()
    quotes = [m.value for m in at.markdown if "**" in m.value and "participants**" not in m.value]
    assert any("**Compliance blocked the public tools**" in q for q in quotes)
    assert any("financial analyst" in c.value for c in at.caption)


def test_participant_transcript_reader_marks_turns(open_app) -> None:
    at = open_app("app_pages/participants.py")
    at.selectbox(key=state.page_key("participants", "open")).set_value("sci_001").run()
    texts = [t.value for t in at.text]
    assert "I feed it a stack of papers and ask for the key findings." in texts
    assert any("Interviewer" in c.value for c in at.caption)
    assert any("coded" in c.value for c in at.caption)


def test_empty_state_without_a_project(monkeypatch, tmp_path) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP, TIMEOUT
    from ui import cache

    monkeypatch.setattr(cache, "DEMO_DIR", tmp_path / "no-demo")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.BOOTSTRAPPED] = True
    at.run()
    assert not at.exception
    assert any("No project is open" in i.value for i in at.info)
