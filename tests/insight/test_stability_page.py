"""Topics page stability badge: shown from run.json's stability, colour by ARI."""
# ruff: noqa: F811  (pytest fixtures are imported from tests.app.conftest by name)

from __future__ import annotations

from tests.insight.research_app import (  # noqa: F401 - pytest fixtures
    _isolated_store,
    fixture_result,
    open_app,
    research_fixture,
)
from ui import state
from ui.cache import fingerprint
from ui.research_view import stability_text


def test_badge_text_and_colour() -> None:
    assert stability_text({}) is None
    text, colour = stability_text({"stability": {"ari_median": 0.83, "ari_min": 0.8,
                                                 "topics_recurring_share": 0.7}})
    assert colour == "green" and "ARI 0.83" in text and "70% of topics recur" in text
    assert stability_text({"stability": {"ari_median": 0.5}})[1] == "orange"
    assert stability_text({"stability": {"ari_median": 0.1}})[1] == "red"


def test_topics_page_shows_the_badge(open_app, research_fixture) -> None:
    at = open_app("app_pages/topics.py", **{state.ACTIVE_RESULT: research_fixture,
                                        state.ACTIVE_FINGERPRINT: fingerprint(research_fixture)})
    assert not at.exception, [e.value for e in at.exception]
    page = " ".join(str(m.value) for m in at.markdown)
    assert "Topics stable: ARI 0.83 (min 0.79), 70% of topics recur" in page
    assert any("3 re\\-runs" in c.value or "3 re-runs" in c.value for c in at.caption)


def test_topics_page_without_stability(open_app) -> None:
    at = open_app("app_pages/topics.py")
    assert not at.exception
    assert any("not measured" in c.value for c in at.caption)
