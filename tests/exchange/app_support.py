"""AppTest support for the exchange page tests: the app conftest's isolation fixtures."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT


def fresh_app(page: str | None = None) -> AppTest:
    """The app as a new session sees it (bootstrap from the test's store), on ``page``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
