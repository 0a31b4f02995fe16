"""The Ray engine does not phone home: a whole ``--engine ray`` analysis with the network cut.

The security suite's guard (``tests/security/test_network.py``: a ``sitecustomize`` that
makes every outbound socket operation to a non-loopback address fail and be recorded) is put
on ``PYTHONPATH``, which the driver, the Python processes Ray starts (dashboard head, log
monitor) and — through the runtime environment — every worker inherit. The run must succeed
and record no attempt: no usage statistics, no node-address probe, no hub.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.engines import ray_available
from tests.conftest import FIXTURES, PROJECT_ROOT
from tests.security.test_network import GUARD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ray_available(), reason="ray is not installed"),
]


def test_a_ray_analysis_makes_no_outbound_connection(tmp_path: Path) -> None:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "attempts.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "HF_"))}
    env.update({"PYTHONPATH": os.pathsep.join([str(guard_dir), str(PROJECT_ROOT)]),
                "NETGUARD_LOG": str(log)})
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "analyze", str(FIXTURES / "engine" / "corpus"),
         "--out", str(out), "--store", str(tmp_path / "store.duckdb"), "--no-progress",
         "--embedding-backend", "hashing", "--engine", "ray", "--ray-workers", "1"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["engine"] == "ray"
    assert len((out / "assignments.csv").read_text().splitlines()) > 20
    assert log.read_text().splitlines() == []
