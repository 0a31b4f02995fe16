"""``--metadata FILE`` for a streaming project: per-transcript attributes joined in the store.

Why after the files are read and not per chunk: the in-memory ingest attaches metadata once
the batch is final (duplicates dropped, ids made unique), matching a row's id exactly or,
failing that, case-insensitively against every transcript of the batch. Only the transcript
ids (one short string per interview, never the answers) are needed for that match, so it is
done here with the in-memory rules themselves (``analysis.ingest.metadata.apply_metadata`` on
id-only stand-ins) and the result written back in SQL: ``attributes_json`` gains the
columns (a ``role`` column later beats role inference), a ``cohort`` column replaces the
transcript's cohort in ``scale_transcripts`` and in its answers' rows of ``scale_segments``.

Applying the same file twice gives the same rows, so a resumed ingest may run it again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from analysis.ingest.metadata import apply_metadata, read_metadata
from analysis.ingest.options import IngestOptions
from analysis.records import IngestError, IngestResult, Transcript
from analysis.scale.db import query_frame, transaction
from analysis.store import Store

_TRANSCRIPTS = (
    "SELECT t.transcript_id, t.cohort, m.attributes_json FROM scale_transcripts t "
    "JOIN scale_transcript_meta m ON m.project = t.project AND m.transcript_id = t.transcript_id "
    "WHERE t.project = ? ORDER BY m.position"
)


def metadata_digest(path: str | Path) -> str:
    """A short content hash of the metadata file (part of a streaming run's resume key)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return "unreadable"
    return hashlib.sha256(data).hexdigest()[:16]


def read_metadata_file(
    path: str | Path, options: IngestOptions
) -> tuple[dict[str, dict[str, str]] | None, str | None]:
    """(table, None) or (None, the warning ``ingest_paths`` gives for an unusable file)."""
    meta_path = Path(path)
    try:
        if meta_path.stat().st_size > options.max_file_bytes:
            raise IngestError("metadata file is larger than the file limit")
        data = meta_path.read_bytes()
    except (OSError, IngestError) as exc:
        reason = str(exc) if isinstance(exc, IngestError) else "could not read it"
        return None, f"metadata file {meta_path.name} not used: {reason}"
    try:
        return read_metadata(str(meta_path), data, options), None
    except IngestError as exc:
        return None, f"metadata file {meta_path.name} not used: {exc}"


def apply_streaming_metadata(
    store: Store, project: str, table: dict[str, dict[str, str]]
) -> tuple[list[str], list[str]]:
    """Attach ``table`` to the project's transcripts; (unmatched keys, warnings)."""
    frame = query_frame(store, _TRANSCRIPTS, [project])
    stand_ins = [
        Transcript(
            transcript_id=str(tid),
            cohort=str(cohort),
            source_file="",
            turns=[],
            attributes=json.loads(blob),
        )
        for tid, cohort, blob in zip(
            frame["transcript_id"], frame["cohort"], frame["attributes_json"], strict=True
        )
    ]
    before = [(t.cohort, json.dumps(t.attributes, sort_keys=True)) for t in stand_ins]
    result = IngestResult(transcripts=stand_ins)
    apply_metadata(result, table)
    changed = [
        (t.transcript_id, t.cohort, json.dumps(t.attributes, sort_keys=True))
        for t, (cohort, blob) in zip(stand_ins, before, strict=True)
        if (t.cohort, json.dumps(t.attributes, sort_keys=True)) != (cohort, blob)
    ]
    if changed:
        updates = pd.DataFrame(changed, columns=["transcript_id", "cohort", "attributes_json"])
        with transaction(store) as con:
            con.register("_scale_metadata", updates)
            try:
                con.execute(
                    "UPDATE scale_transcript_meta m SET attributes_json = u.attributes_json "
                    "FROM _scale_metadata u WHERE m.project = ? "
                    "AND m.transcript_id = u.transcript_id",
                    [project],
                )
                for table_name in ("scale_transcripts", "scale_segments"):
                    con.execute(
                        f"UPDATE {table_name} t SET cohort = u.cohort FROM _scale_metadata u "
                        "WHERE t.project = ? AND t.transcript_id = u.transcript_id "
                        "AND t.cohort <> u.cohort",
                        [project],
                    )
            finally:
                con.unregister("_scale_metadata")
    return list(result.metadata_unmatched), list(result.warnings)
