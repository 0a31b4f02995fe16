"""The Team & privacy page and the per-rerun access check, driven through AppTest.

Team mode is simulated by replacing ``ui.auth.team_mode``/``current_user`` (AppTest runs
the app in this process); the real sign-in flow is covered by test_sign_in_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import ScopedStore
from analysis.store import Store
from tests.analysis.fixture_project import load_fixture_result
from tests.app.conftest import APP, TIMEOUT
from tests.team.forensics import occurrences
from tests.team.withdraw_fixture import MARKER, PARTICIPANT, PROJECT, build_store
from ui import auth, state

ANA, BEN = "ana@lab.org", "ben@lab.org"


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(path))
    return path


def signed_in_as(monkeypatch: pytest.MonkeyPatch, user: str) -> None:
    monkeypatch.setattr(auth, "team_mode", lambda: True)
    monkeypatch.setattr(auth, "current_user", lambda: user)


def open_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def test_local_withdrawal_from_the_page_erases_and_logs(store_path: Path) -> None:
    build_store(store_path).close()
    at = open_app("app_pages/upload.py")
    at.selectbox(key="upload.pick").set_value(PROJECT).run()
    at.button(key="upload.open").click().run()
    assert at.session_state[state.ACTIVE_PROJECT] == PROJECT
    before = len(at.session_state[state.ACTIVE_RESULT].transcripts)
    at.switch_page("app_pages/team.py").run()
    at.selectbox(key="team.withdraw.pick").set_value(PARTICIPANT).run()
    assert at.button(key="team.withdraw.go").disabled  # not confirmed yet
    at.text_input(key="team.withdraw.confirm").input(PARTICIPANT).run()
    at.button(key="team.withdraw.go").click().run()
    assert not at.exception
    result = at.session_state[state.ACTIVE_RESULT]
    assert len(result.transcripts) == before - 1
    assert PARTICIPANT not in set(result.transcripts["transcript_id"])
    assert any("1 participant withdrawn" in s.value for s in at.success)
    from ui import cache

    raw = cache.get_store(str(store_path))
    log = raw.read_audit()
    withdrawn = log[log["action"] == "withdraw"]
    assert len(withdrawn) == 1 and PARTICIPANT not in withdrawn["detail"].iloc[0]
    raw.close()
    cache.get_store.clear()
    assert occurrences(store_path.read_bytes(), MARKER) == 0


def test_team_user_sees_only_own_and_shared_projects(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(store_path)
    ScopedStore(store, ANA).save_result("Ana study", load_fixture_result())
    ScopedStore(store, BEN).save_result("Ben study", load_fixture_result())
    store.close()
    signed_in_as(monkeypatch, ANA)
    at = open_app()
    assert not at.exception
    assert at.session_state[state.ACTIVE_PROJECT] == "Ana study"
    at.switch_page("app_pages/upload.py").run()
    picker = at.selectbox(key="upload.pick")
    assert list(picker.options) == ["Ana study"]
    at.switch_page("app_pages/team.py").run()
    assert at.button(key="team.withdraw.go") is not None
    assert [b.label for b in at.sidebar.button if b.key == "auth.logout"] == ["Sign out"]


def test_a_removed_member_loses_the_open_project_on_the_next_rerun(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(store_path)
    ana = ScopedStore(store, ANA)
    ana.save_result("Ana study", load_fixture_result())
    ana.add_member("Ana study", BEN)
    store.close()
    signed_in_as(monkeypatch, BEN)
    at = open_app()
    assert at.session_state[state.ACTIVE_PROJECT] == f"{ANA}/Ana study"
    at.switch_page("app_pages/team.py").run()
    assert "Only the project's owner can withdraw" in " ".join(c.value for c in at.caption)
    from ui import cache

    ScopedStore(cache.get_store(str(store_path)), ANA).remove_member("Ana study", BEN)
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert state.ACTIVE_RESULT not in at.session_state
    assert f"{ANA}/Ana study" not in " ".join(t.value for t in at.sidebar.text)


def _export_script() -> None:
    import streamlit as st

    from ui import auth, cache

    cache.bootstrap()
    st.session_state["export"] = auth.audited_export("participants.csv", lambda: b"a,b\r\n")


def test_a_download_is_logged_even_when_built_outside_the_script_run(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(store_path)
    ScopedStore(store, ANA).save_result("Ana study", load_fixture_result())
    store.close()
    signed_in_as(monkeypatch, ANA)
    at = AppTest.from_function(_export_script, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    build = at.session_state["export"]
    monkeypatch.setattr(auth, "current_user", lambda: None)  # as outside a script run
    assert build() == b"a,b\r\n"
    from ui import cache

    log = cache.get_store(str(store_path)).read_audit()
    exports = log[log["action"] == "export"]
    assert list(exports["user_email"]) == [ANA]
    assert list(exports["project"]) == [f"{ANA}/Ana study"]
    assert exports["detail"].iloc[0] == "participants.csv, 5 bytes"


def test_an_owners_withdrawal_reaches_a_members_open_session(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.embedding import make_embedder
    from analysis.store import ProjectState
    from analysis.withdraw import withdraw_participant
    from tests.team.withdraw_fixture import CONFIG, segment_keys
    from ui import cache

    result = load_fixture_result()
    store = Store(store_path)
    ana = ScopedStore(store, ANA)
    ana.save_result("Ana study", result, ProjectState(
        fit_key="f", result_key="r", model_id=make_embedder("hashing").model_id,
        config=dict(CONFIG), codebook_yaml=None, segment_keys=segment_keys(result)))
    ana.add_member("Ana study", BEN)
    store.close()
    signed_in_as(monkeypatch, BEN)
    at = open_app()
    assert len(at.session_state[state.ACTIVE_RESULT].transcripts) == 12
    at.run()  # the guard has seen this copy
    withdraw_participant(cache.get_store(str(store_path)), f"{ANA}/Ana study", "w02")
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    shown = at.session_state[state.ACTIVE_RESULT]
    assert len(shown.transcripts) == 11 and "w02" not in set(shown.transcripts["transcript_id"])
