"""The Upload & projects page exports the picked project and opens a project file."""

from __future__ import annotations

import os

from analysis.project_file import export_project
from analysis.store import Store
from tests.app.conftest import _isolated_store  # noqa: F401
from tests.app.fixture_result import build_result
from tests.exchange.app_support import fresh_app
from ui import state


def test_a_colleagues_project_file_opens_as_the_same_dashboard(tmp_path) -> None:
    with Store(tmp_path / "colleague.duckdb") as theirs:
        theirs.save_result("Shared study", build_result())
        theirs.rename_topic("Shared study", 1, "Fixing code")
        data = export_project(theirs, "Shared study")
        expected = theirs.load_result("Shared study")
    at = fresh_app("app_pages/upload.py")
    at.file_uploader(key="upload.import.file").set_value(
        ("shared.interview-lens.zip", data, "application/zip")).run()
    at.button(key="upload.import.go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[state.ACTIVE_PROJECT] == "Shared study"
    shown = at.session_state[state.ACTIVE_RESULT]
    assert shown.topics.equals(expected.topics)
    assert shown.participants.equals(expected.participants)
    with Store(os.environ["INTERVIEW_LENS_STORE"]) as mine:
        assert "Shared study" in [p.name for p in mine.list_projects()]
    labels = {b.label for b in at.get("download_button")}
    assert {"Project file", "REFI-QDA project (.qdpx)"} <= labels
    at.switch_page("app_pages/overview.py").run()
    assert next(m.value for m in at.metric if m.label == "Participants") == "12"


def test_a_broken_project_file_is_refused_on_the_page() -> None:
    at = fresh_app("app_pages/upload.py")
    at.file_uploader(key="upload.import.file").set_value(
        ("x.zip", b"PK\x05\x06" + b"\0" * 18, "application/zip")).run()
    at.button(key="upload.import.go").click().run()
    assert not at.exception
    assert any("cannot be opened" in e.value for e in at.error)
