"""No leaks (T10-T13, T15): user text never renders as markup, exports carry no formulas,
and failures never put transcript text on the page or in the logs."""

from __future__ import annotations

import csv
import io
import logging
import re
import tomllib

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.export import FORMULA_TRIGGERS, to_csv_bytes, to_xlsx_bytes
from analysis.filters import FilterSpec, apply_filters
from tests.conftest import PROJECT_ROOT
from tests.security.conftest import (
    MARKER,
    XSS_COHORT,
    XSS_LABEL,
    all_strings,
    assert_no_live_markup,
    elements,
    open_with,
)
from ui import state

PAGES = sorted(p.name for p in (PROJECT_ROOT / "app_pages").glob("*.py"))


def _markdown_allows_html(at) -> list[str]:
    found = []
    for element in elements(at._tree):
        proto = getattr(element, "proto", None)
        if getattr(proto, "allow_html", False):
            found.append(str(getattr(element, "value", ""))[:80])
    return found


def test_hostile_topic_labels_words_cohorts_and_roles_render_as_text(hostile,
                                                                     blocked_network) -> None:
    """Every page of the app, one session (as a user clicking through them), offline:
    the sweep also proves no page makes an outbound connection (a tracking image in a
    label must stay text, and nothing may phone home)."""
    at = open_with(hostile)
    assert len(PAGES) >= 10
    for page in PAGES:
        at.switch_page(f"app_pages/{page}").run()
        if page == "topics.py":
            at.selectbox(key=state.page_key("topics", "quotes")).set_value(0).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert_no_live_markup(at)
        assert _markdown_allows_html(at) == [], page
    assert blocked_network == []


def test_hostile_label_reaches_the_page_only_as_plain_or_escaped_text(hostile) -> None:
    """The checks above must be looking at the label: find it in a safe form."""
    at = open_with(hostile, "app_pages/topics.py")
    at.selectbox(key=state.page_key("topics", "quotes")).set_value(0).run()
    strings = "\n".join(all_strings(at))
    assert XSS_LABEL in strings  # as table cells / options (never interpreted)
    at = open_with(hostile, "app_pages/overview.py",
                   **{state.F_COHORTS: [XSS_COHORT]})
    escaped = [v for e in elements(at._tree) for v in [getattr(e, "value", None)]
               if isinstance(v, str) and "\\<b onmouseover" in v]
    assert escaped, "the hostile cohort appears escaped in the filter line"


def test_the_checker_sees_live_markup_when_escaping_is_removed(hostile, monkeypatch) -> None:
    """Sanity: with ``escape_markdown`` made a no-op, the suite would fail."""
    import ui.widgets

    monkeypatch.setattr(ui.widgets, "escape_markdown", lambda text: str(text))
    at = open_with(hostile, "app_pages/quotes.py")
    with pytest.raises(AssertionError, match="renders"):
        assert_no_live_markup(at)


INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1",
              "=cmd|' /C calc'!A0"]


def _export_context(result):
    from ui.widgets import PageContext

    spec = FilterSpec()
    return PageContext(project=state.ActiveProject("p", result, "fp"), spec=spec,
                       view=apply_filters(result, spec), filters_text="", min_group_size=5,
                       presentation=False)


@pytest.fixture
def injected(fixture_result):
    result = fixture_result
    segments = result.segments.copy()
    segments["answer"] = [INJECTIONS[i % len(INJECTIONS)] for i in range(len(segments))]
    segments["question"] = "=1+1"
    participants = result.participants.copy()
    participants["occupation"] = "@evil"
    from dataclasses import replace

    return replace(result, segments=segments, participants=participants)


def test_csv_exports_escape_every_formula_trigger(injected) -> None:
    from ui.widgets import coded_answers, participants_table

    ctx = _export_context(injected)
    for frame in (coded_answers(ctx), participants_table(ctx)):
        rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"),
                                           newline="")))
        cells = [cell for row in rows for cell in row]
        # numbers ("-1", a topic id) are numeric cells, never formulas
        live = [c for c in cells if c.startswith(FORMULA_TRIGGERS)
                and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
        assert live == []
    answers = pd.read_csv(io.BytesIO(to_csv_bytes(coded_answers(ctx))), encoding="utf-8-sig",
                          keep_default_na=False)
    assert set(answers["answer"]) == {"'" + value for value in INJECTIONS}  # round-trips


def test_xlsx_exports_hold_no_formula_cells(injected) -> None:
    from ui.widgets import coded_answers, participants_table

    ctx = _export_context(injected)
    data = to_xlsx_bytes({"participants": participants_table(ctx),
                          "coded answers": coded_answers(ctx)})
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert len(cells) > 100
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    strings = [c.value for c in cells if isinstance(c.value, str)]
    assert not [s for s in strings if s.startswith(FORMULA_TRIGGERS)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in strings


def test_the_audit_trail_export_goes_through_the_same_escaper() -> None:
    from analysis.audit import audit_csv

    frame = pd.DataFrame({"detail": ["=HYPERLINK(\"http://x\")", "@SUM(A1)"]})
    cells = [row[0] for row in csv.reader(io.StringIO(audit_csv(frame).decode("utf-8-sig")))]
    assert cells[1:] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)"]


def test_error_details_and_data_export_are_off() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["disableDataExport"] is True
    assert config["runner"]["magicEnabled"] is False


FAILING_FILES = [
    ("broken.json", f'{{"messages": [{{"role": "user", "content": "{MARKER}"'.encode()),
    ("nolabels.txt", f"{MARKER} talks without any speaker labels at all.\n".encode() * 3),
    ("nocolumn.csv", f"a,b\n{MARKER},{MARKER}\n".encode()),
    ("bad.docx", b"PK\x03\x04" + MARKER.encode() * 20),
    ("chats.jsonl", f'{{"id": "x", "messages": [{MARKER}\n'.encode()),
]


@pytest.fixture
def all_logs(caplog):
    """caplog at DEBUG that also hears Streamlit's own loggers (they do not propagate)."""
    caplog.set_level(logging.DEBUG)
    streamlit_logger = logging.getLogger("streamlit")
    streamlit_logger.addHandler(caplog.handler)
    logging.getLogger("streamlit.security.probe").error("probe")
    assert any(r.getMessage() == "probe" for r in caplog.records)  # the capture is live
    yield caplog
    streamlit_logger.removeHandler(caplog.handler)


def _marker_free(at, caplog, capsys) -> None:
    page = "\n".join(all_strings(at))
    logs = "\n".join(r.getMessage() + str(r.exc_info or "") + str(r.exc_text or "")
                     for r in caplog.records)
    captured = capsys.readouterr()
    assert MARKER not in page
    assert MARKER not in logs
    assert MARKER not in captured.err + captured.out


def test_files_that_fail_to_parse_never_echo_their_text(open_app, all_logs, capsys) -> None:
    caplog = all_logs
    at = open_app("app_pages/upload.py")
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [(name, data, "application/octet-stream") for name, data in FAILING_FILES]).run()
    assert not at.exception
    rejected = at.dataframe[0].value
    assert sorted(rejected["file"]) == sorted(name for name, _ in FAILING_FILES)
    assert all(reason for reason in rejected["reason"])
    _marker_free(at, caplog, capsys)


def test_a_failing_analysis_never_echoes_its_error_text(open_app, monkeypatch, all_logs,
                                                       capsys) -> None:
    """An exception deep in the pipeline quoting an answer reaches neither page nor logs.

    (The transcript itself is on the page, in the preview, on purpose: the check is on the
    exception's text, marked with ``MARKER``, and on the answer in the logs.)"""
    good = (PROJECT_ROOT / "tests" / "fixtures" / "app" / "interview_nurse.txt").read_bytes()
    answer = "I'm a ward nurse in a children's hospital"
    assert answer.encode() in good

    def run_pipeline(source, **kwargs):
        raise ValueError(f"could not embed {MARKER}: {source.transcripts[0].turns[1].text}")

    monkeypatch.setattr("analysis.pipeline.run_pipeline", run_pipeline)
    caplog = all_logs
    at = open_app("app_pages/upload.py")
    at.file_uploader(key=state.UPLOAD_FILES).set_value([("nurse.txt", good, "text/plain")]).run()
    at.button(key="upload.analyse").click().run()
    for _ in range(20):  # the analysis runs on the job queue: follow it until it ends
        if any("ValueError" in e.value for e in at.error):
            break
        at.run()
    assert any("ValueError" in e.value for e in at.error), [e.value for e in at.error]
    _marker_free(at, caplog, capsys)
    assert answer not in "\n".join(r.getMessage() + str(r.exc_text or "")
                                    for r in caplog.records)


def test_the_cli_never_echoes_text_of_failing_files(tmp_path, capsys, all_logs) -> None:
    from analysis.cli import main

    caplog = all_logs
    for name, data in FAILING_FILES:
        (tmp_path / name).write_bytes(data)
    code = main(["ingest", str(tmp_path), "--out", str(tmp_path / "out")])
    assert code != 0 or (tmp_path / "out" / "files.csv").is_file()
    files = (tmp_path / "out" / "files.csv").read_text() if (
        tmp_path / "out" / "files.csv").is_file() else ""
    assert MARKER not in files
    captured = capsys.readouterr()
    assert MARKER not in captured.out + captured.err
    assert MARKER not in "\n".join(r.getMessage() for r in caplog.records)
    assert re.search(r"rejected|could not", captured.out + captured.err + files)


HTML_SINKS = {("st", "html"), ("st", "iframe"), ("components", "html"),
              ("components", "iframe"), ("v1", "html"), ("v1", "iframe")}
"""Streamlit calls that render a string as live HTML (or a path/URL as a page, T13)."""


def html_sinks(source: str, filename: str = "<src>") -> list[str]:
    """Calls that could render user text as HTML: ``st.html``, component HTML/iframes,
    any ``unsafe_allow_html=`` other than a literal False."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            base = func.value
            owner = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
            if (owner, func.attr) in HTML_SINKS:
                found.append(f"{filename}:{node.lineno} {owner}.{func.attr}()")
        for keyword in node.keywords:
            if keyword.arg == "unsafe_allow_html" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                found.append(f"{filename}:{node.lineno} unsafe_allow_html")
    return found


def test_no_page_or_ui_code_renders_html() -> None:
    files = [*(PROJECT_ROOT / "ui").rglob("*.py"), *(PROJECT_ROOT / "app_pages").rglob("*.py"),
             PROJECT_ROOT / "app.py"]
    found = [hit for path in files
             for hit in html_sinks(path.read_text(encoding="utf-8"), path.name)]
    assert found == []


@pytest.mark.parametrize("snippet", [
    "st.html(answer)", "st.markdown(answer, unsafe_allow_html=True)",
    "st.markdown(answer, unsafe_allow_html=flag)",
    "import streamlit.components.v1 as components\ncomponents.html(answer)",
    "st.iframe(path)", "st.components.v1.html(answer)",
])
def test_the_html_scan_catches_each_sink(snippet: str) -> None:
    assert html_sinks(snippet), snippet
