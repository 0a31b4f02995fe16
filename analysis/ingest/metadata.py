"""Optional per-transcript metadata (CSV/XLSX keyed by transcript id).

Every non-id column becomes ``Transcript.attributes[name]``; role-like headers
(occupation, job title, ...) become ``role`` so role inference can prefer them; a ``cohort``
column overrides the folder-derived cohort. Keys that match no transcript are reported.
"""

from __future__ import annotations

from analysis.ingest.archive import check_zip_container
from analysis.ingest.decode import decode_bytes
from analysis.ingest.formats import extension
from analysis.ingest.formats.dataset import csv_rows, sniff_delimiter, xlsx_rows
from analysis.ingest.formats.header import attribute_name
from analysis.ingest.options import IngestOptions
from analysis.records import IngestError, IngestResult

METADATA_ID_COLUMNS = ("transcript_id", "id", "participant_id", "participant")


def _rows(name: str, data: bytes, options: IngestOptions) -> list[list[str]]:
    ext = extension(name)
    if ext in {".xlsx", ".xlsm"}:
        check_zip_container(data, options)
        return xlsx_rows(data)
    text = decode_bytes(data).text
    delimiter = "\t" if ext in {".tsv", ".tab"} else sniff_delimiter(text)
    return list(csv_rows(text, delimiter, options))


def read_metadata(
    name: str, data: bytes, options: IngestOptions | None = None
) -> dict[str, dict[str, str]]:
    """``{transcript id: {attribute: value}}`` from a metadata table."""
    options = options or IngestOptions()
    rows = _rows(name, data, options)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise IngestError("metadata file has no header row")
    header = [h.strip() for h in rows[0]]
    normed = [attribute_name(h) for h in header]
    id_col = next((normed.index(c) for c in METADATA_ID_COLUMNS if c in normed), 0)
    table: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        row = (row + [""] * len(header))[: len(header)]
        key = row[id_col].strip()
        if not key:
            continue
        table[key] = {
            normed[i]: row[i].strip()
            for i in range(len(header))
            if i != id_col and normed[i] and row[i].strip()
        }
    return table


def apply_metadata(result: IngestResult, table: dict[str, dict[str, str]]) -> None:
    """Attach attributes to matching transcripts; record keys that matched nothing."""
    by_id = {t.transcript_id: t for t in result.transcripts}
    by_folded = {t.transcript_id.casefold(): t for t in result.transcripts}
    for key, attributes in table.items():
        transcript = by_id.get(key) or by_folded.get(key.casefold())
        if transcript is None:
            result.metadata_unmatched.append(key)
            continue
        for name, value in attributes.items():
            if name == "cohort":
                transcript.cohort = value
            else:
                transcript.attributes[name] = value
    if result.metadata_unmatched:
        shown = ", ".join(result.metadata_unmatched[:5])
        more = ", ..." if len(result.metadata_unmatched) > 5 else ""
        result.warnings.append(
            f"{len(result.metadata_unmatched)} metadata row(s) matched no transcript id: "
            f"{shown}{more}"
        )
