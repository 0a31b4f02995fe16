"""Fixtures for the team sign-in tests: a real OpenID Connect provider and a signed-in app.

The provider is the certified ``oidc-provider`` npm package, installed from the vendored
``tests/team/oidc/package-lock.json`` with ``npm ci`` into a cache folder keyed by the lock
file's hash (about 10 s once; CI's fresh machine pays it on the first run). Without
``node``/``npm``, or when the install fails, the browser test skips and says why. The app
is ``streamlit run app.py`` from the repository root (so its hardened config applies) with
a generated ``secrets.toml`` passed through ``--secrets.files``: nothing secret is
committed, and the developer's own ``.streamlit`` folder is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import browser, free_port  # noqa: F401 - the browser fixture
from tests.conftest import PROJECT_ROOT

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
START_TIMEOUT_S = 60.0
NPM_TIMEOUT_S = 240


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except (urllib.error.URLError, OSError):
        return 0


def _wait(url: str, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while _get(url) != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.25)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def oidc_install() -> Path:
    """A folder with ``server.mjs`` and ``node_modules/oidc-provider`` from the lock file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed for the OpenID Connect provider")
    lock = (OIDC_DIR / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"interview-lens-oidc-{digest}"
    if not (folder / "node_modules" / "oidc-provider" / "package.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(OIDC_DIR / name, folder / name)
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
            capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"npm ci of oidc-provider failed: {done.stderr[-500:]}")
    shutil.copy2(OIDC_DIR / "server.mjs", folder / "server.mjs")
    return folder


@dataclass(frozen=True, slots=True)
class TeamServer:
    """The running pair: app URL, provider URL, the accounts and the app's store file."""

    app_url: str
    issuer: str
    accounts: dict[str, str]
    store_path: Path


@contextmanager
def team_server(
    tmp: Path, install: Path, accounts: dict[str, str]
) -> Iterator[TeamServer]:
    """Start the provider and the app (seed the store before calling); stop both after."""
    app_port, oidc_port = free_port(), free_port()
    client_secret = secrets.token_urlsafe(24)
    settings = {
        "port": oidc_port, "client_id": "interview-lens", "client_secret": client_secret,
        "redirect_uri": f"http://127.0.0.1:{app_port}/oauth2callback", "accounts": accounts,
    }
    issuer = f"http://127.0.0.1:{oidc_port}"
    oidc_log = tmp / "oidc.log"
    with oidc_log.open("wb") as log:
        provider = subprocess.Popen(
            [shutil.which("node") or "node", "server.mjs", json.dumps(settings)], cwd=install,
            stdout=log, stderr=subprocess.STDOUT,
        )
    app = None
    try:
        _wait(f"{issuer}/.well-known/openid-configuration", provider, oidc_log, "oidc-provider")
        secrets_file = tmp / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{settings["redirect_uri"]}"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "{settings["client_id"]}"\n'
            f'client_secret = "{client_secret}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            'client_kwargs = { prompt = "login" }\n',
            encoding="utf-8",
        )
        store_path = tmp / "store.duckdb"
        env = {**os.environ, "INTERVIEW_LENS_STORE": str(store_path)}
        app_log = tmp / "streamlit.log"
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port),
            "--server.headless", "true", "--secrets.files", str(secrets_file),
        ]  # fmt: skip
        with app_log.open("wb") as log:
            app = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{app_port}"
        _wait(f"{url}/_stcore/health", app, app_log, "streamlit")
        yield TeamServer(url, issuer, accounts, store_path)
    finally:
        if app is not None:
            _stop(app)
        _stop(provider)
