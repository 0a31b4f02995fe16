"""T11/T22: the app refuses to serve with unsafe Streamlit settings unless in development mode.

Each unsafe setting is patched into the effective config (``streamlit.config.get_option``,
the same function the self-check reads) and the real ``app.py`` is run through AppTest: it
must show the refusal naming that option and draw nothing else (no project, no sidebar).
A parametrised case per rule means removing any one rule fails its own test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from ui import selfcheck, state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60

UNSAFE = [
    ("server.enableXsrfProtection", False),
    ("browser.gatherUsageStats", True),
    ("client.disableDataExport", False),
    ("server.enableStaticServing", True),
    ("client.showErrorDetails", "full"),
    ("client.showErrorDetails", "stacktrace"),
    ("server.address", "0.0.0.0"),
    ("server.address", None),
    ("server.address", "192.168.1.20"),
]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(tmp_path / "store.duckdb"))
    monkeypatch.delenv(selfcheck.DEV_ENV, raising=False)


def run_app(overrides: dict[str, object]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    with patch_config_options(overrides):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def refused(at: AppTest) -> bool:
    return any("refuses to serve" in e.value for e in at.error)


def test_the_shipped_config_is_safe_and_the_app_serves() -> None:
    """The repository's own config passes: no refusal, the demo project opens."""
    assert selfcheck.problems() == []
    at = run_app({})
    assert not refused(at)
    assert at.session_state[state.ACTIVE_PROJECT]


@pytest.mark.parametrize(("option", "value"), UNSAFE)
def test_each_unsafe_setting_stops_the_app(option: str, value: object) -> None:
    at = run_app({option: value})
    assert refused(at), f"{option}={value!r} was served"
    message = next(e.value for e in at.error if "refuses to serve" in e.value)
    assert f"`{option}`" in message
    # Fail closed: nothing was loaded or drawn after the check.
    assert state.ACTIVE_PROJECT not in at.session_state
    assert not at.sidebar.multiselect and not at.metric and not at.dataframe


def test_every_problem_is_named_at_once() -> None:
    at = run_app(dict(UNSAFE[:5]) | {"server.address": "0.0.0.0"})
    message = next(e.value for e in at.error if "refuses to serve" in e.value)
    for option in {o for o, _ in UNSAFE}:
        assert f"`{option}`" in message


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_addresses_are_safe(address: str) -> None:
    assert not refused(run_app({"server.address": address}))


def test_a_network_address_is_allowed_when_sign_in_is_configured() -> None:
    def get(option: str) -> object:
        return "0.0.0.0" if option == "server.address" else selfcheck.config.get_option(option)

    assert selfcheck.problems(get, signed_in=False)[0].option == "server.address"
    assert selfcheck.problems(get, signed_in=True) == []


def test_development_mode_serves_but_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(selfcheck.DEV_ENV, "1")
    at = run_app({"browser.gatherUsageStats": True})
    assert not refused(at)
    assert any("Development mode" in w.value and "gatherUsageStats" in w.value
               for w in at.warning)
    assert at.session_state[state.ACTIVE_PROJECT]


@pytest.mark.parametrize("flag", ["0", "true", "yes", ""])
def test_only_an_explicit_1_enables_development_mode(monkeypatch: pytest.MonkeyPatch,
                                                     flag: str) -> None:
    monkeypatch.setenv(selfcheck.DEV_ENV, flag)
    assert selfcheck.dev_mode() is False
