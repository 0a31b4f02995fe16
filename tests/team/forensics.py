"""Look for a string in a file's raw bytes *and* inside every zstd frame found in them.

Why: the store saves result tables as zstd-compressed Parquet, so a participant's words
are not literally in the file even while they are stored. A raw ``bytes.find`` alone would
pass whether or not withdrawal worked. This scanner walks the raw bytes, decodes every zstd
frame it finds (frame and block headers per RFC 8878) and searches the decoded bytes too,
so a test can first prove the marker *is* visible before erasure, then that it is gone.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _frame(data: bytes, start: int) -> tuple[bytes, int] | None:
    """``(frame bytes, declared content size)`` of the zstd frame at ``start``, if valid."""
    pos = start + 4
    if pos >= len(data):
        return None
    fhd = data[pos]
    pos += 1
    fcs_flag, single, checksum, dict_flag = fhd >> 6, (fhd >> 5) & 1, (fhd >> 2) & 1, fhd & 3
    if (fhd >> 3) & 1:  # reserved bit must be zero
        return None
    if not single:
        pos += 1
    pos += (0, 1, 2, 4)[dict_flag]
    fcs_size = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if fcs_size == 0 or pos + fcs_size > len(data):
        return None
    size = int.from_bytes(data[pos : pos + fcs_size], "little") + (256 if fcs_size == 2 else 0)
    pos += fcs_size
    while True:
        if pos + 3 > len(data):
            return None
        header = int.from_bytes(data[pos : pos + 3], "little")
        last, kind, block = header & 1, (header >> 1) & 3, header >> 3
        if kind == 3:
            return None
        pos += 3 + (1 if kind == 1 else block)
        if last:
            break
    pos += 4 if checksum else 0
    return (data[start:pos], size) if pos <= len(data) else None


def _decode(codec: pa.Codec, found: tuple[bytes, int]) -> bytes | None:
    try:
        return codec.decompress(found[0], decompressed_size=found[1]).to_pybytes()
    except (pa.ArrowException, OSError, ValueError):  # a false magic match: not a frame
        return None


def zstd_payloads(data: bytes) -> Iterator[bytes]:
    """The decoded content of every well-formed zstd frame in ``data``."""
    codec = pa.Codec("zstd")
    at = data.find(ZSTD_MAGIC)
    while at != -1:
        found = _frame(data, at)
        if found is not None and 0 < found[1] < 64 * 1024 * 1024:
            decoded = _decode(codec, found)
            if decoded is not None:
                yield decoded
        at = data.find(ZSTD_MAGIC, at + 1)


def occurrences(data: bytes, needle: str) -> int:
    """How often ``needle`` (UTF-8) appears in the raw bytes plus all decoded zstd frames."""
    encoded = needle.encode("utf-8")
    return data.count(encoded) + sum(p.count(encoded) for p in zstd_payloads(data))
