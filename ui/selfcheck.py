"""Startup self-check: refuse to serve transcripts with unsafe Streamlit settings (T11, T22).

Why: the hardened ``.streamlit/config.toml`` only applies when Streamlit is started from the
repository root, and any command-line flag, environment variable or a user's global
``~/.streamlit/config.toml`` can quietly undo it (Hugging Face Spaces templates, for one,
turn XSRF protection off). So the app reads the *effective* values through
``streamlit.config.get_option`` on every run and fails closed: a clear error naming each
unsafe option and the safe value, and nothing else is drawn. ``INTERVIEW_LENS_DEV=1`` is
the explicit development escape hatch; it serves anyway but says so on every page.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit import config

DEV_ENV = "INTERVIEW_LENS_DEV"
"""Set to ``1`` to serve despite unsafe settings (development only)."""

Getter = Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class Problem:
    """One unsafe setting: which option, what it is, what it must be, and why."""

    option: str
    value: Any
    safe: str
    why: str

    def message(self) -> str:
        return f"`{self.option}` is `{self.value!r}`; it must be {self.safe} ({self.why})."


def is_loopback(address: object) -> bool:
    """True for ``localhost`` and any loopback IP; unset means all interfaces (False)."""
    text = str(address or "").strip().strip("[]")
    if not text:
        return False
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:  # a host name other than localhost can resolve anywhere
        return False


def sign_in_configured() -> bool:
    """Whether Streamlit's native sign-in (an ``[auth]`` section in secrets) is set up.

    Without secrets Streamlit raises on access; that simply means no sign-in.
    """
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all, or an unreadable one
        return False
    return bool(auth)


def problems(get: Getter | None = None, *, signed_in: bool | None = None) -> list[Problem]:
    """Every unsafe effective setting, in a fixed order (empty list means safe to serve)."""
    get = get or config.get_option
    found: list[Problem] = []
    if get("server.enableXsrfProtection") is not True:
        found.append(Problem("server.enableXsrfProtection", get("server.enableXsrfProtection"),
                             "`true`", "uploads would accept cross-site requests"))
    if get("browser.gatherUsageStats") is not False:
        found.append(Problem("browser.gatherUsageStats", get("browser.gatherUsageStats"),
                             "`false`", "no telemetry may leave this machine"))
    if get("client.disableDataExport") is not True:
        found.append(Problem("client.disableDataExport", get("client.disableDataExport"),
                             "`true`", "tables would offer an unescaped, unredacted CSV"))
    if get("server.enableStaticServing") is not False:
        found.append(Problem("server.enableStaticServing", get("server.enableStaticServing"),
                             "`false`", "static file serving had path-traversal advisories"))
    if get("client.showErrorDetails") != "none":
        found.append(Problem("client.showErrorDetails", get("client.showErrorDetails"),
                             '`"none"`', "error details can quote transcript text"))
    address = get("server.address")
    if not is_loopback(address):
        if signed_in is None:
            signed_in = sign_in_configured()
        if not signed_in:
            found.append(Problem("server.address", address, '`"127.0.0.1"` (or sign-in set up)',
                                 "without sign-in anyone on the network could read the data"))
    return found


def dev_mode() -> bool:
    return os.environ.get(DEV_ENV, "").strip() == "1"


def enforce() -> None:
    """Stop the run with a clear error when settings are unsafe (outside development mode)."""
    found = problems()
    if not found:
        return
    lines = "\n".join(f"- {p.message()}" for p in found)
    if dev_mode():
        st.warning(f"Development mode ({DEV_ENV}=1): serving despite unsafe settings.\n\n"
                   f"{lines}", icon=":material/warning:")
        return
    st.error("Interview Lens refuses to serve: these Streamlit settings are unsafe for "
             "interview data.\n\n"
             f"{lines}\n\nStart the app from the repository root (its "
             "`.streamlit/config.toml` sets them all), or fix the flags/environment that "
             f"override them. For local development only: `{DEV_ENV}=1`.",
             icon=":material/gpp_bad:")
    st.stop()
