"""T11 and T12 in a real browser: no built-in table download, no request to a tracker.

One ``streamlit run app.py`` (loopback, free port, the hardened config, the startup
self-check live) whose throwaway store holds one project full of hostile text: every
answer, transcript turn, topic label, topic word list and representative quote carries a
remote image, an ``<img … onerror=…>`` beacon and a ``javascript:`` link pointing at
``tracker.example``. Debian chromium (Playwright, never ``playwright install``) opens it.

- T11: hovering a dataframe shows Streamlit's element toolbar, and that toolbar has no
  "Download as CSV" button (``client.disableDataExport = true``). A sanity run serves a
  plain dataframe with the option off and finds the button with the same locator, so
  the check can fail.
- T12: across several pages (including the ones that show answers, topic words and a
  full transcript) every request the browser makes, websockets included, goes to the
  app's own loopback origin (or a ``data:``/``blob:`` URL); no dialog opens; no ``<img>``
  points at the tracker and no link has a ``javascript:`` target. The hostile text is
  on the page as literal text, so the check is not vacuous.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from analysis.results import AnalysisResult
from analysis.store import Store
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
)
from tests.security.conftest import hostile_result
from tests.security.load_support import Server, running_server, streamlit_process, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

TRACKER = "tracker.example"
BEACONS = (f" ![](http://{TRACKER}/p.png) <img src=http://{TRACKER}/x onerror=alert(9)> "
           "[x](javascript:alert(1))")
PROJECT = f"Beacons ![](http://{TRACKER}/n.png)"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PAGES = ["Triggers", "Topics", "Quotes", "Participants", "Findings", "Upload & projects"]
"""Visited after Overview: a chart, topic labels and words, answers, a full transcript, a
report, the uploader."""
LITERAL_ON = {"Topics", "Quotes", "Participants"}
"""Pages that must show the beacons as literal text (the check is not vacuous)."""
DOWNLOAD = '[data-testid="stElementToolbarButton"] button[aria-label^="Download as CSV"]'
"""Streamlit 1.67's toolbar action (``DataFrame`` bundle: label "Download as CSV")."""
TOOLBAR = '[data-testid="stElementToolbarButton"] button'


def beaconed() -> AnalysisResult:
    """The security suite's hostile project with tracker beacons in every text field."""
    result = hostile_result()
    segments = result.segments.copy()
    segments["answer"] = segments["answer"] + BEACONS
    turns = result.turns.copy()
    answered = set(zip(segments["transcript_id"], segments["turn_index"], strict=True))
    hit = [(t, i) in answered for t, i in zip(turns["transcript_id"], turns["turn_index"],
                                              strict=True)]
    turns.loc[hit, "text"] = turns.loc[hit, "text"] + BEACONS
    topics = result.topics.copy()
    topics["top_words"] = topics["top_words"] + "," + BEACONS
    topics.loc[topics["topic_id"] == 1, "label"] = f"Spreadsheets{BEACONS}"
    topics["representative_quotes"] = [[f"{quote}{BEACONS}" for quote in quotes]
                                       for quotes in topics["representative_quotes"]]
    result.segments, result.turns, result.topics = segments, turns, topics
    return result


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file():
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")
    tmp = tmp_path_factory.mktemp("privacy-server")
    with Store(tmp / "store.duckdb") as store:  # the app opens the newest saved project
        store.save_result(PROJECT, beaconed())
    with running_server(tmp) as live:
        yield live


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


class Recorder:
    """Every request, websocket and dialog of one browser context."""

    def __init__(self, context: Any) -> None:
        self.urls: list[str] = []
        self.dialogs: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("page", self.watch)

    def watch(self, page: Any) -> None:
        page.on("websocket", lambda socket: self.urls.append(socket.url))
        page.on("dialog", self.dialog)

    def dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def foreign(self) -> list[str]:
        """Requests that left the machine (anything but the loopback app, data:, blob:)."""
        return [url for url in self.urls
                if urlsplit(url).scheme not in {"data", "blob"}
                and urlsplit(url).hostname not in LOCAL_HOSTS]


def go_to(page: Any, title: str) -> None:
    from tests.browser.test_e2e import go_to as e2e_go_to

    e2e_go_to(page, title)


def hover_toolbar(page: Any, table: Any) -> Any:
    """Hover a dataframe until Streamlit's element toolbar shows its buttons."""
    from playwright.sync_api import expect

    table.scroll_into_view_if_needed()
    table.hover()
    buttons = page.locator(TOOLBAR)
    expect(buttons.first).to_be_visible(timeout=15_000)
    return buttons


def test_no_table_download_and_no_request_leaves_the_machine(server: Server,
                                                             browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    recorder = Recorder(context)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server.url)
    wait_idle(page, 90_000)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Overview")
    literal = set()
    for title in PAGES:
        go_to(page, title)
        page.wait_for_timeout(1_000)  # images or frames a page would load start by now
        if TRACKER in main.inner_text():
            literal.add(title)
        if title == "Participants":
            table = main.locator('[data-testid="stDataFrame"]').first
            buttons = hover_toolbar(page, table)
            labels = [button.get_attribute("aria-label") or "" for button in buttons.all()]
            assert labels, "the toolbar shows its actions"
            assert page.locator(DOWNLOAD).count() == 0, labels
    assert literal >= LITERAL_ON, f"beacons shown as text only on {sorted(literal)}"
    assert page.locator(f'img[src*="{TRACKER}"]').count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    context.close()
    assert recorder.urls, "the recorder saw the page's own requests"
    assert recorder.foreign() == [], "\n".join(recorder.foreign())
    assert recorder.dialogs == []


SANITY_APP = '''import pandas as pd
import streamlit as st

st.dataframe(pd.DataFrame({"a": [1, 2, 3]}))
'''


@pytest.fixture
def export_on_server(tmp_path: Path) -> Iterator[str]:
    """A bare Streamlit page with ``client.disableDataExport=false`` (not the app)."""
    (tmp_path / "sanity.py").write_text(SANITY_APP, encoding="utf-8")
    flags = ("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--client.disableDataExport", "false")
    with streamlit_process("sanity.py", cwd=tmp_path, env=dict(os.environ),
                           log_path=tmp_path / "sanity.log", flags=flags) as (url, _process):
        yield url


def test_sanity_the_same_locator_finds_the_download_when_export_is_on(
        export_on_server: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(export_on_server)
    wait_idle(page, 60_000)
    hover_toolbar(page, page.locator('[data-testid="stDataFrame"]').first)
    assert page.locator(DOWNLOAD).count() == 1
    page.close()
