"""Bytes to text: detect the encoding, refuse binary data, repair common mojibake.

Researchers' files come from Word, Excel on Windows, transcription tools and old exports, so
UTF-8 cannot be assumed. The policy (see research/reliability_anchors.md §2.3): honour BOMs,
try strict UTF-8, then ask charset-normalizer, preferring cp1252 among look-alike Western
code pages; no plausible decoding means the file is not text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from analysis.records import IngestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN_LOOKALIKES = re.compile(r"^(cp125\d|windows_125\d|latin_1|iso8859_\d+|mac_\w+|cp850)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Typical UTF-8-read-as-cp1252 sequences: "â€“", "â€™", "Ã©", "Â ".
_MOJIBAKE = re.compile("â€|Ã[\u0080-\u00bf\u0152-\u203a]|Â[\u00a0-\u00bf]")
_SNIFF_BYTES = 65_536


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text plus how we got it, so the user can see and question the choice."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    return controls / len(sample) > 0.05


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a BOM shows NUL in every other byte of ASCII characters."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")


def fix_mojibake(text: str) -> tuple[str, bool]:
    """Repair UTF-8 that was once decoded as cp1252 (``â€“`` -> ``–``); cheap when clean."""
    # Plain substring tests are ~50x faster than the regex on clean text (50 MB: 20 ms).
    if not any(lead in text for lead in ("â", "Ã", "Â")) or not _MOJIBAKE.search(text):
        return text, False
    import ftfy

    fixed = ftfy.fix_encoding(text)
    return fixed, fixed != text


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes or raise ``IngestError`` when they are not text."""
    if not data.strip():
        raise IngestError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(f"invalid {encoding} text after its byte-order mark") from exc
            return _finish(text, encoding, ())
    sample = data[:_SNIFF_BYTES]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        try:
            return _finish(data.decode(utf16), utf16, ())
        except UnicodeDecodeError:
            pass
    if _looks_binary(sample):
        raise IngestError("binary file, not text")
    try:
        return _finish(data.decode("utf-8"), "utf-8", ())
    except UnicodeDecodeError:
        pass
    return _detect(data)


def _detect(data: bytes) -> Decoded:
    # Mostly-ASCII text with a few high bytes is, in practice, Windows-1252 from Word or
    # Excel; detectors guess poorly on so little evidence. Text dominated by high bytes
    # (Cyrillic, CJK, ...) goes to charset-normalizer.
    sample = data[:_SNIFF_BYTES]
    if sum(b > 127 for b in sample) <= 0.3 * len(sample):
        notes = ("too short to detect the encoding reliably; read as cp1252",)
        try:
            return _finish(data.decode("cp1252"), "cp1252", notes if len(data) < 64 else ())
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("binary file or unknown text encoding")
    encoding = best.encoding
    if _WESTERN_LOOKALIKES.match(encoding):
        try:
            return _finish(data.decode("cp1252"), "cp1252", ())
        except UnicodeDecodeError:
            pass
    text = str(best)
    return _finish(text, encoding, (f"encoding guessed as {encoding}",))


def _finish(text: str, encoding: str, notes: tuple[str, ...]) -> Decoded:
    text = _normalise(text)
    if not text.strip():
        raise IngestError("empty file")
    if len(_CONTROL.findall(text[:_SNIFF_BYTES])) > 0.05 * min(len(text), _SNIFF_BYTES):
        raise IngestError("binary file, not text")
    text, fixed = fix_mojibake(text)
    if fixed:
        notes = (*notes, "repaired mis-decoded characters (mojibake)")
    return Decoded(text=text, encoding=encoding, notes=notes)
