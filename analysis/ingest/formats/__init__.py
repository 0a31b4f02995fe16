"""Pick the parser for one file by its extension (and, for plain text, a content sniff).

``parse_blob`` raises only ``IngestError``: every parser converts the failures it expects
into a one-line reason, and the property tests hold it to that.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from analysis.ingest.archive import check_zip_container
from analysis.ingest.decode import decode_bytes
from analysis.ingest.formats.chat import parse_json, parse_jsonl
from analysis.ingest.formats.dataset import parse_delimited, parse_xlsx
from analysis.ingest.formats.docx import parse_docx
from analysis.ingest.formats.plaintext import parse_labelled_text
from analysis.ingest.formats.subtitles import parse_captions
from analysis.ingest.options import MB, IngestOptions
from analysis.ingest.raw import ParsedFile
from analysis.records import IngestError

TABLE_EXTENSIONS = {".csv", ".tsv", ".tab"}
TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".text", ""}
CAPTION_EXTENSIONS = {".vtt", ".srt"}
JSON_EXTENSIONS = {".json", ".jsonl", ".ndjson"}
SUPPORTED_EXTENSIONS = (
    TABLE_EXTENSIONS | TEXT_EXTENSIONS | CAPTION_EXTENSIONS | JSON_EXTENSIONS
) | {".xlsx", ".xlsm", ".docx", ".zip"}
_SRT_START = re.compile(r"^\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2},\d{1,3}\s*-->")


def extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.casefold()


def parse_blob(name: str, data: bytes, options: IngestOptions | None = None) -> ParsedFile:
    """Parse one (non-archive) file's bytes into raw transcripts or raise ``IngestError``."""
    options = options or IngestOptions()
    ext = extension(name)
    if ext not in SUPPORTED_EXTENSIONS:
        raise IngestError(f"unsupported file type {ext[:20]!r}")
    if len(data) > options.max_file_bytes:
        raise IngestError(
            f"file is {len(data) / MB:.1f} MB, limit is {options.max_file_bytes / MB:g} MB"
        )
    if ext == ".zip":
        raise IngestError("archives are expanded by the batch reader, not parsed as text")
    if ext in {".xlsx", ".xlsm"}:
        check_zip_container(data, options)
        parsed = parse_xlsx(data, options=options)
        parsed.encoding = "xlsx"
        return parsed
    if ext == ".docx":
        return ParsedFile(transcripts=[parse_docx(data, options)], encoding="docx")
    decoded = decode_bytes(data)
    text = decoded.text
    if ext in TABLE_EXTENSIONS:
        parsed = parse_delimited(text, extension=ext, options=options)
    elif ext in {".jsonl", ".ndjson"}:
        parsed = parse_jsonl(text)
    elif ext == ".json":
        parsed = parse_json(text)
    elif ext in CAPTION_EXTENSIONS or text.lstrip().startswith("WEBVTT") or _SRT_START.match(text):
        parsed = ParsedFile(transcripts=[parse_captions(text)])
    elif text.lstrip()[:1] in {"{", "["} and ext in TEXT_EXTENSIONS:
        try:
            parsed = parse_json(text)
        except IngestError:
            parsed = ParsedFile(transcripts=[parse_labelled_text(text)])
    else:
        parsed = ParsedFile(transcripts=[parse_labelled_text(text)])
    parsed.encoding = decoded.encoding
    parsed.warnings = [*decoded.notes, *parsed.warnings]
    return parsed
