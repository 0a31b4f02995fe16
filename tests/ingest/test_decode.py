"""Encodings users' files arrive in: BOMs, UTF-16, cp1252, mojibake, binary impostors."""

from __future__ import annotations

import pytest

from analysis.ingest import ingest_blobs
from analysis.ingest.decode import decode_bytes, fix_mojibake
from analysis.records import IngestError
from tests.ingest.helpers import fixture_bytes

SAMPLE = (
    fixture_bytes("header_nurse.txt")
    .decode("utf-8")
    .replace("Thanks for making time", "Thänks for making time — café naïve “quoted”")
)


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("cp1252", "cp1252"),
    ],
)
def test_each_encoding_decodes_exactly_and_is_reported(encoding: str, reported: str) -> None:
    decoded = decode_bytes(SAMPLE.encode(encoding))
    assert decoded.encoding == reported
    assert decoded.text == SAMPLE
    assert "\ufeff" not in decoded.text


def test_bom_never_leaks_into_the_first_speaker_label() -> None:
    data = "Interviewer: Any AI?\nParticipant: Yes.\n".encode("utf-8-sig")
    result = ingest_blobs([("bom.txt", data)])
    assert result.transcripts[0].turns[0].speaker == "Interviewer"
    assert result.files[0].encoding == "utf-8-sig"
    assert result.transcripts[0].encoding == "utf-8-sig"


def test_latin1_text_without_cp1252_only_bytes_reads_as_cp1252() -> None:
    text = "Interviewer: Où utilisez-vous l'IA ?\nParticipant: Pour les résumés, déjà traités.\n"
    decoded = decode_bytes(text.encode("latin-1"))
    assert decoded.text == text
    assert decoded.encoding == "cp1252"


def test_windows_line_endings_are_normalised() -> None:
    assert decode_bytes(b"Q: a?\r\nA: b\r\n").text == "Q: a?\nA: b\n"


def test_mojibake_is_repaired_and_noted() -> None:
    result = ingest_blobs([("m.txt", fixture_bytes("mojibake_interview.txt"))])
    turns = result.transcripts[0].turns
    assert (
        turns[0].text
        == "How did the new AI scheduling tool change your week – for better or worse?"
    )
    assert "it’s been better" in turns[1].text
    assert "mojibake" in result.files[0].reason


def test_clean_text_is_left_alone_by_the_mojibake_fixer() -> None:
    text = "Café – “naïve” Ångström, Âge, Ãnything?"
    assert fix_mojibake("Plain ASCII only.") == ("Plain ASCII only.", False)
    assert fix_mojibake(text)[0] == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "binary file"),
        (bytes(range(32)) * 40, "binary file"),
    ],
)
def test_empty_and_binary_files_raise_a_typed_error(data: bytes, reason: str) -> None:
    with pytest.raises(IngestError, match=reason):
        decode_bytes(data)


def test_tiny_non_utf8_file_says_the_guess_is_weak() -> None:
    decoded = decode_bytes("Q: Café?\nA: Oui.".encode("cp1252"))
    assert decoded.text == "Q: Café?\nA: Oui."
    assert decoded.notes == ("too short to detect the encoding reliably; read as cp1252",)
