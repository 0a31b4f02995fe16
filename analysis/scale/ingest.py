"""Streaming ingest: input files -> ``scale_transcripts`` / ``scale_segments``, chunk by chunk.

Why not ``analysis.ingest.ingest_paths``: it returns every transcript of the batch at once,
and a 100,000-transcript CSV is larger than its per-file limit. Here a wide CSV/TSV dataset
(``transcript_id,text``) is read row by row with the csv module and handed to the same row
parser (``rows_to_transcripts``), transcript builder (``build_file_transcripts``) and
segmenter (``segment_transcript``) as the in-memory pipeline, a few hundred rows at a time,
so answers, questions, ids and cohorts are identical. Every other input (text, chat,
captions, DOCX, XLSX, ZIP, long-format tables, non-UTF-8 CSVs) goes file by file through
the existing per-file ingest with its limits.

Batch rules kept from the in-memory ingest: inputs in the same order (folders sorted),
identical transcripts kept once (first wins, by ``content_key``), at most
``max_transcripts``, colliding ids suffixed ``_2``, ``_3``...; every file ends parsed or
rejected with a one-line reason (``scale_files``). A run that stopped part-way resumes at
the first file not yet listed; rows of a half-read file are dropped first.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analysis.embedding import text_key
from analysis.ingest.build import build_file_transcripts, content_key
from analysis.ingest.decode import fix_mojibake
from analysis.ingest.formats import extension
from analysis.ingest.formats.dataset import (
    SPEAKER_COLUMNS,
    TEXT_COLUMNS,
    _pick,
    csv_stream_rows,
    rows_to_transcripts,
    sniff_delimiter,
)
from analysis.ingest.options import IngestOptions
from analysis.ingest.pipeline import _Batch, _run
from analysis.ingest.sources import Source, sources_from_paths
from analysis.records import FileReport, IngestError, Transcript
from analysis.scale.db import insert_rows, query_frame, transaction
from analysis.scale.metadata import apply_streaming_metadata, read_metadata_file
from analysis.segment import segment_transcript
from analysis.store import Store

ProgressFn = Callable[[str, float], None]
STREAMED_EXTENSIONS = {".csv", ".tsv", ".tab"}
ROWS_PER_PARSE = 256
"""Dataset rows handed to the row parser at a time (a few MB of text)."""
_READ_BYTES = 1 << 20
_MAX_REASON_CHARS = 400
_MAX_WARNINGS = 200


@dataclass(slots=True)
class IngestSummary:
    """What the ingest stage did (counts also land in ``run.json``)."""

    files: int = 0
    parsed: int = 0
    rejected: int = 0
    transcripts: int = 0
    segments: int = 0
    duplicates: int = 0
    streamed_files: int = 0
    metadata_unmatched: int = 0
    """Rows of the ``--metadata`` file whose id matched no transcript."""
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)


# -- reading one dataset file row by row ---------------------------------------------
def _clean(cell: str) -> str:
    """What ``decode_bytes`` does to the whole text, done per cell (newlines, BOM, mojibake)."""
    if "\r" in cell:
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufeff" in cell:
        cell = cell.replace("\ufeff", "")
    return fix_mojibake(cell)[0]


def _utf8_encoding(path: Path) -> str | None:
    """``utf-8``/``utf-8-sig`` when the whole file is valid UTF-8 text, else None (the file
    then takes the per-file path, which detects other encodings or rejects it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = handle.read(_READ_BYTES)
        if not first.strip() or b"\x00" in first[:65536]:
            return None
        encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
        block = first
        try:
            while block:
                decoder.decode(block)
                block = handle.read(_READ_BYTES)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return encoding


def _rows(path: Path, encoding: str, delimiter: str, options: IngestOptions) -> Iterator[list[str]]:
    """Cleaned rows; ``IngestError`` with the line number for malformed CSV (as csv_rows)."""
    with path.open(encoding=encoding, newline="") as handle:
        for row in csv_stream_rows(handle, delimiter, options):
            yield [_clean(cell) for cell in row]


@dataclass(slots=True)
class _Dataset:
    """A CSV/TSV that can be streamed: its encoding, delimiter and header."""

    path: Path
    encoding: str
    delimiter: str
    header: list[str]


def _open_dataset(path: Path, options: IngestOptions) -> _Dataset | None:
    """The dataset when it is wide UTF-8 with a recognised text column, else None.

    Raises ``IngestError`` for a file that is structurally broken (checked by a full pass
    first, so a bad file is rejected whole, as the in-memory ingest rejects it).
    """
    encoding = _utf8_encoding(path)
    if encoding is None:
        return None
    if extension(path.name) in {".tsv", ".tab"}:
        delimiter = "\t"
    else:
        with path.open(encoding=encoding, newline="") as handle:
            delimiter = sniff_delimiter(_clean(handle.read(65536)))
    rows = _rows(path, encoding, delimiter, options)
    header = next(rows, None)
    if not header or not any(h.strip() for h in header):
        raise IngestError("empty table: no header row")
    names = [h.strip() for h in header]
    speaker = None if options.text_column else _pick(names, None, SPEAKER_COLUMNS)
    if speaker is not None or _pick(names, options.text_column, TEXT_COLUMNS) is None:
        return None  # long format or an unnamed text column: needs the whole file
    for _row in rows:  # validation pass: malformed CSV raises before anything is written
        pass
    return _Dataset(path=path, encoding=encoding, delimiter=delimiter, header=header)


def _dataset_transcripts(
    dataset: _Dataset, source: Source, options: IngestOptions, notes: list[str]
) -> Iterator[list[Transcript]]:
    """Typed transcripts of a streamed dataset, ``ROWS_PER_PARSE`` rows at a time."""
    stem = PurePosixPath(source.name.replace("\\", "/")).stem
    rows = _rows(dataset.path, dataset.encoding, dataset.delimiter, options)
    next(rows)  # header
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == ROWS_PER_PARSE:
            yield _parse_rows(dataset.header, batch, source, stem, options, notes)
            batch = []
    if batch:
        yield _parse_rows(dataset.header, batch, source, stem, options, notes)


def _parse_rows(
    header: list[str],
    rows: list[list[str]],
    source: Source,
    stem: str,
    options: IngestOptions,
    notes: list[str],
) -> list[Transcript]:
    try:
        parsed = rows_to_transcripts(header, rows, options)
    except IngestError as exc:  # a run of rows without one transcript: noted, file goes on
        notes.append(str(exc))
        return []
    transcripts, built_notes = build_file_transcripts(
        parsed,
        source_file=source.name,
        stem=stem,
        cohort_hint=source.cohort_hint,
        options=options,
    )
    notes.extend([*parsed.warnings, *built_notes])
    return transcripts


# -- writing -----------------------------------------------------------------------------
class _Columns:
    """Rows collected as one list per column, ready for ``insert_rows``."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {}

    def add(self, **row: object) -> None:
        for name, value in row.items():
            self.columns.setdefault(name, []).append(value)


class _Writer:
    """Batch rules across files (duplicates, cap, unique ids) and chunked writes."""

    def __init__(self, store: Store, project: str, options: IngestOptions, chunk: int) -> None:
        self.store, self.project, self.options, self.chunk = store, project, options, chunk
        known = query_frame(
            store,
            "SELECT transcript_id, content_key FROM scale_transcript_meta WHERE project = ?",
            [project],
        )
        self.seen: dict[str, str] = dict(
            zip(known["content_key"], known["transcript_id"], strict=True)
        )
        self.used: set[str] = set(known["transcript_id"])
        counters = query_frame(
            store,
            "SELECT (SELECT coalesce(max(position) + 1, 0) FROM scale_transcript_meta "
            "WHERE project = ?) AS t, (SELECT coalesce(max(position) + 1, 0) FROM scale_files "
            "WHERE project = ?) AS f",
            [project, project],
        ).iloc[0]
        self.position, self.file_position = int(counters.t), int(counters.f)
        self.buffer: list[tuple[Transcript, str]] = []
        """Transcripts kept but not written yet, with their content keys."""

    def add(self, transcripts: Sequence[Transcript], summary: IngestSummary) -> None:
        for transcript in transcripts:
            key = content_key(transcript)
            if key in self.seen:
                summary.duplicates += 1
                continue
            if len(self.seen) >= self.options.max_transcripts:
                summary.warn(f"only the first {self.options.max_transcripts} transcripts are kept")
                continue
            self.seen[key] = transcript.transcript_id
            original = transcript.transcript_id
            if original in self.used:
                n = 2
                while f"{original}_{n}" in self.used:
                    n += 1
                transcript.transcript_id = f"{original}_{n}"
                summary.warn(
                    f"transcript id {original!r} used more than once; the copy from "
                    f"{transcript.source_file} is now {transcript.transcript_id!r}"
                )
            self.used.add(transcript.transcript_id)
            self.buffer.append((transcript, key))
            if len(self.buffer) >= self.chunk:
                self.flush(summary)

    def flush(self, summary: IngestSummary, report: FileReport | None = None) -> None:
        """Write buffered transcripts (and, at a file's end, its report) in one transaction."""
        transcripts, meta, segments = _Columns(), _Columns(), _Columns()
        for transcript, key in self.buffer:
            parts = segment_transcript(transcript)
            for segment in parts:
                segments.add(
                    project=self.project,
                    transcript_id=segment.transcript_id,
                    segment_index=segment.segment_index,
                    cohort=transcript.cohort,
                    question=segment.question,
                    answer=segment.answer,
                    text_hash=text_key(segment.answer),
                    n_words=len(segment.answer.split()),
                )
            transcripts.add(
                project=self.project,
                transcript_id=transcript.transcript_id,
                cohort=transcript.cohort,
                source_file=transcript.source_file,
                n_segments=len(parts),
            )
            meta.add(
                project=self.project,
                transcript_id=transcript.transcript_id,
                position=self.position,
                n_turns=len(transcript.turns),
                n_participant_turns=len(transcript.participant_turns),
                encoding=transcript.encoding,
                content_key=key,
                attributes_json=json.dumps(transcript.attributes, sort_keys=True),
            )
            self.position += 1
        self.buffer = []
        with transaction(self.store) as con:
            insert_rows(con, "scale_transcripts", transcripts.columns)
            insert_rows(con, "scale_transcript_meta", meta.columns)
            insert_rows(con, "scale_segments", segments.columns)
            if report is not None:
                insert_rows(
                    con,
                    "scale_files",
                    {
                        "project": [self.project],
                        "position": [self.file_position],
                        "file": [report.file],
                        "status": [report.status],
                        "transcripts": [report.transcripts],
                        "reason": [report.reason],
                    },
                )
                self.file_position += 1


def _forget_partial_files(store: Store, project: str) -> set[str]:
    """Drop rows of files a stopped run had begun but not finished; names already done."""
    with transaction(store) as con:
        for table in ("scale_segments", "scale_transcript_meta", "scale_transcripts"):
            con.execute(
                f"DELETE FROM {table} WHERE project = ? AND transcript_id IN (SELECT "
                "transcript_id FROM scale_transcripts WHERE project = ? AND source_file NOT IN "
                "(SELECT file FROM scale_files WHERE project = ?))",
                [project, project, project],
            )
        done = con.execute("SELECT file FROM scale_files WHERE project = ?", [project]).fetchall()
    return {str(row[0]) for row in done}


def _ingest_source(
    source: Source, writer: _Writer, options: IngestOptions, summary: IngestSummary
) -> None:
    """One input file (or archive): streamed when it is a wide UTF-8 dataset, else whole."""
    dataset = None
    if extension(source.name) in STREAMED_EXTENSIONS:
        try:
            dataset = _open_dataset(Path(source.name), options)
        except (IngestError, OSError) as exc:
            reason = str(exc) if isinstance(exc, IngestError) else "could not read the file"
            writer.flush(summary, FileReport(source.name, "rejected", reason=reason))
            return
    if dataset is None:  # every other input: the in-memory per-file ingest, limits included
        result = _run([source], _Batch(options), None, None)
        writer.add(result.transcripts, summary)
        summary.duplicates += len(result.duplicates)
        for warning in result.warnings:
            summary.warn(warning)
        for report in result.files:
            writer.flush(summary, report)
        return
    notes: list[str] = []
    count = 0
    for transcripts in _dataset_transcripts(dataset, source, options, notes):
        count += len(transcripts)
        writer.add(transcripts, summary)
    summary.streamed_files += 1
    for note in notes:
        summary.warn(f"{source.name}: {note}")
    if count:
        report = FileReport(source.name, "parsed", count, "; ".join(notes)[:_MAX_REASON_CHARS])
    else:
        reason = f"no transcripts found ({notes[0]})" if notes else "no data rows"
        report = FileReport(source.name, "rejected", reason=reason[:_MAX_REASON_CHARS])
    writer.flush(summary, report)


def _attach_metadata(
    store: Store, project: str, path: str | Path, options: IngestOptions, summary: IngestSummary
) -> None:
    """The metadata file joined to the stored transcripts; its warnings as ingest_paths'."""
    table, problem = read_metadata_file(path, options)
    if table is None:
        summary.warn(problem or "metadata file not used")
        return
    unmatched, warnings = apply_streaming_metadata(store, project, table)
    summary.metadata_unmatched = len(unmatched)
    for warning in warnings:
        summary.warn(warning)
    if unmatched:  # the pipeline's own line (analysis.pipeline._ingest_messages)
        summary.warn(f"{len(unmatched)} metadata row(s) matched no transcript id.")


def ingest_streaming(
    paths: Sequence[str | Path],
    *,
    project: str,
    store: Store,
    options: IngestOptions | None = None,
    chunk_transcripts: int = 500,
    progress: ProgressFn | None = None,
    metadata: str | Path | None = None,
) -> IngestSummary:
    """Read ``paths`` (files, folders) into the project's scale tables; resumable per file.

    ``metadata``: a CSV/XLSX keyed by transcript id, attached once every file is read, by
    the in-memory ingest's rules (``analysis.scale.metadata``).
    """
    options = options or IngestOptions()
    summary = IngestSummary()
    done = _forget_partial_files(store, project)
    writer = _Writer(store, project, options, chunk_transcripts)
    sources, missing = sources_from_paths([Path(p) for p in paths])
    for name, reason in missing:
        if name not in done:
            writer.flush(summary, FileReport(name, "rejected", reason=reason))
    for number, source in enumerate(sources, start=1):
        if source.name not in done:
            _ingest_source(source, writer, options, summary)
        if progress is not None:
            progress(f"Reading files ({number}/{len(sources)})", number / len(sources))
    writer.flush(summary)
    if metadata is not None:
        _attach_metadata(store, project, metadata, options, summary)
    totals = query_frame(
        store,
        "SELECT (SELECT count(*) FROM scale_files WHERE project = ?) AS files, "
        "(SELECT count(*) FROM scale_files WHERE project = ? AND status = 'parsed') AS parsed, "
        "(SELECT count(*) FROM scale_transcripts WHERE project = ?) AS transcripts, "
        "(SELECT count(*) FROM scale_segments WHERE project = ?) AS segments",
        [project, project, project, project],
    ).iloc[0]
    summary.files, summary.parsed = int(totals.files), int(totals.parsed)
    summary.rejected = summary.files - summary.parsed
    summary.transcripts, summary.segments = int(totals.transcripts), int(totals.segments)
    return summary
