"""Datasets with one transcript per row (CSV/TSV/XLSX), or one turn per row (long format).

The Anthropic Interviewer CSVs are the canonical case (``transcript_id,text``). A bad row is
reported by number and skipped; it never sinks the other rows of the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from analysis.ingest.formats.header import attribute_name
from analysis.ingest.formats.plaintext import parse_labelled_text
from analysis.ingest.options import IngestOptions
from analysis.ingest.raw import ParsedFile, RawTranscript, RawTurn
from analysis.records import IngestError

ID_COLUMNS = (
    "transcript_id", "id", "participant_id", "participant", "interview_id",
    "conversation_id", "dialog_id", "session_id",
)  # fmt: skip
TEXT_COLUMNS = ("text", "transcript", "content", "conversation", "dialogue", "dialog", "body")
TURN_TEXT_COLUMNS = ("text", "content", "utterance", "message", "turn", "value")
SPEAKER_COLUMNS = ("speaker", "role", "author", "from", "speaker_label")
COHORT_COLUMNS = ("cohort", "group", "split")
_MAX_ROW_WARNINGS = 5
_MAX_HEADER_CHARS = 60
_MAX_NAMED_COLUMNS = 12
_GUESS_ROWS = 50
_MIN_TEXT_CHARS = 40


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold().replace(" ", "_")


def _looks_like_data(cell: str) -> bool:
    return len(cell) > _MAX_HEADER_CHARS or "\n" in cell


def column_names(header: list[str]) -> str:
    """Header names for messages; cells that look like transcript text are not quoted."""
    shown = [
        f"(column {i + 1})" if _looks_like_data(name) else name
        for i, name in enumerate(header[:_MAX_NAMED_COLUMNS])
    ]
    return ", ".join(shown) + (", ..." if len(header) > _MAX_NAMED_COLUMNS else "")


def _guess_text_column(header: list[str], rows: list[list[str]]) -> int | None:
    """The column with the longest cells: transcripts dwarf ids, dates and labels."""
    sample = [header, *rows[:_GUESS_ROWS]]
    widths = [
        sum(len(row[i]) for row in sample if i < len(row)) / len(sample) for i in range(len(header))
    ]
    best = max(range(len(widths)), key=lambda i: widths[i], default=None)
    return best if best is not None and widths[best] >= _MIN_TEXT_CHARS else None


def _pick(header: list[str], wanted: str | None, defaults: Iterable[str]) -> int | None:
    normed = [_norm(h) for h in header]
    if wanted:
        if _norm(wanted) not in normed:
            raise IngestError(f"column {wanted!r} not found; columns are {column_names(header)}")
        return normed.index(_norm(wanted))
    for name in defaults:
        if name in normed:
            return normed.index(name)
    return None


def sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(text: str, delimiter: str, options: IngestOptions) -> Iterator[list[str]]:
    """Rows of a decoded CSV/TSV text (see ``csv_stream_rows``)."""
    yield from csv_stream_rows(io.StringIO(text, newline=""), delimiter, options)


def csv_stream_rows(
    handle: TextIO, delimiter: str, options: IngestOptions
) -> Iterator[list[str]]:
    """Rows of a CSV/TSV text stream; ``IngestError`` naming the line for malformed CSV.

    Shared by the in-memory reader and the streaming one (``analysis.scale.ingest``), so a
    bad file gets the same reason either way.
    """
    # The csv default (131,072 chars) is too small for long transcripts; raise it to a
    # deliberate bound instead of sys.maxsize (see reliability_anchors §2.3).
    csv.field_size_limit(options.max_csv_field_chars)
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        detail = (
            f"a field is longer than the limit of {options.max_csv_field_chars:,} characters"
            if "field larger" in str(exc)
            else "malformed"
        )
        raise IngestError(f"unreadable CSV near line {reader.line_num}: {detail}") from exc


def parse_delimited(text: str, *, extension: str, options: IngestOptions) -> ParsedFile:
    delimiter = "\t" if extension in {".tsv", ".tab"} else sniff_delimiter(text)
    rows = csv_rows(text, delimiter, options)
    header = next(rows, None)
    if not header or not any(h.strip() for h in header):
        raise IngestError("empty table: no header row")
    return rows_to_transcripts(header, rows, options)


def xlsx_rows(data: bytes) -> list[list[str]]:
    """All cells of the first sheet as text; ``IngestError`` for anything openpyxl rejects."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise IngestError("workbook has no sheets")
            sheet = workbook.worksheets[0]
            return [
                ["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
    except IngestError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise IngestError("not a readable XLSX workbook") from exc


def parse_xlsx(data: bytes, *, options: IngestOptions) -> ParsedFile:
    rows = xlsx_rows(data)
    if not rows or not any(h.strip() for h in rows[0]):
        raise IngestError("empty workbook: no header row")
    return rows_to_transcripts(rows[0], rows[1:], options)


def rows_to_transcripts(
    header: list[str], rows: Iterable[list[str]], options: IngestOptions
) -> ParsedFile:
    """Turn table rows into transcripts, wide (a text per row) or long (a turn per row)."""
    header = [h.strip() for h in header]
    id_col = _pick(header, options.id_column, ID_COLUMNS)
    cohort_col = _pick(header, options.cohort_column, COHORT_COLUMNS)
    speaker_col = None if options.text_column else _pick(header, None, SPEAKER_COLUMNS)
    if speaker_col is not None and id_col is not None:
        turn_col = _pick(header, None, TURN_TEXT_COLUMNS)
        rows = list(rows)
        ids = [row[id_col] for row in rows if len(row) > id_col]
        # Long format repeats the id on every turn; a wide table with a "role" attribute
        # column (the participant's job) has one row per id and stays wide.
        if turn_col is not None and len(set(ids)) < len(ids):
            return _long_format(header, rows, id_col, speaker_col, turn_col, cohort_col)
    text_col = _pick(header, options.text_column, TEXT_COLUMNS)
    first_row = 2
    if text_col is None:
        rows = list(rows)
        text_col = _guess_text_column(header, rows)
        if text_col is None:
            raise IngestError(f"no transcript text column; columns are {column_names(header)}")
        if _looks_like_data(header[text_col]):  # no header row: the first row is data
            rows = [header, *rows]
            header = [f"column_{i + 1}" for i in range(len(header))]
            id_col = 0 if text_col != 0 else None
            first_row = 1
    used = {i for i in (id_col, text_col, cohort_col) if i is not None}
    parsed = ParsedFile(transcripts=[], multi=True)
    ragged = skipped = 0
    for number, row in enumerate(rows, start=first_row):
        if len(row) != len(header):
            ragged += 1
            if ragged <= _MAX_ROW_WARNINGS:
                parsed.warnings.append(
                    f"row {number} has {len(row)} fields, expected {len(header)}"
                )
            row = (row + [""] * len(header))[: len(header)]
        if not any(cell.strip() for cell in row):
            continue
        text = row[text_col]
        if "\n" not in text and "\\n" in text:  # TSV exports often escape newlines
            text = text.replace("\\r\\n", "\n").replace("\\n", "\n")
        if not text.strip():
            skipped += 1
            if skipped <= _MAX_ROW_WARNINGS:
                parsed.warnings.append(f"row {number} skipped: empty text")
            continue
        try:
            raw = parse_labelled_text(text, location=f"row {number}")
        except IngestError as exc:
            skipped += 1
            if skipped <= _MAX_ROW_WARNINGS:
                parsed.warnings.append(f"row {number} skipped: {exc}")
            continue
        if id_col is not None and row[id_col].strip():
            raw.transcript_id = row[id_col].strip()
        if cohort_col is not None and row[cohort_col].strip():
            raw.cohort = row[cohort_col].strip()
        for i, name in enumerate(header):
            if i not in used and name and row[i].strip():
                raw.attributes[attribute_name(name)] = row[i].strip()
        parsed.transcripts.append(raw)
    if ragged > _MAX_ROW_WARNINGS:
        parsed.warnings.append(f"{ragged} rows in all had the wrong number of fields")
    if skipped > _MAX_ROW_WARNINGS:
        parsed.warnings.append(f"{skipped} rows in all were skipped")
    if not parsed.transcripts:
        reason = parsed.warnings[0] if parsed.warnings else "no data rows"
        raise IngestError(f"no transcripts found ({reason})")
    return parsed


def _long_format(
    header: list[str],
    rows: Iterable[list[str]],
    id_col: int,
    speaker_col: int,
    text_col: int,
    cohort_col: int | None,
) -> ParsedFile:
    by_id: dict[str, RawTranscript] = {}
    for number, row in enumerate(rows, start=2):
        row = (row + [""] * len(header))[: len(header)]
        key = row[id_col].strip()
        speaker = row[speaker_col].strip()
        if not key or not speaker:
            continue
        raw = by_id.setdefault(
            key, RawTranscript(turns=[], transcript_id=key, location=f"row {number}")
        )
        if cohort_col is not None and row[cohort_col].strip():
            raw.cohort = row[cohort_col].strip()
        text = row[text_col].strip()
        if raw.turns and raw.turns[-1].speaker == speaker:
            raw.turns[-1].text = f"{raw.turns[-1].text}\n\n{text}".strip()
        else:
            raw.turns.append(RawTurn(speaker=speaker, text=text))
    if not by_id:
        raise IngestError("no transcripts found (no rows with an id and a speaker)")
    return ParsedFile(transcripts=list(by_id.values()), multi=True)
