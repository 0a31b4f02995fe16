"""The app's "Slides & report" downloads: present on every analysis page, hidden when
presenting, and built from the charts on screen (or one per facet) for the filtered view."""

from __future__ import annotations

import io

from pptx import Presentation

from analysis.report.pptx_deck import build_deck, slide_titles
from tests.app import conftest as app_fixtures
from tests.app.test_pages import COHORT_WIDGET
from ui import state
from ui.report_downloads import SHELF, ReportShelf

LABELS = {"Slides (.pptx)", "HTML report"}

# The app tests' fixtures (an isolated store, the fixture project).
_isolated_store = app_fixtures._isolated_store
fixture_result = app_fixtures.fixture_result
open_app = app_fixtures.open_app


def _labels(at) -> set[str]:
    return {button.label for button in at.get("download_button")}


def test_facet_page_deck_holds_the_charts_on_screen_for_the_filtered_view(open_app) -> None:
    at = open_app("app_pages/triggers.py")
    assert _labels(at) >= LABELS
    at.multiselect(key=COHORT_WIDGET).set_value(["workforce"]).run()
    at.segmented_control(key=state.page_key("trigger", "split")).set_value(
        "Occupation group").run()
    assert not at.exception
    shelf = at.session_state[SHELF]
    assert isinstance(shelf, ReportShelf)
    assert [name for name, _, _ in shelf.charts] == [
        "trigger-prevalence", "trigger-by-occupation_group"]
    content = shelf.content(generated="2026-11-27")
    assert content.n_participants == 6 and content.filters_text == "Cohort: workforce"
    assert [c.title for c in content.charts] == [
        "Triggers: share of participants", "Triggers by occupation group"]
    assert content.charts[0].subtitle[0].startswith("Cohort: workforce · N = 6 of 12")
    assert "N = 6 participants · filters: Cohort: workforce" in content.charts[0].caption
    deck = Presentation(io.BytesIO(build_deck(content)))
    assert len(deck.slides) == len(slide_titles(content))
    assert "Triggers by occupation group" in slide_titles(content)
    assert b"<!DOCTYPE html>" in shelf.html()[:20]


def test_page_without_charts_reports_one_chart_per_facet(open_app) -> None:
    at = open_app("app_pages/quotes.py")
    assert _labels(at) >= LABELS
    shelf = at.session_state[SHELF]
    assert shelf.charts == []  # so the report falls back to one chart per facet
    content = shelf.content(generated="2026-11-27")
    assert [c.title for c in content.charts] == [
        "Triggers: share of participants", "Interaction patterns: share of participants",
        "Workplace culture: share of participants", "Outcomes: share of participants"]


def test_presentation_mode_offers_no_report_downloads(open_app) -> None:
    at = open_app("app_pages/overview.py")
    assert _labels(at) >= LABELS
    at.toggle(key=state.PRESENTATION).set_value(True).run()
    assert not _labels(at) & LABELS
    assert SHELF not in at.session_state


def test_with_redaction_on_the_report_quotes_the_redacted_text(open_app) -> None:
    at = open_app("app_pages/outcomes.py", **{state.REDACT: True})
    shelf = at.session_state[SHELF]
    answers = " ".join(shelf.result.segments["answer"])
    assert "http://tracker" not in answers and "[URL-1]" in answers
    captions = " ".join(c.value for c in at.caption)
    assert "before sharing the files" not in captions
    at.session_state[state.REDACT] = False
    at.run()
    assert "http://tracker" in " ".join(at.session_state[SHELF].result.segments["answer"])
    assert "before sharing the files" in " ".join(c.value for c in at.caption)
