"""A store holding a ~200k-answer synthetic large project, and the app opened on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.scale.synthetic_tables import write_synthetic_project
from analysis.store import Store
from ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60
LARGE = "Large synthetic"
N_ANSWERS = 200_000
N_PEOPLE = 17_200


@pytest.fixture(scope="module")
def large_store(tmp_path_factory) -> Path:
    """The store file (built once per module); the app finds it through the env."""
    path = tmp_path_factory.mktemp("large") / "store.duckdb"
    with Store(path) as store:
        write_synthetic_project(store, LARGE, N_ANSWERS, N_PEOPLE)
    return path


@pytest.fixture
def open_large(large_store: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """``open_large("app_pages/triggers.py")``: the app on a page, the large project open.

    Opens it the way the Upload page's button does (``ui.large_project.open_project``).
    """
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(large_store))

    def _open(page: str | None = None) -> AppTest:
        return open_large_project(page)

    return _open


def open_large_project(page: str | None = None, project: str | None = None,
                       **session: object) -> AppTest:
    """The app with a large project opened from the Upload page's button (the store from
    ``INTERVIEW_LENS_STORE``), then on ``page``. ``project``: pick it first (stores holding
    several); ``session``: state set before the first run."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()  # bootstrap (the demo) and the shared sidebar
    at.switch_page("app_pages/upload.py").run()
    if project is not None:
        at.selectbox(key="upload.large.pick").set_value(project)
    at.button(key="upload.large.open").click().run()
    assert at.session_state[state.ACTIVE_LARGE] is True
    if page:
        at.switch_page(page).run()
    return at
