"""T18-T20 in process: the analysis queue bounds concurrency, dedupes, and forgets.

The queue (``ui.jobs``) is what keeps five tabs from running five analyses at once. These
tests drive it with gated work (``threading.Event``) so the order of events is exact, then
drive the real Upload page through AppTest to check that reruns and repeated clicks while
an analysis runs never start a second one. The browser test (``test_load_browser.py``)
checks the same on a live server.
"""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT
from tests.app.fixture_result import build_result
from tests.conftest import FIXTURES
from ui import jobs, state, upload
from ui.cache import fingerprint

WAIT_S = 10.0


class Payload:
    """Stands in for an upload the work closes over (weak-referenceable, 1 MB)."""

    def __init__(self) -> None:
        self.data = bytearray(1_000_000)


class Gate:
    """Work that blocks until released and counts how often (and how concurrently) it ran."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def work(self, value: object = "ok"):
        def run(progress: jobs.Progress) -> object:
            with self._lock:
                self.calls += 1
                self.active += 1
                self.peak = max(self.peak, self.active)
            progress("working", 0.5)
            try:
                assert self.release.wait(WAIT_S), "gate never released"
                if isinstance(value, Exception):
                    raise value
                return value
            finally:
                with self._lock:
                    self.active -= 1

        return run


def wait_until(predicate, timeout: float = WAIT_S) -> None:
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while not predicate():
            assert not deadline.wait(0.01), "condition not reached in time"
    finally:
        timer.cancel()


@pytest.mark.parametrize("workers", [1, 2])
def test_at_most_the_configured_number_of_jobs_run_and_the_rest_queue(workers: int) -> None:
    queue, gate = jobs.JobQueue(workers), Gate()
    submitted = [queue.submit(f"job-{i}", gate.work(i)) for i in range(5)]
    wait_until(lambda: gate.active == workers)
    assert [queue.position(j) for j in submitted] == [0] * workers + list(
        range(1, 6 - workers))
    assert all(j.state == jobs.QUEUED for j in submitted[workers:])
    gate.release.set()
    assert all(j.wait(WAIT_S) for j in submitted)
    assert [j.result for j in submitted] == list(range(5))
    assert gate.peak == workers and queue.peak_running == workers
    assert gate.calls == queue.started == 5


def test_the_same_key_joins_the_job_in_flight() -> None:
    queue, gate = jobs.JobQueue(1), Gate()
    first = queue.submit("same", gate.work())
    wait_until(lambda: gate.active == 1)
    again = [queue.submit("same", gate.work()) for _ in range(4)]
    assert all(job is first for job in again)
    gate.release.set()
    assert first.wait(WAIT_S)
    # a finished, unclaimed job is joined too: its result is still to be picked up
    assert queue.submit("same", gate.work()) is first
    assert gate.calls == 1 and queue.started == 1


def test_a_failed_job_reports_the_type_only_and_a_retry_runs_again() -> None:
    queue, gate = jobs.JobQueue(1), Gate()
    gate.release.set()
    failed = queue.submit("k", gate.work(ValueError("quote: ZZ-PII-4711")))
    assert failed.wait(WAIT_S)
    assert failed.state == jobs.FAILED and failed.error == "ValueError"
    assert "ZZ-PII-4711" not in repr(failed)
    retry = queue.submit("k", gate.work("fine"))
    assert retry is not failed and retry.wait(WAIT_S) and retry.result == "fine"
    assert gate.calls == 2


def test_progress_is_visible_while_running() -> None:
    queue, gate = jobs.JobQueue(1), Gate()
    job = queue.submit("k", gate.work())
    wait_until(lambda: job.state == jobs.RUNNING and job.fraction == 0.5)
    assert job.stage == "working"
    gate.release.set()
    assert job.wait(WAIT_S)


def test_claiming_frees_the_job_and_twenty_cycles_hold_nothing() -> None:
    queue, gate = jobs.JobQueue(1), Gate()
    gate.release.set()
    payloads: list[weakref.ref] = []
    for cycle in range(20):
        payload = Payload()
        payloads.append(weakref.ref(payload))
        job = queue.submit(f"cycle-{cycle}", lambda progress, p=payload: len(p.data))
        del payload
        assert job.wait(WAIT_S) and job.result == 1_000_000
        assert queue.claim(job.key) is job
    del job
    gc.collect()
    assert queue.held() == 0
    assert all(ref() is None for ref in payloads), "a finished job kept its input alive"


def test_two_sessions_on_one_job_both_get_it_then_it_is_freed() -> None:
    queue, gate = jobs.JobQueue(1), Gate()
    gate.release.set()
    job = queue.submit("shared", gate.work("r"))
    assert queue.submit("shared", gate.work("r")) is job
    assert job.wait(WAIT_S)
    assert queue.claim("shared") is job and queue.held() == 1
    assert queue.claim("shared") is job and queue.held() == 0


def test_unclaimed_results_expire_after_the_ttl_and_beyond_the_cap() -> None:
    now = [0.0]
    queue = jobs.JobQueue(1, finished_ttl_s=60, max_finished=3, clock=lambda: now[0])
    for i in range(5):
        queue.submit(f"closed-tab-{i}", lambda progress, i=i: i).wait(WAIT_S)
    assert queue.held() == 3  # the two oldest went over the cap
    assert queue.get("closed-tab-0") is None and queue.get("closed-tab-4") is not None
    now[0] = 61.0
    assert queue.held() == 0


@pytest.mark.parametrize(("raw", "expected"), [("", 1), ("2", 2), ("0", 1), ("x", 1)])
def test_queue_size_comes_from_the_setting(monkeypatch: pytest.MonkeyPatch, raw: str,
                                           expected: int) -> None:
    monkeypatch.setenv(jobs.MAX_JOBS_ENV, raw)
    assert jobs.max_jobs_setting() == expected


# --- the Upload page ---------------------------------------------------------------------

UPLOADS = FIXTURES / "app"


@pytest.fixture
def upload_app(fixture_result):
    """A new session on the Upload page with the fixture project open (as in tests/app)."""

    def _open() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state[state.ACTIVE_PROJECT] = "Fixture project"
        at.session_state[state.ACTIVE_RESULT] = fixture_result
        at.session_state[state.ACTIVE_FINGERPRINT] = fingerprint(fixture_result)
        at.session_state[state.BOOTSTRAPPED] = True
        at.run()
        return at.switch_page("app_pages/upload.py").run()

    return _open


@pytest.fixture
def gated_pipeline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The page on a fresh queue, its pipeline gated and counted; the run stops following
    the job after 0.2 s so the test can click around while it is still running."""
    monkeypatch.setattr(jobs, "_QUEUE", jobs.JobQueue(1))
    monkeypatch.setattr(upload, "INLINE_WAIT_S", 0.2)
    gate = Gate()

    def run_pipeline(source, *, project, store=None, progress=None, **kwargs):
        result = gate.work(build_result())(progress)
        if store is not None:
            store.save_result(project, result)
        return result

    monkeypatch.setattr("analysis.pipeline.run_pipeline", run_pipeline)
    return gate


def test_reruns_and_repeat_clicks_during_an_analysis_never_start_another(
        upload_app, gated_pipeline: Gate) -> None:
    at = upload_app()
    files = [(name, (UPLOADS / name).read_bytes(), "text/plain")
             for name in ("interview_nurse.txt", "interview_designer.md")]
    at.file_uploader(key=state.UPLOAD_FILES).set_value(files).run()
    at.text_input(key=state.UPLOAD_PROJECT_NAME).set_value("Gated").run()
    at.button(key="upload.analyse").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wait_until(lambda: gated_pipeline.active == 1)
    # While it runs: filter changes (sidebar), plain reruns and more "Analyse" clicks.
    cohorts = at.sidebar.multiselect[0]
    at = cohorts.set_value(cohorts.options[:1]).run()
    for _ in range(3):
        at.button(key="upload.analyse").click().run()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert any("Analysing" in i.value for i in at.info)
    assert gated_pipeline.calls == 1 and jobs.queue().started == 1
    gated_pipeline.release.set()
    wait_until(lambda: jobs.queue().get(upload.analysis_key(
        at.session_state[state.UPLOAD_BATCH], "Gated")).finished)
    at.run()
    assert at.session_state[state.ACTIVE_PROJECT] == "Gated"
    assert gated_pipeline.calls == 1
    assert jobs.queue().held() == 0  # claimed and freed


def test_a_second_session_waits_in_the_queue_and_sees_its_position(
        upload_app, gated_pipeline: Gate) -> None:
    sessions = []
    for name in ("interview_nurse.txt", "interview_designer.md"):
        at = upload_app()
        data = (UPLOADS / name).read_bytes()
        at.file_uploader(key=state.UPLOAD_FILES).set_value([(name, data, "text/plain")]).run()
        at.button(key="upload.analyse").click().run()
        sessions.append(at)
    wait_until(lambda: gated_pipeline.active == 1)
    second = sessions[1].run()
    assert any("Queued, position 1" in i.value for i in second.info)
    assert gated_pipeline.calls == 1
    gated_pipeline.release.set()
    for at in sessions:
        wait_until(lambda at=at: (jobs.queue().get(at.session_state[upload.JOB][0]) or
                                  jobs.Job("", None, state=jobs.DONE)).finished)
        at.run()
        assert any("transcripts saved and opened" in s.value for s in at.success)
    assert gated_pipeline.peak == 1 and gated_pipeline.calls == 2
