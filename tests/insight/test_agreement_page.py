"""Agreement page: upload a coding, see kappa per code and the disagreements as plain text."""
# ruff: noqa: F811  (pytest fixtures are imported from tests.app.conftest by name)

from __future__ import annotations

import json

import pytest
from sklearn.metrics import cohen_kappa_score

from tests.app.fixture_result import HOSTILE_ANSWER, HOSTILE_ID
from tests.insight.research_app import (  # noqa: F401 - pytest fixtures
    _isolated_store,
    fixture_result,
    open_app,
)
from ui import state

PAGE = "app_pages/agreement.py"
KEY = state.page_key("agreement", "file")


def _upload(open_app, name: str, data: bytes):
    at = open_app(PAGE)
    at.file_uploader(key=KEY).set_value([(name, data, "application/octet-stream")]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_jsonl_upload_shows_kappa_and_side_by_side_quotes(open_app, fixture_result) -> None:
    people = fixture_result.participants
    records = []
    for tid, wording in zip(people["transcript_id"], people["trigger.wording"], strict=True):
        codes = [] if wording else ["trigger.wording"]  # the opposite of the automatic coding
        records.append({"transcript_id": tid, "codes": codes,
                        "evidence": {"trigger.wording": HOSTILE_ANSWER} if codes else {}})
    data = "\n".join(json.dumps(r) for r in records).encode()
    at = _upload(open_app, "mine.jsonl", data)
    assert next(m.value for m in at.metric if m.label == "Participants compared") == "12"
    table = at.dataframe[0].value.set_index("code")
    auto = people["trigger.wording"].astype(int).tolist()
    want = cohen_kappa_score(auto, [1 - a for a in auto])
    assert table.loc["trigger.wording", "kappa"] == pytest.approx(want) and want < 0
    texts = [t.value for t in at.text]
    assert HOSTILE_ANSWER in texts  # their quote, as plain text, never HTML
    assert not any("<script>" in m.value for m in at.markdown)
    assert any(b.proto.label == "Disagreements CSV" for b in at.get("download_button"))


def test_csv_upload_and_bad_file(open_app, fixture_result) -> None:
    data = f"transcript_id,trigger.wording\n{HOSTILE_ID},1\nwork_001,1\nnobody,0\n".encode()
    at = _upload(open_app, "coding.csv", data)
    assert next(m.value for m in at.metric if m.label == "Participants compared") == "2"
    assert any("not in view" in c.value for c in at.caption)
    bad = _upload(open_app, "coding.csv", b"transcript_id,<b>x.y</b>\nwork_001,maybe\n")
    assert bad.error and "Could not read this file" in bad.error[0].value
    assert "<b>" not in bad.error[0].value
