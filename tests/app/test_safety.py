"""User text is shown as text: never as HTML, never as live markdown (links, images)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1.element_tree import Widget

from tests.app.fixture_result import HOSTILE_ANSWER, HOSTILE_ID
from ui import state
from ui.widgets import escape_markdown, highlighted

DANGEROUS = [r"(?<!\\)<script", r"(?<!\\)<img", r"\]\(javascript:", r"!\[\]\(http",
             r"onerror=alert"]
"""Unescaped markup (a backslash before ``<`` makes it literal text in markdown)."""
SAFE_TYPES = {"text", "code", "dataframe", "arrow_data_frame", "table"}
"""Elements that never interpret markup."""


def elements(node):
    """Every element of an AppTest tree, depth first."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from elements(child)


def rendered_markup(at) -> list[tuple[str, str]]:
    """(type, string) of every element whose body Streamlit renders as markdown."""
    found = []
    for element in elements(at._tree):
        kind = getattr(element, "type", "")
        if kind in SAFE_TYPES or hasattr(element, "children"):
            continue
        attrs = ("label",) if isinstance(element, Widget) else ("value", "body", "label")
        for attr in attrs:
            value = getattr(element, attr, None) if kind != "unknown" else None
            if isinstance(value, str):
                found.append((kind, value))
    return found


def assert_no_live_markup(at) -> None:
    for kind, value in rendered_markup(at):
        for needle in DANGEROUS:
            assert not re.search(needle, value), f"{kind} renders {needle!r}: {value[:120]}"


def test_escape_markdown_neutralises_links_images_html_and_latex() -> None:
    text = "<b>x</b> [a](javascript:alert(1)) ![](http://t/p.png) $\\href{j}{x}$ :red[x] www.x.com"
    escaped = escape_markdown(text)
    for needle in ("<b>", "](", "![", "$\\href", ":red[", "www.x"):
        assert needle not in escaped
    # every escape is a backslash before the original character: nothing is lost
    assert escaped.replace("\\", "") == text.replace("\\", "")


def test_highlight_escapes_both_sides_of_the_evidence() -> None:
    out = highlighted("before <i>x</i> EVIDENCE [l](u) after", "EVIDENCE [l](u)")
    assert out == "before \\<i\\>x\\<\\/i\\> **EVIDENCE \\[l\\]\\(u\\)** after"


@pytest.mark.parametrize(
    ("page", "session"),
    [
        ("app_pages/quotes.py", {}),
        ("app_pages/outcomes.py", {}),
        ("app_pages/participants.py", {}),
        ("app_pages/topics.py", {}),
    ],
)
def test_hostile_answer_is_never_rendered_as_markup(open_app, page, session) -> None:
    at = open_app(page, **session)
    if page == "app_pages/outcomes.py":
        at.selectbox(key=state.page_key("outcome", "code")).set_value("outcome.saves_time").run()
    if page == "app_pages/participants.py":
        at.selectbox(key=state.page_key("participants", "open")).set_value(HOSTILE_ID).run()
    if page == "app_pages/topics.py":
        at.selectbox(key=state.page_key("topics", "quotes")).set_value(0).run()
    assert not at.exception
    assert_no_live_markup(at)
    shown_as_text = [t.value for t in at.text]
    shown_escaped = [v for _, v in rendered_markup(at) if "\\<script\\>" in v]
    assert HOSTILE_ANSWER in shown_as_text or shown_escaped, "the hostile answer is shown"


def test_hostile_keyword_in_the_filter_line_is_escaped(open_app) -> None:
    at = open_app()
    at.text_input(key=state.WIDGET_PREFIX + state.F_KEYWORD).set_value("<script>").run()
    assert_no_live_markup(at)
    assert any("\\<script\\>" in v for _, v in rendered_markup(at))


def test_hostile_upload_is_shown_as_text(open_app) -> None:
    hostile = (
        "Interviewer: What do you use AI for?\n\n"
        f"Participant: {HOSTILE_ANSWER}\n\n"
        "Interviewer: Anything else?\n\n"
        "Participant: =HYPERLINK(\"http://x\") $\\href{javascript:alert(1)}{x}$\n"
    ).encode()
    at = open_app("app_pages/upload.py")
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [("![](http:__tracker_p.png) <b>x<_b>.txt", hostile, "text/plain")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert HOSTILE_ANSWER in [t.value for t in at.text]
    assert_no_live_markup(at)
