"""Helpers for the under-load tests: a live server, its memory, its metrics, browser steps.

The server is started exactly as a user starts it (``streamlit run app.py`` from the
repository root, so the hardened config and the startup self-check apply) on a free
loopback port with a throwaway store. Memory is the server process's RSS read with
psutil from outside; upload bytes held per session come from Streamlit's own
``/_stcore/metrics`` endpoint (loopback only).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from tests.browser.conftest import SERVER_START_TIMEOUT_S, _healthy, free_port
from tests.conftest import PROJECT_ROOT

MB = 1024 * 1024


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def rss(self) -> int:
        return int(psutil.Process(self.process.pid).memory_info().rss)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def streamlit_process(script: str, *, cwd: Path, env: dict[str, str], log_path: Path,
                      flags: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run <script>`` from ``cwd`` on 127.0.0.1:<free port>: (url, process) once
    healthy; stopped (by its pid) afterwards. One start/wait/stop for every server test."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", script,
               "--server.port", str(port), "--server.headless", "true", *flags]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                output = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"streamlit did not start:\n{output}")
            time.sleep(0.25)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def running_server(tmp: Path, *, env: dict[str, str] | None = None,
                   flags: tuple[str, ...] = ()) -> Iterator[Server]:
    """``streamlit run app.py`` on 127.0.0.1:<free port>; stopped (by its pid) afterwards."""
    environment = {**os.environ, "INTERVIEW_LENS_STORE": str(tmp / "store.duckdb"),
                   **(env or {})}
    environment.pop("INTERVIEW_LENS_DEV", None)  # the self-check must run for real
    log_path = tmp / "streamlit.log"
    with streamlit_process("app.py", cwd=PROJECT_ROOT, env=environment, log_path=log_path,
                           flags=flags) as (url, process):
        yield Server(url, process, log_path)


@dataclass
class RssSampler:
    """Samples a process's RSS every ``interval`` seconds in a thread; keeps the peak."""

    pid: int
    interval: float = 0.1
    peak: int = 0
    samples: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        process = psutil.Process(self.pid)
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                rss = int(process.memory_info().rss)
                self.samples.append(rss)
                self.peak = max(self.peak, rss)
            self._stop.wait(self.interval)


_METRIC = re.compile(r'^cache_memory_bytes\{cache_type="(?P<type>[^"]*)",'
                     r'cache="(?P<name>[^"]*)"\}\s+(?P<value>\d+)', re.M)


def cache_bytes(url: str) -> dict[str, int]:
    """Bytes per cache type from Streamlit's ``/_stcore/metrics`` (e.g. uploaded files)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    totals: dict[str, int] = {}
    for match in _METRIC.finditer(text):
        totals[match["type"]] = totals.get(match["type"], 0) + int(match["value"])
    return totals


def wait_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Until the session's script run has finished (the app's own test helper, shared)."""
    from tests.browser.test_e2e import wait_idle as e2e_wait_idle

    e2e_wait_idle(page, timeout_ms)
