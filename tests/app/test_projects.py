"""Projects in the store: first run opens the demo, the picker opens and deletes projects,
topic renames and codebook edits reach the store and the pages."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from analysis.bundle import save_result_dir
from analysis.store import Store
from tests.app.conftest import APP, TIMEOUT
from tests.app.fixture_result import build_result
from ui import cache, state


@pytest.fixture
def store() -> Store:
    """The store the app will use in this test (the conftest points the env var at tmp)."""
    return Store(os.environ["INTERVIEW_LENS_STORE"])


def fresh_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_first_run_opens_the_bundled_demo_and_saves_it(tmp_path, monkeypatch, store) -> None:
    save_result_dir(build_result(), tmp_path / "demo")
    monkeypatch.setattr(cache, "DEMO_DIR", tmp_path / "demo")
    at = fresh_app()
    assert at.session_state[state.ACTIVE_PROJECT] == cache.DEMO_PROJECT
    assert next(m.value for m in at.metric if m.label == "Participants") == "12"
    assert [p.name for p in store.list_projects()] == [cache.DEMO_PROJECT]


def test_broken_demo_bundle_shows_the_empty_state(tmp_path, monkeypatch) -> None:
    (tmp_path / "demo").mkdir()
    monkeypatch.setattr(cache, "DEMO_DIR", tmp_path / "demo")
    at = fresh_app()
    assert any("No project is open" in i.value for i in at.info)
    assert any("Could not open a project" in c.value for c in at.caption)


def test_picker_opens_and_deletes_saved_projects(store) -> None:
    store.save_result("Older", build_result())
    smaller = build_result()
    smaller.participants = smaller.participants.head(5)
    store.save_result("Newer", smaller)
    at = fresh_app("app_pages/upload.py")
    assert at.session_state[state.ACTIVE_PROJECT] == "Newer"  # most recent first
    at.selectbox(key="upload.pick").set_value("Older").run()
    at.button(key="upload.open").click().run()
    assert at.session_state[state.ACTIVE_PROJECT] == "Older"
    at.switch_page("app_pages/overview.py").run()
    assert next(m.value for m in at.metric if m.label == "Participants") == "12"
    at.switch_page("app_pages/upload.py").run()
    at.selectbox(key="upload.pick").set_value("Older").run()
    at.button(key="upload.delete").click().run()
    assert [p.name for p in store.list_projects()] == ["Newer"]
    assert state.ACTIVE_RESULT not in at.session_state


def test_topic_rename_is_saved_and_shown(store) -> None:
    store.save_result("Saved", build_result())
    at = fresh_app("app_pages/topics.py")
    at.selectbox(key="topics.rename.topic").set_value(1)
    at.text_input(key="topics.rename.label").set_value("Fixing code")
    at.button(key="FormSubmitter:topics.rename-Rename").click().run()
    assert not at.exception, [e.value for e in at.exception]
    topics = at.session_state[state.ACTIVE_RESULT].topics
    assert topics.loc[topics["topic_id"] == 1, "label"].item() == "Fixing code"
    reloaded = store.load_result("Saved").topics
    assert reloaded.loc[reloaded["topic_id"] == 1, "label"].item() == "Fixing code"
    at.multiselect(key="topics.merge.topics").set_value([2, 3])
    at.text_input(key="topics.merge.label").set_value("Research and rules")
    at.button(key="FormSubmitter:topics.merge-Merge").click().run()
    assert not at.exception, [e.value for e in at.exception]
    topics = at.session_state[state.ACTIVE_RESULT].topics
    assert "Research and rules" in set(topics["label"])
    assert len(topics) == len(build_result().topics) - 1


def test_codebook_edit_validates_and_recode_runs(store, monkeypatch) -> None:
    store.save_result("Saved", build_result())
    recoded = []

    def recode_project(target, project, codebook_yaml):
        recoded.append((project, "trigger.new_idea" in codebook_yaml))
        return build_result()

    monkeypatch.setattr("analysis.pipeline.recode_project", recode_project)
    at = fresh_app("app_pages/codebook.py")
    n_codes = len(at.dataframe[0].value)
    # an invalid code (empty label) is refused with the validator's reason
    at.text_input[0].set_value("trigger.new_idea")
    at.button(key="FormSubmitter:codebook.form-Save code").click().run()
    assert at.error and len(at.dataframe[0].value) == n_codes
    at.text_input[0].set_value("trigger.new_idea")
    at.text_input[1].set_value("New idea")
    at.text_area[0].set_value("They want a fresh angle.")
    at.button(key="FormSubmitter:codebook.form-Save code").click().run()
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe[0].value) == n_codes + 1
    at.button(key="codebook.recode").click().run()
    assert recoded == [("Saved", True)]
