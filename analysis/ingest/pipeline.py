"""Batch ingestion: every input file ends parsed (with a count) or rejected (with a reason).

The batch enforces the per-file, per-batch and file-count limits, expands ZIPs in memory,
hands each file to ``formats.parse_blob`` and turns the result into typed records. One bad
file never stops the batch, and no traceback or transcript text reaches the reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from analysis.ingest.archive import read_zip
from analysis.ingest.build import build_file_transcripts, drop_duplicates, make_ids_unique
from analysis.ingest.formats import extension, parse_blob
from analysis.ingest.metadata import apply_metadata, read_metadata
from analysis.ingest.options import MB, IngestOptions
from analysis.ingest.sources import Source, sources_from_blobs, sources_from_paths
from analysis.ingest.speakers import apply_interviewer_override
from analysis.records import FileReport, IngestError, IngestResult, Transcript

Progress = Callable[[int, int, str], None]
_MAX_REASON_CHARS = 400


def _base(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name or name


class _Batch:
    """Running totals against the limits, and the reports so far."""

    def __init__(self, options: IngestOptions) -> None:
        self.options = options
        self.files = 0
        self.bytes = 0
        self.result = IngestResult()

    def reject(self, name: str, reason: str) -> None:
        self.result.files.append(FileReport(file=name, status="rejected", reason=reason))

    def refusal(self, source: Source) -> str | None:
        """Why this input may not be read (a limit), else None; counts it when admitted."""
        opts, base = self.options, _base(source.name)
        if self.files >= opts.max_files:
            return f"file {base} not read: the batch limit of {opts.max_files} files was reached"
        if source.size > opts.max_file_bytes:
            return (
                f"file {base} is {source.size / MB:.1f} MB, "
                f"limit is {opts.max_file_bytes / MB:g} MB"
            )
        if self.bytes + source.size > opts.max_batch_bytes:
            return (
                f"file {base} not read: the batch would exceed "
                f"its {opts.max_batch_bytes / MB:g} MB limit"
            )
        self.files += 1
        self.bytes += source.size
        return None


def _expand_zip(batch: _Batch, source: Source, data: bytes) -> list[Source]:
    options = batch.options
    if source.depth >= options.max_zip_depth:
        batch.reject(
            source.name, f"archive nested deeper than the limit of {options.max_zip_depth}"
        )
        return []
    archive = read_zip(data, options)
    for member, reason in archive.refused:
        batch.reject(f"{source.name}/{member}", reason)
    if archive.skipped_system:
        batch.result.warnings.append(
            f"{source.name}: {archive.skipped_system} system file(s) ignored"
        )
    if not archive.members and not archive.refused:
        batch.reject(source.name, "archive holds no files")
    stem = PurePosixPath(_base(source.name)).stem
    members = []
    for member, body in archive.members:
        path = PurePosixPath(member)
        cohort = path.parent.name or stem
        members.append(
            Source(
                name=f"{source.name}/{member}",
                size=len(body),
                load=lambda b=body: b,
                cohort_hint=cohort,
                depth=source.depth + 1,
            )
        )
    return members


def _parse_one(batch: _Batch, source: Source, data: bytes) -> list[Transcript]:
    parsed = parse_blob(source.name, data, batch.options)
    stem = PurePosixPath(_base(source.name)).stem
    transcripts, notes = build_file_transcripts(
        parsed,
        source_file=source.name,
        stem=stem,
        cohort_hint=source.cohort_hint,
        options=batch.options,
    )
    notes = [*parsed.warnings, *notes]
    if not transcripts:
        raise IngestError(notes[-1] if notes else "no participant turns")
    batch.result.warnings.extend(f"{source.name}: {note}" for note in notes)
    reason = "; ".join(notes)[:_MAX_REASON_CHARS]
    batch.result.files.append(
        FileReport(
            file=source.name,
            status="parsed",
            transcripts=len(transcripts),
            reason=reason,
            encoding=parsed.encoding,
        )
    )
    return transcripts


def _run(
    sources: list[Source],
    batch: _Batch,
    metadata: tuple[str, bytes] | None,
    progress: Progress | None,
) -> IngestResult:
    queue = list(sources)
    transcripts: list[Transcript] = []
    done = 0
    while queue:
        source = queue.pop(0)
        refusal = batch.refusal(source)
        if refusal:
            batch.reject(source.name, refusal)
        else:
            try:
                data = source.load()
                if extension(source.name) == ".zip":
                    members = _expand_zip(batch, source, data)
                    batch.bytes -= source.size  # members are counted instead
                    queue[:0] = members
                else:
                    transcripts.extend(_parse_one(batch, source, data))
            except IngestError as exc:
                batch.reject(source.name, str(exc))
            except OSError:
                batch.reject(source.name, "could not read the file")
            except Exception as exc:  # last line of defence: one file never stops the batch
                batch.reject(source.name, f"could not parse this file ({type(exc).__name__})")
        done += 1
        if progress is not None:
            progress(done, done + len(queue), source.name)
    return _finish(batch, transcripts, metadata)


def _finish(
    batch: _Batch, transcripts: list[Transcript], metadata: tuple[str, bytes] | None
) -> IngestResult:
    result = batch.result
    kept, duplicates = drop_duplicates(transcripts)
    if len(kept) > batch.options.max_transcripts:
        result.warnings.append(
            f"only the first {batch.options.max_transcripts} transcripts are kept"
        )
        kept = kept[: batch.options.max_transcripts]
    result.duplicates = duplicates
    if duplicates:
        result.warnings.append(f"{len(duplicates)} duplicate transcript(s) left out")
    result.warnings.extend(make_ids_unique(kept))
    result.transcripts = kept
    # Overrides keyed by a renamed id ("interview_2", as the user saw it) apply now.
    renamed = {k: v for k, v in batch.options.interviewer_override.items() if k != "*"}
    if renamed:
        apply_interviewer_override(result, renamed)
    if metadata is not None:
        name, data = metadata
        try:
            if len(data) > batch.options.max_file_bytes:
                raise IngestError("metadata file is larger than the file limit")
            apply_metadata(result, read_metadata(name, data, batch.options))
        except IngestError as exc:
            result.warnings.append(f"metadata file {_base(name)} not used: {exc}")
    return result


def ingest_blobs(
    blobs: Sequence[tuple[str, bytes]],
    *,
    metadata: tuple[str, bytes] | None = None,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Ingest uploaded ``(file name, bytes)`` pairs; never raises for bad input."""
    batch = _Batch(options or IngestOptions())
    return _run(sources_from_blobs(list(blobs)), batch, metadata, progress)


def ingest_paths(
    paths: Sequence[str | Path],
    *,
    metadata: str | Path | None = None,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Ingest files, folders (recursively) and ZIPs in any mix."""
    batch = _Batch(options or IngestOptions())
    sources, missing = sources_from_paths([Path(p) for p in paths])
    for name, reason in missing:
        batch.reject(name, reason)
    meta_blob = None
    if metadata is not None:
        meta_path = Path(metadata)
        try:
            if meta_path.stat().st_size > batch.options.max_file_bytes:
                raise IngestError("metadata file is larger than the file limit")
            meta_blob = (str(meta_path), meta_path.read_bytes())
        except (OSError, IngestError) as exc:
            reason = str(exc) if isinstance(exc, IngestError) else "could not read it"
            batch.result.warnings.append(f"metadata file {meta_path.name} not used: {reason}")
    return _run(sources, batch, meta_blob, progress)
