"""T3 on the wire: files sent straight to Streamlit's upload endpoint, around the page.

The browser's file picker honours the uploader's ``type=`` list, but nothing stops a
client from talking to ``/_stcore/upload_file/<session_id>/<file_id>`` directly. This
module sends such requests to a real ``streamlit run app.py`` (loopback, free port,
throwaway store) and asserts what actually protects the app, layer by layer, as read in
Streamlit 1.67's ``web/server/starlette/starlette_routes.py``:

1. Only ``PUT`` (and ``DELETE``/``OPTIONS``) exist on that route: a ``POST`` is 405.
2. ``PUT`` without the XSRF cookie and header is 403. XSRF is a double-submit check (the
   header must match the cookie), so it stops a cross-site *browser*, not a direct
   client: a self-made matching pair passes it.
3. Past XSRF, a session id the runtime does not know is 400. Session ids are random
   per tab and never shown, so a direct client must already hold a live tab's id.
4. With a live tab's id and token (taken here from the browser's own upload request),
   Streamlit stores any bytes under any name, with no extension or content check. The
   protections are then on the read side:
   - a disallowed extension (``evil.exe``) stops the run in Streamlit's own uploader
     (``enforce_filename_restriction`` raises while the widget value is read): the page
     shows only Streamlit's redacted error, the file is never parsed;
   - binary bytes under an allowed name (``notes.txt``) reach the Upload page, whose
     content sniffing rejects the file with a reason while the rest of the batch parses.
   In neither case does a marker string from the file reach the page.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import FIXTURES
from tests.security.load_support import Server, cache_bytes, running_server, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROUTE = "/_stcore/upload_file"
MARKER = b"ZZ-DIRECT-4711"
"""Seeded into every hostile body: it must never appear on the page."""
BINARY = b"\x7fELF\x02\x01\x01\x00" + bytes(64) + MARKER + bytes(range(256)) * 4
"""An ELF header, NUL bytes and every byte value: binary under any name."""
EXE_TEXT = b"Interviewer: What do you use?\nParticipant: " + MARKER + b" every day.\n"
"""Plain text, so only the extension can stop it (content sniffing would let it pass)."""
REDACTED = "The original error message is redacted"
"""Streamlit's page text for an exception under ``client.showErrorDetails = "none"``."""
GOOD_FILES = sorted((FIXTURES / "browser").glob("*.txt"))[:2]


def multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    """One ``file`` part as the browser sends it: (body, Content-Type header)."""
    boundary = f"----interview-lens-{uuid.uuid4().hex}"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n')
    return head.encode() + data + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}")


def send(url: str, method: str, filename: str, data: bytes,
         token: str | None = None) -> tuple[int, str]:
    """(status, body) of one request carrying ``filename``; ``token`` as cookie and header."""
    body, content_type = multipart(filename, data)
    headers = {"Content-Type": content_type}
    if token is not None:
        headers |= {"X-Xsrftoken": token, "Cookie": f"_streamlit_xsrf={token}"}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def uploads_held(server: Server) -> int:
    return cache_bytes(server.url).get("UploadedFileManager", 0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("direct-upload")) as live:
        yield live


def test_a_post_is_not_a_route(server: Server) -> None:
    status, _ = send(f"{server.url}{ROUTE}/some-session/some-file", "POST", "evil.exe",
                     BINARY)
    assert status == 405
    assert uploads_held(server) == 0


def test_a_put_without_the_xsrf_token_is_refused(server: Server) -> None:
    status, body = send(f"{server.url}{ROUTE}/some-session/some-file", "PUT", "evil.exe",
                        BINARY)
    assert (status, body) == (403, "XSRF token missing or invalid")
    assert uploads_held(server) == 0


def test_a_forged_token_pair_passes_xsrf_but_an_unknown_session_is_refused(
        server: Server) -> None:
    from streamlit.web.server.starlette.starlette_app_utils import (
        generate_xsrf_token_string,
    )

    forged = generate_xsrf_token_string()  # any self-made pair: double-submit only
    status, body = send(f"{server.url}{ROUTE}/{uuid.uuid4()}/{uuid.uuid4()}", "PUT",
                        "evil.exe", BINARY, token=forged)
    assert status == 400 and "Invalid session_id" in body
    assert uploads_held(server) == 0


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        finally:
            browser.close()


def metric(page: Any, label: str) -> Any:
    found = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label))
    return found.locator('[data-testid="stMetricValue"]').first


def rerun(page: Any, name: str) -> None:
    """A rerun of the Upload page (the uploader re-reads its files from the server)."""
    field = page.locator('[data-testid="stTextInput"]').filter(has_text="Project name")
    field.locator("input").fill(name)
    field.locator("input").press("Enter")
    wait_idle(page)


def test_a_live_session_stores_anything_and_the_read_side_refuses_it(
        server: Server, page: Any) -> None:
    from playwright.sync_api import expect

    puts: list[Any] = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" and ROUTE in r.url
            else None)
    page.goto(f"{server.url}/upload")
    wait_idle(page, 90_000)
    page.locator('[data-testid="stFileUploader"]').filter(
        has_text="Transcript files").locator('input[type="file"]').first.set_input_files(
        [str(path) for path in GOOD_FILES])
    expect(metric(page, "Files parsed")).to_have_text("2", timeout=60_000)
    assert len(puts) == 2, [r.url for r in puts]
    token = puts[0].header_value("x-xsrftoken")
    assert token, "the browser's own upload carries the XSRF token"
    first, second = (r.url for r in puts)

    # Binary bytes under an allowed name replace the first file: Streamlit stores them.
    assert send(first, "PUT", "notes.txt", BINARY, token=token)[0] == 204
    rerun(page, "after binary")
    expect(metric(page, "Files rejected")).to_have_text("1", timeout=30_000)
    expect(metric(page, "Files parsed")).to_have_text("1")
    files = page.locator('[data-testid="stExpander"]').filter(has_text="All files")
    files.locator("summary").click()
    table = files.locator('[data-testid="stDataFrame"]')
    expect(table).to_contain_text("notes.txt", timeout=30_000)
    expect(table).to_contain_text("binary file, not text")
    assert MARKER.decode() not in page.content()

    # A disallowed extension replaces the second file: Streamlit's uploader refuses it.
    assert send(second, "PUT", "evil.exe", EXE_TEXT, token=token)[0] == 204
    rerun(page, "after exe")
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(REDACTED,
                                                                   timeout=30_000)
    assert metric(page, "Files parsed").count() == 0, "the run stopped before parsing"
    assert MARKER.decode() not in page.content()
    assert "Invalid file extension: `.exe`" in server.log_text()
    assert MARKER.decode() not in server.log_text()

