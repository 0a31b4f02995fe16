"""The Upload page: parse summary with reasons, preview, interviewer override, analyse."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.app.fixture_result import build_result
from tests.conftest import FIXTURES
from ui import state
from ui.upload import parse_uploads

UPLOADS = FIXTURES / "app"
TRANSCRIPTS = ["interview_nurse.txt", "interview_designer.md", "program.txt"]


def blobs(names=TRANSCRIPTS) -> list[tuple[str, bytes]]:
    return [(name, (UPLOADS / name).read_bytes()) for name in names]


def zipped(names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in blobs(names):
            archive.writestr(f"batch/{name}", data)
    return buffer.getvalue()


def test_parse_uploads_reports_parsed_rejected_and_metadata() -> None:
    metadata = ("metadata.csv", (UPLOADS / "metadata.csv").read_bytes())
    batch = parse_uploads(blobs(), metadata=metadata)
    assert (batch.n_parsed, batch.n_rejected) == (2, 1)
    rejected = batch.files[batch.files["status"] == "rejected"].iloc[0]
    assert rejected["file"] == "program.txt" and "binary" in rejected["reason"]
    assert int(batch.cohorts["transcripts"].sum()) == 2
    assert int(batch.cohorts["answers"].sum()) == 6
    assert batch.ingest.metadata_unmatched == ["nobody_999"]


def test_parse_uploads_reads_zip_archives() -> None:
    batch = parse_uploads([("batch.zip", zipped(TRANSCRIPTS[:2]))])
    assert len(batch.ingest.transcripts) == 2
    assert batch.n_rejected == 0


def test_interviewer_override_flips_roles() -> None:
    batch = parse_uploads(blobs(["interview_nurse.txt"]),
                          overrides={"interview_nurse": "Participant"})
    roles = {t.speaker: t.role for t in batch.ingest.transcripts[0].turns}
    assert roles == {"Participant": "interviewer", "Interviewer": "participant"}


def upload_page(open_app):
    at = open_app("app_pages/upload.py")
    files = [(name, data, "application/octet-stream") for name, data in blobs()]
    at.file_uploader(key=state.UPLOAD_FILES).set_value(files).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_page_shows_summary_reasons_and_preview(open_app) -> None:
    at = upload_page(open_app)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Files parsed"] == "2" and metrics["Files rejected"] == "1"
    assert metrics["Transcripts"] == "2"
    rejected = at.dataframe[0].value
    assert list(rejected["file"]) == ["program.txt"]
    assert "binary" in rejected["reason"].iloc[0]
    assert any(t.value.startswith("I'm a ward nurse") for t in at.text)
    at.selectbox(key="upload.preview").set_value("interview_0042").run()
    texts = [t.value for t in at.text]
    assert any(t.startswith("I'm a freelance graphic designer") for t in texts)
    assert any("Interviewer · Moderator" in c.value for c in at.caption)


def test_upload_page_override_reparses(open_app) -> None:
    at = upload_page(open_app)
    at.selectbox(key="upload.override.scope").set_value("interview_0042").run()
    at.selectbox(key="upload.override.speaker").set_value("Respondent").run()
    at.button(key="upload.override.apply").click().run()
    assert at.session_state[state.UPLOAD_OVERRIDES] == {"interview_0042": "Respondent"}
    batch = at.session_state[state.UPLOAD_BATCH]
    designer = next(t for t in batch.ingest.transcripts if t.transcript_id == "interview_0042")
    assert {t.speaker for t in designer.turns if t.role == "interviewer"} == {"Respondent"}


@pytest.fixture
def fake_pipeline(monkeypatch):
    """run_pipeline without models: reports progress, saves the fixture result."""
    calls = []

    def run_pipeline(source, *, project, store=None, progress=None, **kwargs):
        calls.append((len(source.transcripts), project))
        for stage, fraction in (("embed", 0.3), ("topics", 0.7), ("code", 1.0)):
            progress(stage, fraction)
        result = build_result()
        if store is not None:
            store.save_result(project, result)
        return result

    monkeypatch.setattr("analysis.pipeline.run_pipeline", run_pipeline)
    return calls


def test_analyse_saves_and_opens_the_project(open_app, fake_pipeline) -> None:
    at = upload_page(open_app)
    at.text_input(key=state.UPLOAD_PROJECT_NAME).set_value("Nurses and designers").run()
    at.button(key="upload.analyse").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert fake_pipeline == [(2, "Nurses and designers")]
    assert at.session_state[state.ACTIVE_PROJECT] == "Nurses and designers"
    assert any("transcripts saved and opened" in s.value for s in at.success)
    # the project picker now lists it and it survives a fresh session (it is in the store)
    at.switch_page("app_pages/upload.py").run()
    picker = at.selectbox(key="upload.pick")
    assert "Nurses and designers" in picker.options
    assert picker.value == "Nurses and designers"  # follows the open project


def test_a_failed_analysis_says_so_and_saves_nothing(open_app, monkeypatch) -> None:
    def run_pipeline(source, *, project, store=None, progress=None, **kwargs):
        raise ValueError("need at least 5 distinct answers: 'secret transcript words'")

    monkeypatch.setattr("analysis.pipeline.run_pipeline", run_pipeline)
    at = upload_page(open_app)
    at.button(key="upload.analyse").click().run()
    assert not at.exception
    assert any("analysis stopped (ValueError)" in e.value for e in at.error)
    assert not any("secret transcript words" in e.value for e in at.error)
    assert at.session_state[state.ACTIVE_PROJECT] == "Fixture project"


def test_picker_follows_the_new_project_without_leaving_the_page(open_app, fake_pipeline) -> None:
    """After "Analyse", Open/Delete act on the project shown as open, not the old one."""
    import os

    from analysis.store import Store

    store = Store(os.environ["INTERVIEW_LENS_STORE"])
    store.save_result("Demo (synthetic)", build_result())
    at = open_app("app_pages/upload.py", **{state.ACTIVE_PROJECT: "Demo (synthetic)"})
    assert at.selectbox(key="upload.pick").value == "Demo (synthetic)"
    files = [(name, data, "application/octet-stream") for name, data in blobs()]
    at.file_uploader(key=state.UPLOAD_FILES).set_value(files).run()
    at.text_input(key=state.UPLOAD_PROJECT_NAME).set_value("Fresh batch").run()
    at.button(key="upload.analyse").click().run()
    assert at.session_state[state.ACTIVE_PROJECT] == "Fresh batch"
    assert at.selectbox(key="upload.pick").value == "Fresh batch"
    at.button(key="upload.delete").click().run()
    assert [p.name for p in store.list_projects()] == ["Demo (synthetic)"]
