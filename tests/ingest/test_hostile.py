"""Limits and hostile inputs (issue 6 threats T1-T9): clear reasons, bounded work, no crash."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from analysis.ingest import IngestOptions, ingest_blobs
from analysis.ingest.options import MB
from tests.ingest.helpers import docx_xml, fixture_bytes, make_docx, make_zip

GOOD = fixture_bytes("qa_teacher.txt")


def _reasons(result) -> dict[str, tuple[str, str]]:
    return {f.file: (f.status, f.reason) for f in result.files}


def test_oversized_file_is_rejected_unread_with_name_and_limit() -> None:
    options = IngestOptions(max_file_bytes=1000)
    result = ingest_blobs(
        [("big.txt", b"Q: x?\nA: " + b"y" * 2000), ("ok.txt", GOOD)], options=options
    )
    status = _reasons(result)
    assert status["big.txt"] == ("rejected", "file big.txt is 0.0 MB, limit is 0.000953674 MB")
    assert status["ok.txt"][0] == "parsed"


def test_file_count_and_batch_byte_limits_name_the_file_and_the_limit() -> None:
    blobs = [(f"t{i}.txt", GOOD) for i in range(5)]
    by_count = _reasons(ingest_blobs(blobs, options=IngestOptions(max_files=3)))
    assert [s for s, _ in by_count.values()] == ["parsed"] * 3 + ["rejected"] * 2
    assert by_count["t4.txt"][1] == "file t4.txt not read: the batch limit of 3 files was reached"
    by_bytes = _reasons(ingest_blobs(blobs, options=IngestOptions(max_batch_bytes=len(GOOD) * 2)))
    assert [s for s, _ in by_bytes.values()] == ["parsed"] * 2 + ["rejected"] * 3
    assert "t2.txt" in by_bytes["t2.txt"][1] and "MB limit" in by_bytes["t2.txt"][1]


def test_one_bad_file_never_stops_the_batch() -> None:
    result = ingest_blobs(
        [("a.pdf", b"%PDF-1.7"), ("b.txt", b"\x00\x01binary"), ("c.txt", GOOD), ("d.json", b"{")]
    )
    status = _reasons(result)
    assert status["a.pdf"] == ("rejected", "unsupported file type '.pdf'")
    assert status["b.txt"] == ("rejected", "binary file, not text")
    assert status["c.txt"][0] == "parsed"
    assert status["d.json"][1].startswith("invalid JSON")
    assert len(result.transcripts) == 1


def test_zip_bomb_stops_at_the_ratio_cap() -> None:
    bomb = make_zip({"bomb.txt": b"A" * (20 * MB)})
    assert len(bomb) < 100_000
    status = _reasons(ingest_blobs([("bomb.zip", bomb)]))
    assert status == {"bomb.zip/bomb.txt": ("rejected", "compression ratio above the limit of 200")}


def _patch_sizes(data: bytes, size: int) -> bytes:
    """Forge the uncompressed size in both local and central headers (a lying archive)."""
    raw = bytearray(data)
    local = raw.find(b"PK\x03\x04")
    raw[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = raw.find(b"PK\x01\x02")
    raw[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(raw)


def test_lying_size_headers_are_read_with_a_bounded_stream() -> None:
    honest = make_zip({"t.txt": GOOD * 200})
    status = _reasons(ingest_blobs([("lie.zip", _patch_sizes(honest, 40))]))
    assert status["lie.zip/t.txt"] == ("rejected", "damaged or unsupported archive member")
    # Claiming a huge size does not help a bomb either: the stream stops at the real cap.
    big = make_zip({"t.txt": b"B" * (3 * MB)})
    options = IngestOptions(max_zip_ratio=1e9, max_file_bytes=2 * MB)
    status = _reasons(ingest_blobs([("lie.zip", _patch_sizes(big, 100))], options=options))
    assert status["lie.zip/t.txt"][0] == "rejected"


def test_entry_count_total_size_and_nesting_caps() -> None:
    many = make_zip({f"f{i}.txt": GOOD for i in range(30)})
    status = _reasons(ingest_blobs([("many.zip", many)], options=IngestOptions(max_zip_entries=20)))
    assert status == {"many.zip": ("rejected", "archive has 30 entries, limit is 20")}

    options = IngestOptions(max_zip_uncompressed_bytes=len(GOOD) * 2)
    status = _reasons(
        ingest_blobs(
            [("three.zip", make_zip({"a.txt": GOOD, "b.txt": GOOD, "c.txt": GOOD}))],
            options=options,
        )
    )
    assert status["three.zip/a.txt"][0] == status["three.zip/b.txt"][0] == "parsed"
    assert status["three.zip/c.txt"][0] == "rejected"
    assert "MB" in status["three.zip/c.txt"][1]

    inner = make_zip({"a.txt": GOOD})
    nested = make_zip({"l2.zip": make_zip({"l3.zip": inner})})
    status = _reasons(ingest_blobs([("l1.zip", nested)]))
    assert status == {
        "l1.zip/l2.zip/l3.zip": ("rejected", "archive nested deeper than the limit of 2")
    }
    assert _reasons(ingest_blobs([("l1.zip", make_zip({"l2.zip": inner}))])) == {
        "l1.zip/l2.zip/a.txt": ("parsed", "")
    }


def test_zip_slip_symlink_and_encrypted_members_are_ignored_with_a_note() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("../evil.txt", "/etc/passwd.txt", "C:\\win.txt", "a/../../up.txt"):
            archive.writestr(zipfile.ZipInfo(name), GOOD)
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("fine.txt", GOOD)
    status = _reasons(ingest_blobs([("odd.zip", buffer.getvalue())]))
    assert status == {
        "odd.zip/../evil.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip//etc/passwd.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip/C:\\win.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip/a/../../up.txt": ("rejected", "unsafe path in archive, ignored"),
        "odd.zip/link.txt": ("rejected", "symbolic link in archive, ignored"),
        "odd.zip/fine.txt": ("parsed", ""),
    }


def _set_encrypted_flag(data: bytes) -> bytes:
    """Mark the first member as encrypted in both headers (bit 0 of the general flags)."""
    raw = bytearray(data)
    raw[raw.find(b"PK\x03\x04") + 6] |= 0x1
    raw[raw.find(b"PK\x01\x02") + 8] |= 0x1
    return bytes(raw)


def test_encrypted_members_are_rejected() -> None:
    locked = _set_encrypted_flag(make_zip({"locked.txt": GOOD}))
    status = _reasons(ingest_blobs([("locked.zip", locked), ("locked.docx", locked)]))
    assert status == {
        "locked.zip/locked.txt": ("rejected", "encrypted archive member"),
        "locked.docx": ("rejected", "not a Word document: word/document.xml is missing"),
    }


def test_overlapping_entries_are_refused_before_reading() -> None:
    raw = bytearray(make_zip({"a.txt": GOOD, "b.txt": GOOD}))
    second = raw.find(b"PK\x01\x02", raw.find(b"PK\x01\x02") + 4)
    raw[second + 42 : second + 46] = (0).to_bytes(4, "little")  # b.txt now points at a.txt
    status = _reasons(ingest_blobs([("overlap.zip", bytes(raw))]))
    assert status == {
        "overlap.zip": ("rejected", "archive entries overlap (a zip-bomb construction)")
    }


def test_corrupt_and_empty_archives() -> None:
    status = _reasons(
        ingest_blobs([("bad.zip", b"PK\x03\x04 not really"), ("empty.zip", make_zip({}))])
    )
    assert status == {
        "bad.zip": ("rejected", "not a readable ZIP archive"),
        "empty.zip": ("rejected", "archive holds no files"),
    }


def test_docx_with_a_dtd_or_bomb_is_rejected() -> None:
    lol = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    evil = make_docx(document_xml=docx_xml(["Interviewer: &b;?", "Participant: ok"], prolog=lol))
    bomb = make_docx(document_xml=docx_xml(["Interviewer: q?", "Participant: " + "A" * 5 * MB]))
    status = _reasons(
        ingest_blobs([("evil.docx", evil), ("bomb.docx", bomb), ("junk.docx", b"no")])
    )
    assert status == {
        "evil.docx": ("rejected", "Word document XML is unsafe or malformed"),
        "bomb.docx": ("rejected", "compression ratio above the limit of 200"),
        "junk.docx": ("rejected", "not a readable ZIP archive"),
    }


def test_fifty_megabyte_single_line_is_handled_without_a_crash() -> None:
    line = b"Interviewer: one question?\nParticipant: " + b"word " * (10 * MB)
    options = IngestOptions(max_file_bytes=60 * MB)
    result = ingest_blobs([("line.txt", line), ("flat.txt", b"x" * (50 * MB))], options=options)
    status = _reasons(result)
    assert status["line.txt"][0] == "parsed"
    assert status["flat.txt"] == (
        "rejected",
        "unknown structure: no consistent speaker labels found",
    )
    assert len(result.transcripts[0].turns[1].text) == 50 * MB - 1


def test_csv_field_over_the_default_limit_and_over_our_bound() -> None:
    answer = "I draft tenders with it. " * 8000  # 200,000 chars > csv's 131,072 default
    data = f'transcript_id,text\nlong,"Interviewer: How?\nParticipant: {answer}"\n'.encode()
    result = ingest_blobs([("long.csv", data)])
    assert result.transcripts[0].turns[1].text == answer.strip()
    capped = ingest_blobs([("long.csv", data)], options=IngestOptions(max_csv_field_chars=100_000))
    assert capped.files[0].reason == (
        "unreadable CSV near line 3: a field is longer than the limit of 100,000 characters"
    )


def test_ragged_csv_rows_are_padded_or_trimmed_and_reported() -> None:
    data = (
        b"transcript_id,text,site\n"
        b'r1,"Interviewer: Any AI?\nParticipant: Yes, daily.",Leeds,EXTRA\n'
        b"r2\n"
        b'r3,"Interviewer: Any AI?\nParticipant: Never."\n'
    )
    result = ingest_blobs([("ragged.csv", data)])
    assert [t.transcript_id for t in result.transcripts] == ["r1", "r3"]
    assert result.files[0].reason == (
        "row 2 has 4 fields, expected 3; row 3 has 1 fields, expected 3; "
        "row 3 skipped: empty text; row 4 has 2 fields, expected 3"
    )


def test_json_nested_ten_thousand_deep_is_rejected_not_a_recursion_error() -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    deep_obj = b'{"messages": ' * 10_000 + b"1" + b"}" * 10_000
    status = _reasons(ingest_blobs([("deep.json", deep), ("deep2.json", deep_obj)]))
    assert status == {
        "deep.json": ("rejected", "JSON nested too deeply"),
        "deep2.json": ("rejected", "JSON nested too deeply"),
    }


def test_jsonl_with_one_bad_line_among_many_keeps_the_rest() -> None:
    line = {"messages": [{"role": "assistant", "content": "Q?"}, {"role": "user", "content": ""}]}
    lines = []
    for i in range(1000):
        line["messages"][1]["content"] = f"answer {i}"
        lines.append(json.dumps({"id": f"c{i}", **line}))
    lines[417] = '{"id": "c417", "messages": [SECRET TEXT'
    result = ingest_blobs([("big.jsonl", "\n".join(lines).encode())])
    assert len(result.transcripts) == 999
    assert result.files[0].reason.startswith("line 418: invalid JSON")
    assert "SECRET" not in result.files[0].reason


@pytest.mark.parametrize(
    "payload",
    [b"[1, 2, 3]", b'{"a": NaN}', b'"just a string"', b'{"messages": "nope"}', b"[]"],
)
def test_json_of_the_wrong_shape_is_an_unknown_structure(payload: bytes) -> None:
    status = _reasons(ingest_blobs([("x.json", payload)]))
    assert status == {"x.json": ("rejected", "unknown JSON structure: no chat messages found")}


def test_workbook_caps_apply_before_openpyxl_reads_it() -> None:
    from tests.ingest.helpers import make_xlsx

    workbook = make_xlsx([["transcript_id", "text"], ["x", "Q: a?\nA: " + "b " * 50_000]])
    options = IngestOptions(max_zip_uncompressed_bytes=20_000)
    status = _reasons(ingest_blobs([("big.xlsx", workbook)], options=options))
    assert status == {"big.xlsx": ("rejected", "workbook expands beyond 0.0190735 MB")}
    status = _reasons(
        ingest_blobs([("big.xlsx", workbook)], options=IngestOptions(max_zip_ratio=5))
    )
    assert status == {"big.xlsx": ("rejected", "compression ratio above the limit of 5")}
    assert _reasons(ingest_blobs([("big.xlsx", workbook)]))["big.xlsx"][0] == "parsed"
