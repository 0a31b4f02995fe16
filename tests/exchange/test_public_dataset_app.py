"""The Upload page's public-dataset button: no request before the click, then a batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.public_dataset import CACHE_ENV, COHORTS, SOURCE_ENV
from tests.app.conftest import _isolated_store  # noqa: F401
from tests.exchange.app_support import fresh_app
from tests.exchange.public_server import hf_layout, serve
from tests.exchange.test_public_dataset import small_csv


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "mirror"
    folder.mkdir()
    for cohort in COHORTS:
        (folder / f"{cohort}.csv").write_bytes(small_csv(cohort))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    with serve(hf_layout(folder)) as served:
        monkeypatch.setenv(SOURCE_ENV, served.base)
        yield served


def test_nothing_is_fetched_until_the_button_then_the_batch_is_parsed(mirror) -> None:
    at = fresh_app("app_pages/upload.py")
    assert mirror.requests == []
    assert any("by Anthropic" in c.value and "licensed CC" in c.value for c in at.caption)
    assert any("downloads" in c.value for c in at.caption)
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/upload.py").run()
    assert mirror.requests == []
    at.button(key="upload.public.load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(mirror.requests) == len(COHORTS)
    assert next(m.value for m in at.metric if m.label == "Transcripts") == "6"
    assert at.text_input(key="upload.project_name").value == "Anthropic Interviewer"
    assert at.button(key="upload.analyse") is not None


def test_an_unreachable_source_is_an_error_on_the_page(mirror, monkeypatch) -> None:
    monkeypatch.setenv(SOURCE_ENV, mirror.base + "missing/")
    at = fresh_app("app_pages/upload.py")
    at.button(key="upload.public.load").click().run()
    assert not at.exception
    assert any("could not be loaded" in e.value for e in at.error)
    assert not at.metric
