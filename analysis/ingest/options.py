"""User choices and safety limits for one ingestion batch.

Limits live next to the column choices because the same object travels from the upload page
(or CLI) down to every parser: a parser never decides on its own how much it may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(slots=True)
class IngestOptions:
    """Column choices, interviewer overrides and resource caps for ``ingest_*``.

    ``interviewer_override`` maps a transcript id (or ``"*"`` for every transcript) to the
    speaker label that is the interviewer; it beats the automatic decision.
    """

    id_column: str | None = None
    text_column: str | None = None
    cohort_column: str | None = None
    interviewer_override: dict[str, str] = field(default_factory=dict)

    max_file_bytes: int = 50 * MB
    """Largest single file (or archive member) read; bigger files are rejected unread."""
    max_batch_bytes: int = 500 * MB
    """Total bytes (archive members counted uncompressed) one batch may read."""
    max_files: int = 5000
    """Most input files (archive members included) one batch may hold."""
    max_zip_entries: int = 10_000
    max_zip_uncompressed_bytes: int = 500 * MB
    max_zip_ratio: float = 200.0
    """Largest uncompressed/compressed ratio of one archive member (zip-bomb guard)."""
    max_zip_depth: int = 2
    """How many archives deep we read: 1 = a ZIP, 2 = a ZIP inside a ZIP, never deeper."""
    max_csv_field_chars: int = 50 * MB
    """Per-field cap for delimited files, above the csv module's 131,072 default."""
    max_transcripts: int = 100_000

    def interviewer_for(self, transcript_id: str) -> str | None:
        """The overriding interviewer label for one transcript, if the user gave one."""
        return self.interviewer_override.get(transcript_id) or self.interviewer_override.get("*")
