"""ZIP archives read in memory under caps: no extraction, no trust in the headers.

Every member is streamed through ``ZipFile.open`` in bounded chunks, so a forged
``file_size`` or a high-ratio bomb stops at the cap instead of exhausting memory. Unsafe
members (zip-slip paths, symlinks, encrypted entries) are reported and skipped; nested
archives are followed only to ``max_zip_depth``. ``.docx`` and ``.xlsx`` reuse ``open_zip``.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field

from analysis.ingest.options import MB, IngestOptions
from analysis.records import IngestError

_CHUNK = 1024 * 1024
_LOCAL_HEADER_BYTES = 30
_DRIVE = re.compile(r"^[A-Za-z]:")
_SYSTEM_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(slots=True)
class ArchiveMembers:
    """Readable members, and members we refused (name, one-line reason)."""

    members: list[tuple[str, bytes]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped_system: int = 0


def open_zip(data: bytes, options: IngestOptions) -> zipfile.ZipFile:
    """Open an in-memory ZIP after checking its entry count; ``IngestError`` if it is not one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise IngestError("not a readable ZIP archive") from exc
    if len(infos) > options.max_zip_entries:
        raise IngestError(f"archive has {len(infos)} entries, limit is {options.max_zip_entries}")
    if _entries_overlap(infos):
        raise IngestError("archive entries overlap (a zip-bomb construction)")
    return archive


def _entries_overlap(infos: list[zipfile.ZipInfo]) -> bool:
    """True when two members share bytes (quoted-overlap bombs, CVE-2024-0450).

    Python 3.11.7 predates zipfile's own check, so we compare each member's local header
    offset with the smallest possible end of the member before it.
    """
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for before, after in itertools.pairwise(ordered):
        minimum_end = before.header_offset + _LOCAL_HEADER_BYTES + before.compress_size
        if after.header_offset < minimum_end:
            return True
    return False


def check_zip_container(data: bytes, options: IngestOptions) -> None:
    """Declared-size caps for an OOXML container (.xlsx) before a library inflates it.

    Declared sizes can lie, but zipfile never yields more than the declared size of a
    member (then fails its CRC check), so a lie cannot smuggle in more data than we allow.
    """
    with open_zip(data, options) as archive:
        infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if total > options.max_zip_uncompressed_bytes:
        raise IngestError(f"workbook expands beyond {options.max_zip_uncompressed_bytes / MB:g} MB")
    ratio = options.max_zip_ratio
    if any(i.compress_size and i.file_size / i.compress_size > ratio for i in infos):
        raise IngestError(f"compression ratio above the limit of {ratio:g}")


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, options: IngestOptions
) -> bytes:
    """Stream one member, stopping at ``limit`` bytes or the compression-ratio cap."""
    if info.flag_bits & 0x1:
        raise IngestError("encrypted archive member")
    if info.compress_size and info.file_size / info.compress_size > options.max_zip_ratio:
        raise IngestError(f"compression ratio above the limit of {options.max_zip_ratio:g}")
    ratio_cap = max(info.compress_size, 1) * options.max_zip_ratio
    buffer = io.BytesIO()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                buffer.write(chunk)
                size = buffer.tell()
                if size > limit:
                    raise IngestError(f"member is larger than the {limit / MB:g} MB limit")
                if size > ratio_cap and size > _CHUNK:
                    raise IngestError(
                        f"compression ratio above the limit of {options.max_zip_ratio:g}"
                    )
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise IngestError("damaged or unsupported archive member") from exc
    except RuntimeError as exc:  # zipfile raises RuntimeError for encrypted members
        raise IngestError("encrypted archive member") from exc
    return buffer.getvalue()


def safe_member_name(name: str) -> str | None:
    """Normalised display name, or None for zip-slip style names (absolute, ``..``, drive)."""
    if "\x00" in name:
        return None
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or _DRIVE.match(cleaned):
        return None
    parts = cleaned.split("/")
    if ".." in parts:
        return None
    normal = posixpath.normpath(cleaned)
    return None if normal in {".", ""} else normal


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def read_zip(data: bytes, options: IngestOptions) -> ArchiveMembers:
    """All readable members of a ZIP, within the entry, size and ratio caps."""
    archive = open_zip(data, options)
    out = ArchiveMembers()
    total = 0
    seen: set[str] = set()
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = safe_member_name(info.filename)
            display = info.filename.replace("\x00", "?")[:200]
            if name is None:
                out.refused.append((display, "unsafe path in archive, ignored"))
                continue
            if any(part in _SYSTEM_PARTS or part.startswith("._") for part in name.split("/")):
                out.skipped_system += 1
                continue
            if _is_symlink(info):
                out.refused.append((name, "symbolic link in archive, ignored"))
                continue
            if name in seen:
                out.refused.append((name, "duplicate name in archive, ignored"))
                continue
            seen.add(name)
            remaining = options.max_zip_uncompressed_bytes - total
            if remaining <= 0:
                out.refused.append(
                    (name, f"archive exceeds {options.max_zip_uncompressed_bytes / MB:g} MB total")
                )
                continue
            try:
                body = read_member(archive, info, min(options.max_file_bytes, remaining), options)
            except IngestError as exc:
                out.refused.append((name, str(exc)))
                continue
            total += len(body)
            out.members.append((name, body))
    return out
