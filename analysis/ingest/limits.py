"""The batch limits in words, so the Upload page can state them before anything is refused.

The numbers live in ``IngestOptions``; this only phrases them, so the page, the rejects
list and the tests can never disagree about what the limits are.
"""

from __future__ import annotations

from analysis.ingest.options import MB, IngestOptions


def describe_limits(options: IngestOptions | None = None) -> str:
    """One line: per-file, per-batch and archive limits of ``options`` (defaults if None)."""
    o = options or IngestOptions()
    return (
        f"Limits: {o.max_file_bytes / MB:g} MB per file; {o.max_batch_bytes / MB:g} MB and "
        f"{o.max_files:,} files per batch (ZIP contents count unpacked); ZIPs up to "
        f"{o.max_zip_entries:,} entries, {o.max_zip_uncompressed_bytes / MB:g} MB unpacked and "
        f"{o.max_zip_depth} levels deep. Files over a limit are listed with the reason."
    )
