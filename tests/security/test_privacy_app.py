"""The redaction switch in the app: every page reads the redacted copy and says best-effort."""

from __future__ import annotations

import pytest

from tests.security.conftest import all_strings, open_with
from tests.security.test_privacy_redact import PII_ANSWER, SEEDED, _pii_result
from ui import state


@pytest.fixture(scope="module")
def pii_result():
    return _pii_result()


def _leaks(at) -> list[str]:
    text = "\n".join(all_strings(at))
    return [seeded for seeded in SEEDED if seeded in text]


@pytest.mark.parametrize(
    ("page", "pick"),
    [
        ("app_pages/quotes.py", None),
        ("app_pages/topics.py", ("topics", "quotes", 0)),
        ("app_pages/participants.py", ("participants", "open", "work_001")),
        ("app_pages/overview.py", None),
    ],
)
def test_switching_redaction_on_hides_seeded_pii_on_every_page(pii_result, page, pick) -> None:
    at = open_with(pii_result, page)
    if pick:
        at.selectbox(key=state.page_key(pick[0], pick[1])).set_value(pick[2]).run()
    shown_before = _leaks(at)
    at.toggle(key=state.REDACT).set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _leaks(at) == []
    captions = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("Best-effort:") for c in captions)
    assert any(c.startswith("Replaced ") for c in captions)
    if page != "app_pages/overview.py":  # the overview shows no answer text
        assert shown_before, "without redaction the seeded PII is on this page"
        assert "[NAME-1]" in "\n".join(all_strings(at))


def test_export_warning_shows_only_while_redaction_is_off(pii_result) -> None:
    at = open_with(pii_result, "app_pages/overview.py")
    warning = "Exports hold participants' words as written"
    assert any(c.value.startswith(warning) for c in at.caption)
    at.toggle(key=state.REDACT).set_value(True).run()
    assert not any(c.value.startswith(warning) for c in at.caption)


def test_upload_preview_is_redacted(pii_result) -> None:
    transcript = f"Interviewer: Who checks your drafts?\n\nParticipant: {PII_ANSWER}\n".encode()
    at = open_with(pii_result, "app_pages/upload.py", **{state.REDACT: True})
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [("pii.txt", transcript, "text/plain")]).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [t.value for t in at.text]
    assert any(t.startswith("[NAME-1] ([EMAIL-1], [PHONE-1])") for t in texts)
    assert not any("sarah.jones@" in t for t in texts)


@pytest.mark.parametrize("redact", [True, False])
def test_the_qdpx_hand_off_follows_the_switch(pii_result, monkeypatch, redact) -> None:
    import io
    import os
    import zipfile

    from analysis.store import Store
    from ui import exchange

    Store(os.environ["INTERVIEW_LENS_STORE"]).save_result("PII project", pii_result)
    monkeypatch.setattr(state, "redaction_on", lambda: redact)
    with zipfile.ZipFile(io.BytesIO(exchange.qdpx_bytes("PII project"))) as archive:
        text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    found = [seeded for seeded in SEEDED if seeded in text]
    assert (found == []) if redact else (found != [])
    assert ("[EMAIL-1]" in text) is redact
