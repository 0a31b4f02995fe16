"""Two users, two sessions (T16): same file name, different corpora, nothing crosses over.

Both sessions share one process, one store and every ``st.cache_*`` (as two browser tabs
or two people on one server do). Each uploads its own corpus as ``interviews.txt``, keeps
the suggested project name and runs the real pipeline (hashing embeddings, for speed);
then each reads its quotes and re-opens its project from the store. Neither may see the
other's answers anywhere on its pages, in its parsed batch or in its results.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis.config import PipelineConfig
from tests.conftest import FIXTURES
from tests.security.conftest import all_strings
from ui import state

NURSE = (FIXTURES / "app" / "interview_nurse.txt").read_bytes()
DESIGNER = (FIXTURES / "app" / "interview_designer.md").read_bytes()
NURSE_WORDS = "ward nurse"
DESIGNER_WORDS = "freelance graphic designer"


@pytest.fixture
def hashing_pipeline(monkeypatch) -> None:
    """The real pipeline with the fast hashing embedder (the model is not what is tested)."""
    from analysis import pipeline

    real = pipeline.run_pipeline
    config = replace(PipelineConfig(), embedding_backend="hashing")

    def run_pipeline(source, **kwargs):
        kwargs.setdefault("config", config)
        return real(source, **kwargs)

    monkeypatch.setattr(pipeline, "run_pipeline", run_pipeline)


def _upload_and_analyse(open_app, data: bytes):
    at = open_app("app_pages/upload.py")
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [("interviews.txt", data, "text/plain")]).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _analyse(at) -> None:
    at.button(key="upload.analyse").click().run()
    for _ in range(30):  # analyses run on the job queue; the page follows the job
        if at.session_state[state.ACTIVE_PROJECT] != "Fixture project":
            break
        at.run()
    assert not at.exception, [e.message for e in at.exception]


def _page_text(at, page: str) -> str:
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return "\n".join(all_strings(at))


def test_two_sessions_never_see_each_others_uploads_or_results(open_app,
                                                                hashing_pipeline) -> None:
    nurse = _upload_and_analyse(open_app, NURSE)
    designer = _upload_and_analyse(open_app, DESIGNER)
    # uploads: same name, own content, own parsed batch
    for at, own, other in ((nurse, NURSE_WORDS, DESIGNER_WORDS),
                           (designer, DESIGNER_WORDS, NURSE_WORDS)):
        batch = at.session_state[state.UPLOAD_BATCH]
        texts = " ".join(t.text for tr in batch.ingest.transcripts for t in tr.turns)
        assert own in texts and other not in texts
        page = "\n".join(all_strings(at))
        assert own in page and other not in page
    assert (nurse.session_state[state.UPLOAD_BATCH].digest
            != designer.session_state[state.UPLOAD_BATCH].digest)
    # the suggested project names differ, so neither save can replace the other's
    names = {at.text_input(key=state.UPLOAD_PROJECT_NAME).value for at in (nurse, designer)}
    assert len(names) == 2
    _analyse(nurse)
    _analyse(designer)
    projects = {}
    for at, own, other in ((nurse, NURSE_WORDS, DESIGNER_WORDS),
                           (designer, DESIGNER_WORDS, NURSE_WORDS)):
        name = at.session_state[state.ACTIVE_PROJECT]
        projects[name] = at.session_state[state.ACTIVE_FINGERPRINT]
        answers = " ".join(at.session_state[state.ACTIVE_RESULT].segments["answer"])
        assert own in answers and other not in answers
        quotes = _page_text(at, "app_pages/quotes.py")
        assert own in quotes and other not in quotes
    assert len(projects) == 2 and len(set(projects.values())) == 2
    # re-opening each project from the shared store (and its caches) gives its own data
    for at, own, other in ((nurse, NURSE_WORDS, DESIGNER_WORDS),
                           (designer, DESIGNER_WORDS, NURSE_WORDS)):
        name = at.session_state[state.ACTIVE_PROJECT]
        at.switch_page("app_pages/upload.py").run()
        at.selectbox(key="upload.pick").set_value(name).run()
        at.button(key="upload.open").click().run()
        participants = _page_text(at, "app_pages/participants.py")
        quotes = _page_text(at, "app_pages/quotes.py")
        assert own in quotes and other not in quotes + participants
