"""The whole app in a real browser: demo on first open, filters, upload, analyse, PNG export.

One long test on purpose: the first analysis in a fresh server pays ~25 s of numba JIT
(UMAP), so every check that needs an analysed upload shares that one run. Full-page
screenshots of every page land in ``tests/artifacts/browser/e2e/`` for a human to look at.
"""

from __future__ import annotations

import re
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

UPLOADS = sorted((FIXTURES / "browser").glob("*.txt"))
DEMO_PARTICIPANTS = 48
UPLOAD_PROJECT = "Browser test upload"
EXPLORE_PAGES = [
    "Overview",
    "Triggers",
    "Interaction patterns",
    "Workplace culture",
    "Outcomes",
    "Topics",
    "Compare groups",
    "Co-occurrence",
    "Quotes",
    "Participants",
    "Codebook",
]
CHART_PAGES = set(EXPLORE_PAGES[:8])
"""Pages whose first view shows at least one chart (Overview ... Co-occurrence)."""
ANALYSIS_TIMEOUT_MS = 240_000
STEP_TIMEOUT_MS = 30_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def wait_idle(page: Any, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the current script run (and elements settled)."""
    page.wait_for_timeout(400)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )
    page.wait_for_timeout(300)


def metric_value(page: Any, label: str) -> Any:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return metric.locator('[data-testid="stMetricValue"]').first


def go_to(page: Any, title: str) -> None:
    """Click a page in the sidebar navigation (a URL change would start a new session)."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in more.first.inner_text().lower():
        more.first.click()
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(
        has_text=re.compile(rf"{re.escape(title)}\s*$")
    )
    link.first.click()
    wait_idle(page)


_CONTENT_HEIGHT_JS = """() => Math.max(
    ...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]', 'body']
        .map((sel) => document.querySelector(sel))
        .filter(Boolean)
        .map((el) => el.scrollHeight))"""


def shoot(page: Any, folder: Path, name: str) -> Path:
    """Full-page screenshot of the whole app, not just the first screen.

    Streamlit scrolls inside its main container, so Playwright's ``full_page`` alone
    would stop at the viewport: grow the viewport to the content height first.
    """
    path = folder / f"{name}.png"
    viewport = page.viewport_size
    height = int(page.evaluate(_CONTENT_HEIGHT_JS))
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, 600), 16000)})
    page.wait_for_timeout(700)  # charts re-layout to the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path


def page_errors(page: Any) -> list[str]:
    """Texts of Streamlit exception boxes on the page (there should be none)."""
    boxes = page.locator('[data-testid="stException"]')
    return [boxes.nth(i).inner_text()[:300] for i in range(boxes.count())]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk; fails on anything that is not a PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG signature"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13, "first chunk is not IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


class StepTimer:
    """Seconds per step, printed at the end so a slow CI run shows where time went."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.steps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = round(now - self.started, 1)
        self.started = now


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def test_demo_upload_analyse_filter_download(
    app_url: str, browser: Any, artifacts_dir: Path, tmp_path: Path
) -> None:
    expect = _expect()
    for old in artifacts_dir.glob("*.png"):
        old.unlink()
    assert 3 <= len(UPLOADS) <= 6, "the browser fixtures folder should hold 3-6 transcripts"
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    errors: dict[str, list[str]] = {}
    timer = StepTimer()
    try:
        # 1. A fresh server opens on the bundled demo project.
        page.goto(app_url)
        wait_idle(page, 90_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("Demo (synthetic)")
        expect(metric_value(page, "Participants")).to_have_text(str(DEMO_PARTICIPANTS))

        timer.lap("open demo")

        # 2. Every page of the demo renders without an exception; screenshot each.
        for number, title in enumerate(EXPLORE_PAGES, start=1):
            go_to(page, title)
            errors[title] = page_errors(page)
            if title in CHART_PAGES:  # a drawn chart, not just an empty chart frame
                drawn = page.locator('[data-testid="stVegaLiteChart"]').locator("canvas, svg")
                expect(drawn.first).to_be_visible()
            shoot(page, artifacts_dir, f"demo-{number:02d}-{_slug(title)}")

        timer.lap("demo pages")

        # 3. A sidebar filter changes the visible N (demo: 12 scientists of 48).
        go_to(page, "Overview")
        cohort = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Cohort")
        cohort.locator("input").first.click()
        page.keyboard.type("scientists")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_idle(page)
        expect(metric_value(page, "Participants")).to_have_text("12")
        shoot(page, artifacts_dir, "demo-filtered-scientists")
        sidebar.get_by_role("button", name=re.compile("Reset filters")).click()
        wait_idle(page)
        expect(metric_value(page, "Participants")).to_have_text(str(DEMO_PARTICIPANTS))

        timer.lap("cohort filter")

        # 4. Upload transcript files through the file input; the parse summary appears.
        go_to(page, "Upload & projects")
        page.locator('input[type="file"]').first.set_input_files([str(p) for p in UPLOADS])
        wait_idle(page, 60_000)
        expect(metric_value(page, "Files parsed")).to_have_text(str(len(UPLOADS)))
        expect(metric_value(page, "Transcripts")).to_have_text(str(len(UPLOADS)))
        expect(metric_value(page, "Files rejected")).to_have_text("0")
        errors["Upload (parsed)"] = page_errors(page)
        shoot(page, artifacts_dir, "upload-01-parsed")

        timer.lap("upload + parse")

        # 5. Analyse: the first fit in a fresh server includes the UMAP JIT.
        name_input = page.locator('[data-testid="stTextInput"]').filter(has_text="Project name")
        name_input.locator("input").fill(UPLOAD_PROJECT)
        name_input.locator("input").press("Enter")
        wait_idle(page)
        page.get_by_role("button", name=re.compile(r"Analyse$")).click()
        expect(page.get_by_text(re.compile(r"saved and opened"))).to_be_visible(
            timeout=ANALYSIS_TIMEOUT_MS
        )
        wait_idle(page)
        expect(sidebar).to_contain_text(UPLOAD_PROJECT)
        errors["Upload (analysed)"] = page_errors(page)
        shoot(page, artifacts_dir, "upload-02-analysed")

        timer.lap("analyse")

        # 6. The new project is active; a keyword filter narrows it (one bookkeeper).
        go_to(page, "Overview")
        expect(metric_value(page, "Participants")).to_have_text(str(len(UPLOADS)))
        keyword = sidebar.locator('[data-testid="stTextInput"]').filter(has_text="Keyword")
        keyword.locator("input").fill("spreadsheet")
        keyword.locator("input").press("Enter")
        wait_idle(page)
        expect(metric_value(page, "Participants")).to_have_text("1")
        shoot(page, artifacts_dir, "upload-03-overview-keyword")
        sidebar.get_by_role("button", name=re.compile("Reset filters")).click()
        wait_idle(page)
        expect(metric_value(page, "Participants")).to_have_text(str(len(UPLOADS)))
        errors["Overview (upload)"] = page_errors(page)

        timer.lap("keyword filter")

        # 7. Download the chart as PNG: a real PNG of presentation size.
        png_button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="PNG")
        with page.expect_download(timeout=60_000) as download_info:
            png_button.first.locator("button").click()
        target = tmp_path / "chart.png"
        download_info.value.save_as(str(target))
        data = target.read_bytes()
        width, height = png_size(data)
        assert width >= 400 and height >= 400, (width, height)
        assert len(data) > 5_000, "PNG too small to hold a chart"
        (artifacts_dir / "downloaded-overview-chart.png").write_bytes(data)
        timer.lap("png download")
    except Exception:
        shoot(page, artifacts_dir, "failure")
        raise
    finally:
        context.close()
        print(f"browser test step seconds: {timer.steps}")
    assert {title: texts for title, texts in errors.items() if texts} == {}
