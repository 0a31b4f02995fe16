"""A process-wide, bounded queue for heavy analyses, deduplicated by content (T18, T19).

Why: every browser tab is a thread in one server process, and one analysis (embedding,
UMAP, BERTopic) already keeps both cores of a small machine busy and holds the corpus
several times over in memory. Five tabs analysing at once would multiply the memory and
slow everybody down, so at most ``INTERVIEW_LENS_MAX_JOBS`` analyses run at a time
(default 1) and the rest wait in FIFO order, each session seeing its position.

Why worker threads and not the script thread: Streamlit stops a session's script at its
next ``st.*`` call whenever the user clicks anything (fast reruns), which would throw away a
half-done analysis, and a second click could start it again. Here the work is pure Python
on a daemon worker (it never calls ``st.*``); sessions only look at a :class:`Job` and
draw its state. A job is keyed by a content hash of its input and settings, so a rerun,
a second click or a second tab asking for the same analysis joins the job in flight
instead of starting another. Finished jobs are handed to every session that asked
(``claim``) and then forgotten; one nobody claims (a closed tab) expires after
``FINISHED_TTL_S`` so results of closed sessions are not kept for ever.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_JOBS_ENV = "INTERVIEW_LENS_MAX_JOBS"
DEFAULT_MAX_JOBS = 1
FINISHED_TTL_S = 600.0
"""How long a finished job nobody has claimed is kept (its session may come back)."""
MAX_FINISHED = 8
"""At most this many unclaimed finished jobs are kept; the oldest go first."""

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

Progress = Callable[[str, float], None]
Work = Callable[[Progress], Any]


def max_jobs_setting() -> int:
    """Concurrent analyses allowed: ``$INTERVIEW_LENS_MAX_JOBS`` (>= 1), else 1."""
    raw = os.environ.get(MAX_JOBS_ENV, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_MAX_JOBS
    except ValueError:
        return DEFAULT_MAX_JOBS


@dataclass(eq=False)
class Job:
    """One analysis: its state, progress, and (once finished) its result or error type."""

    key: str
    work: Work | None
    state: str = QUEUED
    stage: str = "Waiting"
    fraction: float = 0.0
    result: Any = None
    error: str = ""
    """The exception's type name only: messages can quote transcript text."""
    waiters: int = 1
    """Sessions that asked for this job and have not claimed it yet."""
    finished_at: float = 0.0
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _progress(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = str(stage), min(1.0, max(0.0, float(fraction)))


class JobQueue:
    """At most ``workers`` jobs run at once; the rest wait in submission order."""

    def __init__(self, workers: int = DEFAULT_MAX_JOBS, *,
                 finished_ttl_s: float = FINISHED_TTL_S, max_finished: int = MAX_FINISHED,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.workers = max(1, int(workers))
        self._finished_ttl_s = finished_ttl_s
        self._max_finished = max_finished
        self._clock = clock
        self._lock = threading.Condition()
        self._jobs: dict[str, Job] = {}
        self._waiting: deque[Job] = deque()
        self._threads: list[threading.Thread] = []
        self.started = 0
        """How many jobs have started running (for tests and the docs' figures)."""
        self.running = 0
        self.peak_running = 0

    # --- sessions -------------------------------------------------------------------
    def submit(self, key: str, work: Work) -> Job:
        """Queue ``work`` under ``key``, or join the job with that key already in flight.

        A finished job is joined too (its result is still to be claimed); only a failed
        one is replaced, so "try again" after an error really runs again.
        """
        with self._lock:
            self._expire()
            job = self._jobs.get(key)
            if job is not None and job.state != FAILED:
                job.waiters += 1
                return job
            job = Job(key=key, work=work)
            self._jobs[key] = job
            self._waiting.append(job)
            self._start_workers()
            self._lock.notify()
            return job

    def get(self, key: str) -> Job | None:
        with self._lock:
            self._expire()
            return self._jobs.get(key)

    def position(self, job: Job) -> int:
        """1 for the next job to start, 2 for the one after...; 0 once it runs or ended."""
        with self._lock:
            for index, waiting in enumerate(self._waiting):
                if waiting is job:
                    return index + 1
            return 0

    def claim(self, key: str) -> Job | None:
        """A session takes a finished job's outcome; the last one to claim frees it."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None or not job.finished:
                return job
            job.waiters -= 1
            if job.waiters <= 0:
                del self._jobs[key]
            return job

    def held(self) -> int:
        """Jobs this queue still holds (queued, running or finished and unclaimed)."""
        with self._lock:
            self._expire()
            return len(self._jobs)

    # --- workers --------------------------------------------------------------------
    def _start_workers(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.workers:
            thread = threading.Thread(target=self._serve, name=f"analysis-{len(self._threads)}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._waiting:
                    self._lock.wait()
                job = self._waiting.popleft()
                job.state = RUNNING
                self.started += 1
                self.running += 1
                self.peak_running = max(self.peak_running, self.running)
            self._run(job)

    def _run(self, job: Job) -> None:
        work, job.work = job.work, None  # drop the closure (it holds the upload) early
        try:
            assert work is not None
            result = work(job._progress)
        except Exception as error:  # reported by type only; the session shows it
            outcome, result, error_name = FAILED, None, type(error).__name__
        else:
            outcome, error_name = DONE, ""
        with self._lock:
            job.result, job.error = result, error_name
            job.state, job.finished_at = outcome, self._clock()
            self.running -= 1
            job._done.set()

    def _expire(self) -> None:
        """Forget finished jobs nobody claimed in time, and the oldest beyond the cap."""
        finished = [j for j in self._jobs.values() if j.finished]
        now = self._clock()
        stale = {j.key for j in finished if now - j.finished_at > self._finished_ttl_s}
        keep = sorted((j for j in finished if j.key not in stale),
                      key=lambda j: j.finished_at)
        stale.update(j.key for j in keep[:max(0, len(keep) - self._max_finished)])
        for key in stale:
            del self._jobs[key]


_QUEUE: JobQueue | None = None
_QUEUE_LOCK = threading.Lock()


def queue() -> JobQueue:
    """The process-wide queue (every session of this server shares it)."""
    global _QUEUE
    with _QUEUE_LOCK:
        if _QUEUE is None:
            _QUEUE = JobQueue(max_jobs_setting())
        return _QUEUE
