"""One click in the real app: the "Slides & report" popover downloads a deck holding the
charts on screen and a self-contained HTML report (live server, Debian chromium)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from pptx import Presentation

from tests.browser import conftest as browser_fixtures
from tests.browser.test_e2e import go_to, wait_idle
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

app_url = browser_fixtures.app_url
browser = browser_fixtures.browser
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "browser" / "report"
DOWNLOAD_TIMEOUT_MS = 90_000


def _download(page: Any, label: str, target: Path) -> bytes:
    page.get_by_role("button", name=re.compile("Slides & report")).click()
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label)
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        button.first.locator("button").click()
    download.value.save_as(str(target))
    page.keyboard.press("Escape")
    return target.read_bytes()


def test_slides_and_report_download_from_the_app(app_url: str, browser: Any,
                                                 tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(app_url)
        wait_idle(page, 90_000)
        go_to(page, "Triggers")
        deck_bytes = _download(page, "Slides (.pptx)", tmp_path / "deck.pptx")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.get_by_role("button", name=re.compile("Slides & report")).click()
        page.screenshot(path=str(ARTIFACTS / "app-slides-popover.png"))
        page.keyboard.press("Escape")
        report = _download(page, "HTML report", tmp_path / "report.html").decode("utf-8")
    finally:
        context.close()
    slides = Presentation(io.BytesIO(deck_bytes)).slides
    titles = [next((s.text_frame.text for s in slide.shapes
                    if s.has_text_frame and s.text_frame.text), "") for slide in slides]
    assert titles[0] == "Demo (synthetic)" and titles[1] == "Findings"
    charts = [t for t in titles if t.endswith("share of participants")]
    assert charts == ["Triggers: share of participants"]  # the one chart on screen
    assert sum(t.startswith("Quotes: ") for t in titles) == 4
    tree = html.document_fromstring(report)
    assert tree.findtext(".//h1") == "Demo (synthetic)"
    assert "N = 48 of 48 participants" in tree.text_content()
    assert not list(tree.iter("script"))
