"""Security-suite helpers: the app with a hostile project, marker strings, element walks.

The AppTest fixtures (isolated store, navigation like the server) are the page tests'
own, imported so both suites open the app the same way.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from analysis.results import AnalysisResult
from tests.app.conftest import (  # noqa: F401  (fixtures, registered by import)
    APP,
    TIMEOUT,
    _isolated_store,
    fixture_result,
)
from tests.app.fixture_result import HOSTILE_ANSWER, build_result
from ui import state
from ui.cache import fingerprint

MARKER = "ZZ-PII-4711"
"""A string seeded into transcripts that must never reach a page, a log or an error."""

XSS_LABEL = "<script>alert('label')</script> [click](javascript:alert(4))"
XSS_WORDS = ("![](http://tracker.example/w.png), <img src=x onerror=alert(5)>, "
             "$\\href{javascript:alert(8)}{x}$, words")
XSS_COHORT = "<b onmouseover=alert(6)>cohort</b>"

DANGEROUS = [r"(?<!\\)<script", r"(?<!\\)<img", r"(?<!\\)<b\b", r"\]\(javascript:",
             r"!\[\]\(http", r"(?<!\\)onerror=", r"(?<!\\)onmouseover=",
             r"(?<!\\)\$\\href"]
"""Markup that would be live in markdown (a backslash before it makes it literal)."""
SAFE_TYPES = {"text", "code", "dataframe", "arrow_data_frame", "table", "json"}
"""Element types whose body Streamlit never interprets as markdown or HTML."""


def hostile_result() -> AnalysisResult:
    """The page fixture with hostile topic labels and keywords, cohort and role text too."""
    result = build_result()
    topics = result.topics.copy()
    topics.loc[topics["topic_id"] == 0, "label"] = XSS_LABEL
    topics.loc[topics["topic_id"] == 0, "top_words"] = XSS_WORDS
    segments = result.segments.copy()
    segments.loc[segments["topic_id"] == 0, "topic_label"] = XSS_LABEL
    participants = result.participants.copy()
    transcripts = result.transcripts.copy()
    for frame in (participants, transcripts):
        frame.loc[frame["cohort"] == "scientists", "cohort"] = XSS_COHORT
    participants.loc[participants["transcript_id"] == "work_001", "occupation"] = (
        "[boss](javascript:alert(7))")
    result.topics, result.segments = topics, segments
    result.participants, result.transcripts = participants, transcripts
    return result


@pytest.fixture(scope="session")
def hostile() -> AnalysisResult:
    return hostile_result()


def open_with(result: AnalysisResult, page: str | None = None, **session: object) -> AppTest:
    """The app on ``page`` with ``result`` as the open project (as ``open_app`` does)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.ACTIVE_PROJECT] = "Security project"
    at.session_state[state.ACTIVE_RESULT] = result
    at.session_state[state.ACTIVE_FINGERPRINT] = fingerprint(result)
    at.session_state[state.BOOTSTRAPPED] = True
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


@pytest.fixture
def open_app(fixture_result) -> Callable[..., AppTest]:  # noqa: F811
    def _open(page: str | None = None, **session: object) -> AppTest:
        return open_with(fixture_result, page, **session)

    return _open


LOCAL = {None, "", "localhost", "127.0.0.1", "::1"}


@pytest.fixture
def blocked_network(monkeypatch) -> list[str]:
    """In-process version of the guard: outbound operations raise and are recorded."""
    attempts: list[str] = []

    def local(address) -> bool:
        if isinstance(address, str | bytes):
            return True
        host = address[0] if isinstance(address, tuple) and address else address
        return host in LOCAL or str(host).startswith("127.")

    def guarded(original, kind):
        def _guarded(self, address, *args):
            if self.family == getattr(socket, "AF_UNIX", None) or local(address):
                return original(self, address, *args)
            attempts.append(f"{kind} {address!r}")
            raise OSError("network blocked by the test guard")
        return _guarded

    def lookup(original):
        def _lookup(host, *args, **kwargs):
            if host not in LOCAL:
                attempts.append(f"lookup {host!r}")
                raise socket.gaierror("name lookup blocked by the test guard")
            return original(host, *args, **kwargs)
        return _lookup

    monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect, "connect"))
    monkeypatch.setattr(socket.socket, "connect_ex",
                        guarded(socket.socket.connect_ex, "connect"))
    monkeypatch.setattr(socket, "getaddrinfo", lookup(socket.getaddrinfo))
    monkeypatch.setattr(socket, "gethostbyname", lookup(socket.gethostbyname))
    with pytest.raises(OSError):
        socket.create_connection(("tracker.example", 80), timeout=2)
    assert attempts == ["lookup 'tracker.example'"]  # the guard is live
    attempts.clear()
    return attempts


def elements(node) -> Iterator:
    """Every element of an AppTest tree, depth first."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from elements(child)


def markdown_strings(at: AppTest) -> list[tuple[str, str]]:
    """(type, string) of every element body or label Streamlit renders as markdown."""
    found = []
    for element in elements(at._tree):
        kind = getattr(element, "type", "")
        if kind in SAFE_TYPES or hasattr(element, "children") or kind == "unknown":
            continue
        attrs = ("label", "help") if isinstance(element, Widget) else ("value", "body", "label")
        for attr in attrs:
            value = getattr(element, attr, None)
            if isinstance(value, str):
                found.append((kind, value))
    return found


def all_strings(at: AppTest) -> list[str]:
    """Every string an AppTest tree holds: bodies, labels, options, table cells, protos."""
    found: list[str] = []
    for element in elements(at._tree):
        found.append(str(getattr(element, "proto", "")))
        for attr in ("value", "body", "label", "help", "options"):
            try:
                value = getattr(element, attr, None)
            except Exception:  # some element types compute these lazily and may not have them
                continue
            if value is None:
                continue
            if hasattr(value, "to_csv"):
                found.append(value.to_csv())
            else:
                found.append(str(value))
    return found


def assert_no_live_markup(at: AppTest) -> None:
    import re

    for kind, value in markdown_strings(at):
        # Inline code spans are literal in markdown (their backticks are stripped from
        # user text before they are built), so only text outside them can be live.
        value = re.sub(r"`[^`]*`", "", value)
        for needle in DANGEROUS:
            assert not re.search(needle, value), f"{kind} renders {needle!r}: {value[:160]}"


__all__ = ["HOSTILE_ANSWER", "MARKER", "all_strings", "assert_no_live_markup", "elements",
           "markdown_strings", "open_with"]
