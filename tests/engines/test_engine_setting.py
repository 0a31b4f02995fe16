"""Choosing the engine: the app's "Engine" setting and the CLI's ``--engine ray`` flags.

An unreachable Ray address must end as one readable message (app) or one line and exit 2
(CLI), within seconds, with nothing saved — never a traceback or a minutes-long retry.
No Ray cluster is started here: the address check fails before ``ray.init``.
"""

from __future__ import annotations

import socket
import time

import pytest

from analysis.cli import main
from analysis.engines import EngineUnavailable, engine_for, ray_available
from analysis.engines.cluster import check_reachable
from tests.app.conftest import (  # noqa: F401  (fixtures, registered by import)
    _isolated_store,
    fixture_result,
    open_app,
)
from tests.conftest import FIXTURES
from ui import state, upload

needs_ray = pytest.mark.skipif(not ray_available(), reason="ray is not installed")
UPLOADS = FIXTURES / "app"


def _closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unknown_engine_and_bad_address_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        engine_for("dask")
    with pytest.raises(EngineUnavailable, match="host:port"):
        check_reachable("not an address")


@needs_ray
def test_unreachable_address_fails_fast_with_a_clear_error() -> None:
    address = f"127.0.0.1:{_closed_port()}"
    started = time.perf_counter()
    with pytest.raises(EngineUnavailable, match=f"cannot reach the Ray cluster at {address}"):
        engine_for("ray", address=address)
    assert time.perf_counter() - started < 10


@needs_ray
def test_cli_reports_an_unreachable_cluster_in_one_line(tmp_path, capsys) -> None:
    address = f"ray://127.0.0.1:{_closed_port()}"
    code = main(["analyze", str(FIXTURES / "engine" / "corpus"),
                 "--out", str(tmp_path / "out"), "--store", str(tmp_path / "store.duckdb"),
                 "--embedding-backend", "hashing", "--engine", "ray", "--ray-address", address,
                 "--no-progress"])
    stderr = capsys.readouterr().err
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (
        f"analyze: cannot reach the Ray cluster at {address} (Connection refused); "
        "check the address or use the local engine")
    assert "Traceback" not in stderr
    assert not (tmp_path / "out" / "segments.csv").exists()


def test_cli_refuses_ray_options_without_the_ray_engine(tmp_path, capsys) -> None:
    code = main(["analyze", str(FIXTURES / "engine" / "corpus"),
                 "--out", str(tmp_path / "out"), "--ray-workers", "2"])
    assert code == 2
    assert "need --engine ray" in capsys.readouterr().err


def _upload_page(open_app):  # noqa: F811
    at = open_app("app_pages/upload.py")
    files = [(name, (UPLOADS / name).read_bytes(), "application/octet-stream")
             for name in ("interview_nurse.txt", "interview_designer.md")]
    at.file_uploader(key=state.UPLOAD_FILES).set_value(files).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_engine_setting_defaults_to_local(open_app, monkeypatch) -> None:  # noqa: F811
    seen = []

    def run_pipeline(source, *, project, store=None, config=None, progress=None, **kwargs):
        seen.append(config)
        raise ValueError("stop here")

    monkeypatch.setattr("analysis.pipeline.run_pipeline", run_pipeline)
    at = _upload_page(open_app)
    assert at.radio(key=upload.ENGINE).value == "local"
    at.button(key="upload.analyse").click().run()
    assert seen and seen[0].engine == "local" and seen[0].ray_address is None


@needs_ray
def test_an_unreachable_cluster_is_a_readable_message(open_app) -> None:  # noqa: F811
    at = _upload_page(open_app)
    at.radio(key=upload.ENGINE).set_value("ray").run()
    at.text_input(key=upload.RAY_ADDRESS).set_value(f"127.0.0.1:{_closed_port()}").run()
    at.button(key="upload.analyse").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("Ray cluster could not be reached" in e and "choose Local" in e for e in errors)
    assert at.session_state[state.ACTIVE_PROJECT] == "Fixture project"  # nothing opened
