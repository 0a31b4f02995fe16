"""Hostile uploads end to end (T1-T9, T21) through the Upload page's own parser call.

Every case goes through ``ui.upload.parse_uploads`` (what the page calls, which calls
``analysis.ingest.ingest_blobs``) next to a good transcript, and asserts the per-file
reason (naming the file and the limit), that the good file was still parsed, and that
Python's peak allocation during the parse stayed under a stated cap (``tracemalloc``).
Size limits are lowered through ``IngestOptions`` where the defaults would need hundreds
of megabytes of test data; the code path is unchanged. The unit-level details (reason
texts of each parser) are in ``tests/ingest/test_hostile.py``; this suite proves the same
protections hold as the app uses them.
"""

from __future__ import annotations

import functools
import io
import json
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest

from analysis.ingest.options import MB, IngestOptions
from tests.conftest import FIXTURES
from tests.ingest.helpers import docx_xml, make_docx, make_zip
from ui import state
from ui.upload import ParsedBatch, limits_note, parse_uploads

GOOD_NAME = "interview_nurse.txt"
GOOD = (FIXTURES / "app" / GOOD_NAME).read_bytes()


@pytest.fixture
def caps(monkeypatch) -> Callable[..., None]:
    """Lower the batch limits the app's parse uses (``parse_uploads`` builds its options)."""

    def _caps(**limits: int) -> None:
        monkeypatch.setattr("analysis.ingest.IngestOptions",
                            functools.partial(IngestOptions, **limits))

    return _caps


def parse_bounded(blobs: list[tuple[str, bytes]], cap_mb: float) -> dict[str, tuple[str, str]]:
    """Parse like the page, the good transcript first; assert it parsed and the memory cap."""
    tracemalloc.start()
    try:
        batch: ParsedBatch = parse_uploads([(GOOD_NAME, GOOD), *blobs])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    status = dict(zip(batch.files["file"], zip(batch.files["status"], batch.files["reason"],
                                               strict=True), strict=True))
    assert status.pop(GOOD_NAME)[0] == "parsed", "the good file of the batch was parsed"
    assert any(t.source_file == GOOD_NAME for t in batch.ingest.transcripts)
    assert peak < cap_mb * MB, f"peak {peak / MB:.1f} MB over the {cap_mb} MB cap"
    return status


def test_the_limits_the_page_states_are_the_ones_enforced(open_app) -> None:
    import tomllib

    from tests.conftest import PROJECT_ROOT

    defaults = IngestOptions()
    assert limits_note() == (
        "Limits: 50 MB per file; 500 MB and 5,000 files per batch (ZIP contents count "
        "unpacked); ZIPs up to 10,000 entries, 500 MB unpacked and 2 levels deep. Files over "
        "a limit are listed with the reason.")
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * MB == defaults.max_file_bytes
    at = open_app("app_pages/upload.py")
    at.file_uploader(key=state.UPLOAD_FILES).set_value([(GOOD_NAME, GOOD, "text/plain")]).run()
    assert limits_note() in [c.value for c in at.caption]


def test_oversized_file_is_refused_unread(caps) -> None:
    caps(max_file_bytes=1 * MB)
    status = parse_bounded([("huge.txt", b"Interviewer: q?\nParticipant: " + b"a" * 2 * MB)],
                           cap_mb=8)
    assert status == {"huge.txt": ("rejected", "file huge.txt is 2.0 MB, limit is 1 MB")}


def test_batch_byte_and_file_count_limits_name_the_file_and_the_limit(caps) -> None:
    limit = len(GOOD) * 3 + 10
    caps(max_batch_bytes=limit)
    status = parse_bounded([(f"b{i}.txt", GOOD) for i in range(4)], cap_mb=8)
    assert [s for s, _ in status.values()] == ["parsed", "parsed", "rejected", "rejected"]
    assert status["b2.txt"][1] == (
        f"file b2.txt not read: the batch would exceed its {limit / MB:g} MB limit")
    caps(max_files=3)
    status = parse_bounded([(f"n{i}.txt", GOOD) for i in range(4)], cap_mb=8)
    assert status == {
        "n0.txt": ("parsed", ""), "n1.txt": ("parsed", ""),
        "n2.txt": ("rejected", "file n2.txt not read: the batch limit of 3 files was reached"),
        "n3.txt": ("rejected", "file n3.txt not read: the batch limit of 3 files was reached"),
    }


def _deflate_bomb(size: int) -> bytes:
    """A ZIP with one member of ``size`` bytes of 'A' (ratio about 1000:1)."""
    return make_zip({"bomb.txt": b"A" * size})


def _forge_sizes(data: bytes, size: int) -> bytes:
    """Rewrite the member's uncompressed size in both headers (a lying archive)."""
    raw = bytearray(data)
    local = raw.find(b"PK\x03\x04")
    raw[local + 22: local + 26] = size.to_bytes(4, "little")
    central = raw.find(b"PK\x01\x02")
    raw[central + 24: central + 28] = size.to_bytes(4, "little")
    return bytes(raw)


def test_zip_bomb_by_ratio_is_refused_from_its_header() -> None:
    bomb = _deflate_bomb(30 * MB)
    assert len(bomb) < 60_000
    status = parse_bounded([("bomb.zip", bomb)], cap_mb=4)
    assert status == {
        "bomb.zip/bomb.txt": ("rejected", "compression ratio above the limit of 200")}


def test_zip_bomb_with_lying_headers_stops_while_streaming() -> None:
    bomb = _forge_sizes(_deflate_bomb(30 * MB), 1000)  # claims a harmless 1,000 bytes
    status = parse_bounded([("liar.zip", bomb)], cap_mb=48)
    assert status["liar.zip/bomb.txt"][0] == "rejected"
    assert status["liar.zip/bomb.txt"][1] in {
        "compression ratio above the limit of 200", "damaged or unsupported archive member"}


def test_zip_total_size_entry_count_and_nesting(caps) -> None:
    caps(max_zip_uncompressed_bytes=len(GOOD) * 2)
    status = parse_bounded(
        [("three.zip", make_zip({"a.txt": GOOD, "b.txt": GOOD, "c.txt": GOOD}))], cap_mb=8)
    assert status == {
        "three.zip/a.txt": ("parsed", ""), "three.zip/b.txt": ("parsed", ""),
        "three.zip/c.txt": ("rejected", f"archive exceeds {len(GOOD) * 2 / MB:g} MB total")}
    many = make_zip({f"e{i}.txt": b"" for i in range(101)}, compression=zipfile.ZIP_STORED)
    nested = make_zip({"l2.zip": make_zip({"l3.zip": make_zip({"deep.txt": GOOD})})})
    caps(max_zip_entries=100)  # the default is 10,000: same check, a smaller archive
    status = parse_bounded([("many.zip", many), ("l1.zip", nested)], cap_mb=8)
    assert status == {
        "many.zip": ("rejected", "archive has 101 entries, limit is 100"),
        "l1.zip/l2.zip/l3.zip": ("rejected", "archive nested deeper than the limit of 2"),
    }


def test_zip_slip_symlinks_and_encrypted_members_are_never_extracted(tmp_path,
                                                                     monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # anything written relative to the cwd would land here
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("../escape.txt", "/abs.txt", "C:\\win.txt"):
            archive.writestr(zipfile.ZipInfo(name), GOOD)
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("fine.txt", GOOD)
    locked = bytearray(make_zip({"locked.txt": GOOD}))
    locked[locked.find(b"PK\x03\x04") + 6] |= 0x1
    locked[locked.find(b"PK\x01\x02") + 8] |= 0x1
    status = parse_bounded([("odd.zip", buffer.getvalue()), ("locked.zip", bytes(locked))],
                           cap_mb=8)
    assert status == {
        "odd.zip/../escape.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip//abs.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip/C:\\win.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip/link.txt": ("rejected", "symbolic link in archive, ignored"),
        "odd.zip/fine.txt": ("parsed", ""),
        "locked.zip/locked.txt": ("rejected", "encrypted archive member"),
    }
    assert list(tmp_path.iterdir()) == [] and not (tmp_path.parent / "escape.txt").exists()


def test_docx_entities_are_never_resolved_and_docx_bombs_are_capped() -> None:
    laughs = ('<!DOCTYPE d [<!ENTITY a "ZZZZZZZZZZ">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]>")
    billion = make_docx(document_xml=docx_xml(["Interviewer: &i;?", "Participant: ok"],
                                              prolog=laughs))
    xxe = make_docx(document_xml=docx_xml(
        ["Interviewer: &x;?", "Participant: ok"],
        prolog='<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'))
    bomb = make_docx(document_xml=docx_xml(["Interviewer: q?", "Participant: " + "A" * 20 * MB]))
    status = parse_bounded([("laughs.docx", billion), ("xxe.docx", xxe), ("bomb.docx", bomb)],
                           cap_mb=16)
    assert status == {
        "laughs.docx": ("rejected", "Word document XML is unsafe or malformed"),
        "xxe.docx": ("rejected", "Word document XML is unsafe or malformed"),
        "bomb.docx": ("rejected", "compression ratio above the limit of 200"),
    }


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "binary file, not text"),
        ("setup.txt", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(2000), "binary file, not text"),
        ("nul.txt", b"Interviewer: q?\x00\nParticipant: a\x00" * 50, "binary file, not text"),
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3", "unsupported file type '.pdf'"),
        ("notes.exe", b"MZ", "unsupported file type '.exe'"),
    ],
)
def test_binary_and_disguised_files(name: str, data: bytes, reason: str) -> None:
    assert parse_bounded([(name, data)], cap_mb=8) == {name: ("rejected", reason)}


def test_unknown_and_legacy_encodings_decode_or_are_named() -> None:
    text = "Interviewer: Wie nutzen Sie KI?\nParticipant: Für Entwürfe – täglich, ça va.\n"
    blobs = [("cp1252.txt", text.encode("cp1252")),
             ("utf16.txt", text.encode("utf-16")),
             ("sjis.txt", "Interviewer: AIは?\nParticipant: 毎日使います。\n".encode("shift_jis")
              * 20),
             ("noise.txt", bytes(range(128, 256)) * 64)]
    status = parse_bounded(blobs, cap_mb=16)
    assert status["cp1252.txt"][0] == status["utf16.txt"][0] == "parsed"
    assert status["sjis.txt"][0] == "parsed"
    assert status["noise.txt"][0] == "rejected"
    assert status["noise.txt"][1] in {"binary file, not text",
                                      "binary file or unknown text encoding",
                                      "unknown structure: no consistent speaker labels found"}


def test_fifty_megabyte_single_line_is_bounded() -> None:
    line = b"Interviewer: one question?\nParticipant: " + b"word " * (10 * MB - 10)
    assert len(line) > 49 * MB
    status = parse_bounded([("line.txt", line)], cap_mb=50 * 8)
    assert status == {"line.txt": ("parsed", "")}


def test_csv_field_over_the_default_limit_and_ragged_rows() -> None:
    answer = "I draft tenders with it. " * 8000  # 200,000 chars > csv's 131,072 default
    long_csv = f'transcript_id,text\nlong,"Interviewer: How?\nParticipant: {answer}"\n'
    ragged = (b"transcript_id,text,site\n"
              b'r1,"Interviewer: Any AI?\nParticipant: Yes, daily.",Leeds,EXTRA\n'
              b"r2\n"
              b'r3,"Interviewer: Any AI?\nParticipant: Never."\n')
    status = parse_bounded([("long.csv", long_csv.encode()), ("ragged.csv", ragged)], cap_mb=16)
    assert status["long.csv"] == ("parsed", "")
    assert status["ragged.csv"] == ("parsed", (
        "row 2 has 4 fields, expected 3; row 3 has 1 fields, expected 3; "
        "row 3 skipped: empty text; row 4 has 2 fields, expected 3"))


def test_deep_json_and_jsonl_with_one_bad_line() -> None:
    lines = []
    for i in range(1000):
        lines.append(json.dumps({"id": f"c{i}", "messages": [
            {"role": "assistant", "content": "What do you use AI for?"},
            {"role": "user", "content": f"Answer {i}: drafting reports."}]}))
    lines[417] = '{"id": "c417", "messages": [ZZ-PII-4711 unterminated'
    tracemalloc.start()
    batch = parse_uploads([(GOOD_NAME, GOOD), ("deep.json", b"[" * 10_000 + b"]" * 10_000),
                           ("chats.jsonl", "\n".join(lines).encode())])
    tracemalloc.stop()
    status = dict(zip(batch.files["file"], batch.files["reason"], strict=True))
    assert status["deep.json"] == "JSON nested too deeply"
    assert status["chats.jsonl"].startswith("line 418: invalid JSON")
    assert "ZZ-PII-4711" not in status["chats.jsonl"]
    kept = [t for t in batch.ingest.transcripts if t.source_file == "chats.jsonl"]
    assert len(kept) == 999


@pytest.mark.parametrize(
    ("answers", "expect"),
    [([], "no participant answers"),
     (["I use it for emails every day."], "distinct answer"),
     ([f"Answer number {i} about something." for i in range(5)], "distinct answer"),
     (["I use it to draft emails."] * 200, "distinct answer")],
    ids=["zero", "one", "five", "200-identical"],
)
def test_degenerate_uploads_give_a_plain_message(answers: list[str], expect: str) -> None:
    """From the upload parse to the topic model (T21; engine detail in tests/engine)."""
    from dataclasses import replace

    from analysis.config import PipelineConfig
    from analysis.pipeline import run_pipeline

    body = "Interviewer: Hello, what do you do?\n\n" + "".join(
        f"Participant: {a}\n\nInterviewer: Thanks. Can you say more?\n\n" for a in answers)
    if not answers:
        body += "Participant: \n\n"
    batch = parse_uploads([("degenerate.txt", body.encode()), (GOOD_NAME, GOOD)])
    ingest = batch.ingest
    ingest.transcripts = [t for t in ingest.transcripts if t.source_file != GOOD_NAME]
    if not ingest.transcripts:  # zero answers: the parser already said why
        assert batch.files.set_index("file").loc["degenerate.txt", "status"] == "rejected"
        return
    config = replace(PipelineConfig(), embedding_backend="hashing")
    result = run_pipeline(ingest, project="degenerate", store=None, config=config)
    assert (result.segments["topic_id"] == -1).all()
    assert any(expect in message for message in result.messages), result.messages
