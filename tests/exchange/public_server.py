"""A loopback HTTP server for the public-dataset tests: serves given bytes at given paths,
counts requests, and can stall to provoke a timeout. Binds 127.0.0.1 only."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HF_PREFIX = "/datasets/Anthropic/AnthropicInterviewer/resolve/main/interview_transcripts/"


class Served:
    def __init__(self, files: dict[str, bytes], delay: float = 0.0) -> None:
        self.files = files
        self.delay = delay
        self.requests: list[str] = []
        self.base = ""


def hf_layout(folder: Path) -> dict[str, bytes]:
    """``<cohort>.csv`` files of ``folder`` at Hugging Face's ``<cohort>_transcripts.csv``."""
    return {f"{HF_PREFIX}{p.stem}_transcripts.csv": p.read_bytes()
            for p in sorted(folder.glob("*.csv"))}


@contextmanager
def serve(files: dict[str, bytes], delay: float = 0.0) -> Iterator[Served]:
    served = Served(files, delay)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            body = served.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if served.delay:
                time.sleep(served.delay)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.base = f"http://127.0.0.1:{server.server_address[1]}{HF_PREFIX}"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
