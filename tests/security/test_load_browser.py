"""T18-T20 on a live server: five tabs analyse at once, one filters, twenty come and go.

A real ``streamlit run app.py`` (loopback, free port, throwaway store, at most one analysis
at a time: ``INTERVIEW_LENS_MAX_JOBS=1``) is driven by five Debian-chromium contexts that
each upload a different small corpus and click "Analyse" together, while a sixth context
keeps filtering the demo project. Checked from outside the server:

- every analysis finishes, and no two ever show "Analysing" at the same time, while the
  others show "Queued, position N";
- the server's RSS (psutil, sampled every 0.1 s) stays under ``RSS_BUDGET_MB``;
- the filtering tab keeps answering while the analyses run (at least
  ``MIN_ANSWERS_DURING`` answers before the last analysis ends) and its median answer time
  stays within ``FILTER_SLOWDOWN`` times its own idle median measured just before (or
  ``FILTER_MEDIAN_S``, whichever is larger), the worst within ``FILTER_MAX_S``. The bound
  is relative because the CI machine's speed (and its other load) is unknown; a tab that
  waited for the analyses to finish would break it;
- twenty open/upload/close cycles leave at most two sessions' uploads in Streamlit's
  upload manager and RSS grows by less than ``CYCLE_GROWTH_BUDGET_MB``
  (``disconnectedSessionTTL`` is 2 s here so closed tabs expire within the test).

Measured on the 2-core development machine (shared with other jobs): see docs/SECURITY.md.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import FIXTURES
from tests.security.load_support import (
    MB,
    RssSampler,
    Server,
    cache_bytes,
    running_server,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1200)]

SESSIONS = 5
RSS_BUDGET_MB = 1500
"""Peak server RSS allowed while five analyses are requested at once."""
FILTER_MEDIAN_S = 5.0
FILTER_SLOWDOWN = 10.0
FILTER_MAX_S = 90.0
MIN_ANSWERS_DURING = 2
IDLE_CLICKS = 4
ANALYSES_TIMEOUT_S = 300.0
CYCLES = 20
CYCLE_UPLOAD_MB = 4
CYCLE_GROWTH_BUDGET_MB = 60
"""A leak of each closed tab's upload (>= 2 copies of 4 MB) would add >= 120 MB here."""
DEMO_PARTICIPANTS = "48"
DEMO_SCIENTISTS = "12"
EXTRA_ANSWERS = [
    "I also keep a spreadsheet of every prompt that worked, for my own reference.",
    "My manager asked us to log when we use it, which felt like being watched.",
    "I started checking every number it gives me after one embarrassing mistake.",
    "Our union rep wants a policy on it before the end of the year.",
    "It writes the first draft of every email I dread sending, then I rewrite it.",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("load-server")
    with running_server(tmp, env={"INTERVIEW_LENS_MAX_JOBS": "1"},
                        flags=("--server.disconnectedSessionTTL", "2")) as live:
        yield live


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def corpus(tmp: Path, index: int) -> list[str]:
    """The five browser fixtures plus one session-specific answer: five distinct uploads."""
    folder = tmp / f"session-{index}"
    folder.mkdir()
    paths = []
    for source in sorted((FIXTURES / "browser").glob("*.txt")):
        text = source.read_text(encoding="utf-8").rstrip()
        if source == sorted((FIXTURES / "browser").glob("*.txt"))[index % 5]:
            text += f"\n\nAI: Anything else?\n\nUser: {EXTRA_ANSWERS[index]}\n"
        target = folder / source.name
        target.write_text(text + "\n", encoding="utf-8")
        paths.append(str(target))
    return paths


def metric(page: Any, label: str) -> Any:
    found = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label))
    return found.locator('[data-testid="stMetricValue"]').first


def transcript_input(page: Any) -> Any:
    """The transcripts uploader's file input (the page has other uploaders too)."""
    return page.locator('[data-testid="stFileUploader"]').filter(
        has_text="Transcript files").locator('input[type="file"]').first


def main_text(page: Any) -> str:
    try:
        return page.locator('[data-testid="stMain"]').inner_text(timeout=2_000)
    except Exception:  # mid-rerun the main block can be briefly detached
        return ""


class Filterer:
    """The tab that only filters: toggles the cohort filter and times each answer."""

    def __init__(self, page: Any) -> None:
        from playwright.sync_api import expect

        self.page, self.expect = page, expect
        self.sidebar = page.locator('[data-testid="stSidebar"]')
        self.latencies: list[float] = []
        self.filtered = False

    def step(self) -> None:
        started = time.perf_counter()
        if self.filtered:
            self.sidebar.get_by_role("button", name=re.compile("Reset filters")).click()
            expected = DEMO_PARTICIPANTS
        else:
            cohort = self.sidebar.locator('[data-testid="stMultiSelect"]').filter(
                has_text="Cohort")
            cohort.locator("input").first.click()
            self.page.keyboard.type("scientists")
            self.page.keyboard.press("Enter")
            self.page.keyboard.press("Escape")
            expected = DEMO_SCIENTISTS
        self.expect(metric(self.page, "Participants")).to_have_text(
            expected, timeout=int(FILTER_MAX_S * 3_000))
        self.latencies.append(time.perf_counter() - started)
        self.filtered = not self.filtered


def test_five_concurrent_analyses_queue_finish_and_a_filtering_tab_stays_responsive(
        server: Server, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    pages = []
    for index in range(SESSIONS):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{server.url}/upload")
        wait_idle(page, 90_000)
        transcript_input(page).set_input_files(corpus(tmp_path, index))
        expect(metric(page, "Files parsed")).to_have_text("5", timeout=60_000)
        name = page.locator('[data-testid="stTextInput"]').filter(has_text="Project name")
        name.locator("input").fill(f"Load {index}")
        name.locator("input").press("Enter")
        wait_idle(page)
        pages.append(page)
    watcher = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watcher.goto(server.url)
    wait_idle(watcher, 90_000)
    expect(metric(watcher, "Participants")).to_have_text(DEMO_PARTICIPANTS, timeout=90_000)
    filterer = Filterer(watcher)
    for _ in range(IDLE_CLICKS):
        filterer.step()
    idle = statistics.median(filterer.latencies)
    filterer.latencies.clear()

    seen_queued: set[int] = set()
    finished: dict[int, float] = {}
    max_running = 0
    previous_running: set[int] = set()
    with RssSampler(server.process.pid) as rss:
        started = time.monotonic()
        for page in pages:
            page.get_by_role("button", name=re.compile(r"Analyse$")).click()
        while len(finished) < SESSIONS:
            assert time.monotonic() - started < ANALYSES_TIMEOUT_S, (
                f"only {sorted(finished)} finished; queued seen {sorted(seen_queued)}")
            running: set[int] = set()
            for index, page in enumerate(pages):
                if index in finished:
                    continue
                text = main_text(page)
                if "saved and opened" in text or f"Load {index}" in page.locator(
                        '[data-testid="stSidebar"]').inner_text():
                    finished[index] = time.monotonic() - started
                elif re.search(r"Queued, position \d", text):
                    seen_queued.add(index)
                elif "Analysing" in text:
                    running.add(index)
            # A tab whose job just ended can show "Analysing" until its own poll reruns
            # the page; count an overlap only when it lasts across two sweeps.
            max_running = max(max_running, len(running & previous_running))
            previous_running = running
            if len(finished) < SESSIONS:
                filterer.step()
    rss_start_mb = rss.samples[0] / MB if rss.samples else 0.0
    print(f"\nload: {os.getloadavg()=}; finished at "
          f"{sorted(round(s, 1) for s in finished.values())} s; "
          f"peak RSS {rss.peak / MB:.0f} MB (start {rss_start_mb:.0f} MB); "
          f"filter latency idle median {idle:.2f} s, under load median "
          f"{statistics.median(filterer.latencies):.2f} s, "
          f"max {max(filterer.latencies):.2f} s over {len(filterer.latencies)} clicks; "
          f"queued seen in {len(seen_queued)} tabs")
    assert max_running <= 1, "two analyses ran at once despite INTERVIEW_LENS_MAX_JOBS=1"
    assert len(seen_queued) >= SESSIONS - 2, "tabs never showed their queue position"
    assert rss.peak < RSS_BUDGET_MB * MB, f"peak RSS {rss.peak / MB:.0f} MB"
    assert len(filterer.latencies) >= MIN_ANSWERS_DURING, "the filtering tab was blocked"
    assert max(filterer.latencies) < FILTER_MAX_S, filterer.latencies
    allowed = max(FILTER_MEDIAN_S, FILTER_SLOWDOWN * idle)
    assert statistics.median(filterer.latencies) < allowed, (idle, filterer.latencies)
    for page in pages:
        page.context.close()
    watcher.context.close()


def test_closing_tabs_frees_their_uploads(server: Server, browser: Any, tmp_path: Path
                                          ) -> None:
    from playwright.sync_api import expect

    recording = tmp_path / "recording.txt"  # random bytes: rejected as binary, held as upload
    recording.write_bytes(os.urandom(CYCLE_UPLOAD_MB * MB))
    transcripts = [str(p) for p in sorted((FIXTURES / "browser").glob("*.txt"))]
    rss: list[int] = []
    held: list[int] = []
    for _ in range(CYCLES):
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(120_000)  # a loaded CI machine can take a while to draw
        page.goto(f"{server.url}/upload")
        transcript_input(page).set_input_files([str(recording), *transcripts])
        expect(metric(page, "Files rejected")).to_have_text("1", timeout=90_000)
        expect(metric(page, "Files parsed")).to_have_text("5", timeout=30_000)
        context.close()
        rss.append(server.rss)
        held.append(cache_bytes(server.url).get("UploadedFileManager", 0))
    time.sleep(3)  # past disconnectedSessionTTL (2 s)
    probe = browser.new_context().new_page()  # any new session lets expired ones be reaped
    probe.goto(server.url)
    wait_idle(probe)
    after = cache_bytes(server.url).get("UploadedFileManager", 0)
    probe.context.close()
    growth = (rss[-1] - rss[4]) / MB
    print(f"\ncycles: RSS {[round(r / MB) for r in rss]} MB; upload bytes held "
          f"{[round(h / MB, 1) for h in held]} MB, {after / MB:.1f} MB after expiry")
    # Streamlit counts a little more than the raw bytes per upload: allow half a session.
    per_session = CYCLE_UPLOAD_MB * MB + sum(Path(p).stat().st_size for p in transcripts)
    assert max(held) < 2.5 * per_session, "closed tabs' uploads pile up in the server"
    assert after < 1.5 * per_session
    assert growth < CYCLE_GROWTH_BUDGET_MB, f"RSS grew {growth:.0f} MB over {CYCLES - 5} cycles"
