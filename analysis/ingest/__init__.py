"""Transcript ingestion: files, folders and ZIPs in any format -> typed transcript records.

Public entry points (the upload page and the CLI call only these):
``ingest_paths``, ``ingest_blobs``, ``IngestOptions``, ``speaker_summary`` and
``apply_interviewer_override``. Tables for display and export live in ``analysis.ingest.tables``.
"""

from __future__ import annotations

from analysis.ingest.formats import SUPPORTED_EXTENSIONS, parse_blob
from analysis.ingest.options import IngestOptions
from analysis.ingest.pipeline import ingest_blobs, ingest_paths
from analysis.ingest.speakers import apply_interviewer_override, speaker_summary
from analysis.records import IngestError, IngestResult

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "IngestError",
    "IngestOptions",
    "IngestResult",
    "apply_interviewer_override",
    "ingest_blobs",
    "ingest_paths",
    "parse_blob",
    "speaker_summary",
]
