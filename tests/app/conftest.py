"""AppTest helpers: the app with the fixture project injected through session state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.fixture_result import build_result
from ui import state
from ui.cache import fingerprint

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 30


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real store from a test."""
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(tmp_path / "store.duckdb"))


@pytest.fixture(scope="session")
def fixture_result():
    return build_result()


@pytest.fixture
def open_app(fixture_result) -> Callable[..., AppTest]:
    """``open_app("app_pages/triggers.py", **state)``: the app on one page, fixture loaded."""

    def _open(page: str | None = None, **session: object) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state[state.ACTIVE_PROJECT] = "Fixture project"
        at.session_state[state.ACTIVE_RESULT] = fixture_result
        at.session_state[state.ACTIVE_FINGERPRINT] = fingerprint(fixture_result)
        at.session_state[state.BOOTSTRAPPED] = True
        for key, value in session.items():
            at.session_state[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return _open
