"""No network (issue 6): a whole analysis and every page run with the internet cut off.

CLI: a ``sitecustomize`` installed before anything else in a fresh interpreter makes every
outbound socket operation to a non-loopback address (``connect``, ``connect_ex``,
``sendto``, name lookups) fail and be recorded; ``python -m analysis analyze`` then runs
with the real MiniLM backend (the model a hub download would serve) on the engine fixture
corpus. A second tiny child proves the guard is live. App: the same guard as a
monkeypatch while AppTest parses an upload and draws every page. Any recorded attempt
fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, PROJECT_ROOT

GUARD = '''
"""Test-only network guard (written by tests/security/test_network.py)."""
import json
import os
import socket

_LOG = os.environ["NETGUARD_LOG"]
_LOCAL_NAMES = {None, "", "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1"}


def _record(kind, target):
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps([kind, repr(target)]) + "\\n")


def _local(address):
    if isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    host = address[0] if isinstance(address, tuple) and address else address
    return host in _LOCAL_NAMES or str(host).startswith("127.")


def _guard(name, original, kind):
    def guarded(self, address, *args):
        if self.family == getattr(socket, "AF_UNIX", None) or _local(address):
            return original(self, address, *args)
        _record(kind, address)
        raise OSError(f"network blocked by the test guard ({kind})")
    guarded.__name__ = name
    return guarded


socket.socket.connect = _guard("connect", socket.socket.connect, "connect")
socket.socket.connect_ex = _guard("connect_ex", socket.socket.connect_ex, "connect")
_sendto = socket.socket.sendto


def sendto(self, data, *args):
    address = args[-1]
    if not _local(address):
        _record("sendto", address)
        raise OSError("network blocked by the test guard (sendto)")
    return _sendto(self, data, *args)


socket.socket.sendto = sendto
_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL_NAMES:
        _record("getaddrinfo", host)
        raise socket.gaierror(f"name lookup blocked by the test guard: {host}")
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
_gethostbyname = socket.gethostbyname


def gethostbyname(host):
    if host not in _LOCAL_NAMES:
        _record("gethostbyname", host)
        raise socket.gaierror(f"name lookup blocked by the test guard: {host}")
    return _gethostbyname(host)


socket.gethostbyname = gethostbyname
'''




@pytest.mark.slow
def test_cli_analysis_makes_no_outbound_connection(tmp_path: Path) -> None:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "attempts.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "TRANSFORMERS_", "SENTENCE_TRANSFORMERS_"))}
    env.update({"PYTHONPATH": os.pathsep.join([str(guard_dir), str(PROJECT_ROOT)]),
                "NETGUARD_LOG": str(log), "HF_HOME": str(tmp_path / "hf")})
    probe = subprocess.run(
        [sys.executable, "-c", "import socket\ntry:\n socket.create_connection("
         "('198.51.100.7', 80), timeout=2)\nexcept OSError as e:\n print(e)"],
        env=env, capture_output=True, text=True, timeout=60)
    assert "blocked by the test guard" in probe.stdout, probe.stderr
    assert "198.51.100.7" in log.read_text()
    log.write_text("")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "analyze", str(FIXTURES / "engine" / "corpus"),
         "--out", str(out), "--store", str(tmp_path / "store.duckdb"), "--no-progress"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads((out / "run.json").read_text())
    assert "minilm" in json.dumps(run["models"]).lower()  # the real model, not hashing
    assert len((out / "segments.csv").read_text().splitlines()) > 60
    assert log.read_text().splitlines() == []


def test_the_app_parses_uploads_offline(open_app, blocked_network) -> None:
    """Every page is drawn under the same guard in ``test_leaks`` (one sweep for both)."""
    import streamlit as st

    from ui import state

    at = open_app("app_pages/upload.py")
    assert st.get_option("browser.gatherUsageStats") is False
    hostile = (b"Interviewer: Any links?\n\nParticipant: See ![](http://tracker.example/p.png)"
               b" and https://tracker.example/x every day.\n")
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [("links.txt", hostile, "text/plain")]).run()
    assert not at.exception
    assert any("tracker.example" in t.value for t in at.text)
    assert blocked_network == []


def test_config_keeps_data_on_the_machine() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableStaticServing"] is False
    assert config["server"]["enableXsrfProtection"] is True
