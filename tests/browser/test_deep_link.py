"""A deep link as the very first request of a fresh server gets the whole app.

Why: with the page files in a folder named ``pages/`` (before ``app_pages/``), Streamlit's
legacy multipage mode answered the first ``/triggers`` of a new server process by running
that file alone: its own file-name sidebar ("app, agreement, codebook …"), no project open
and none of ``app.py``'s gates. Bookmarks and links shared between researchers start
exactly like this. This module's server is fresh (module-scoped ``app_url``), and its first
request is the deep link.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_e2e import DEMO_PARTICIPANTS, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]


def test_first_request_of_a_fresh_server_to_a_page_url_runs_the_router(
    app_url: str, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{app_url}/triggers")
        wait_idle(page, 90_000)
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        main = page.locator('[data-testid="stMain"]').inner_text()
        # app.py's navigation (titles, sections), not the legacy file-name list.
        assert "Upload & projects" in sidebar and "Interaction patterns" in sidebar
        assert "agreement" not in sidebar.split()
        # app.py ran: the bundled demo project is open on the page that was asked for.
        assert "No project is open yet" not in main
        assert "Triggers" in main
        assert f"{DEMO_PARTICIPANTS} of {DEMO_PARTICIPANTS} participants" in main
        assert page.url.rstrip("/").endswith("/triggers")
    finally:
        page.close()
