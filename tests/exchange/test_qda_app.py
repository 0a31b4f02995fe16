"""The Codebook page offers the .qdc download and imports a .qdc as the draft."""

from __future__ import annotations

from tests.app.conftest import _isolated_store  # noqa: F401
from tests.exchange.app_support import fresh_app
from tests.exchange.test_qda import BILLION_LAUGHS, FOREIGN


def test_qdc_import_replaces_the_draft_and_reports_the_mapping() -> None:
    at = fresh_app("app_pages/codebook.py")
    assert "Download REFI-QDA codebook (.qdc)" in {b.label for b in at.get("download_button")}
    at.file_uploader(key="codebook.qdc.upload").set_value(
        ("atlas.qdc", FOREIGN, "application/xml")).run()
    at.button(key="codebook.qdc.use").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.dataframe[0].value["code"]) == [
        "trigger.deadline_stress", "trigger.deadline_stress_2", "pattern.uber_code_e",
        "pattern.loose_code"]
    assert any("Reasons to use AI" in i.value and "names no facet" in i.value for i in at.info)


def test_hostile_qdc_is_refused_and_the_draft_kept() -> None:
    at = fresh_app("app_pages/codebook.py")
    before = list(at.dataframe[0].value["code"])
    at.file_uploader(key="codebook.qdc.upload").set_value(
        ("evil.qdc", BILLION_LAUGHS, "application/xml")).run()
    at.button(key="codebook.qdc.use").click().run()
    assert any("declares a DTD or entities" in e.value for e in at.error)
    assert list(at.dataframe[0].value["code"]) == before
