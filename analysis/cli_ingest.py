"""``python -m analysis ingest INPUT... --out DIR [--metadata FILE]``.

Writes ``files.csv``, ``transcripts.csv`` and ``segments.csv`` (columns fixed by
``analysis.tables``) and prints a one-line summary. Exit 0 when at least one transcript
parsed, 2 otherwise; errors are one line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis.ingest import IngestOptions, ingest_paths
from analysis.ingest.tables import files_frame, segments_frame, transcripts_frame
from analysis.segment import segment_transcripts
from analysis.tables import FILES_COLUMNS, SEGMENTS_COLUMNS, TRANSCRIPTS_COLUMNS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="parse transcripts into files.csv, transcripts.csv and segments.csv",
        description="Parse transcript files, folders and ZIPs into tidy CSV tables.",
    )
    add_input_arguments(parser)
    parser.set_defaults(func=run)


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """Inputs, output folder and the ingestion options; shared with ``analyze`` so both
    subcommands read the same files the same way."""
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or ZIPs")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--metadata", type=Path, help="CSV/XLSX keyed by transcript id")
    parser.add_argument("--id-column", help="dataset column holding the transcript id")
    parser.add_argument("--text-column", help="dataset column holding the transcript text")
    parser.add_argument("--cohort-column", help="dataset column holding the cohort")
    parser.add_argument(
        "--interviewer",
        action="append",
        default=[],
        metavar="[ID=]LABEL",
        help="speaker label of the interviewer, for all transcripts or one id (repeatable)",
    )


def ingest_options(args: argparse.Namespace) -> IngestOptions:
    """The ``IngestOptions`` that ``add_input_arguments`` flags ask for."""
    return IngestOptions(
        id_column=args.id_column,
        text_column=args.text_column,
        cohort_column=args.cohort_column,
        interviewer_override=_overrides(args.interviewer),
    )


def _overrides(values: list[str]) -> dict[str, str]:
    overrides = {}
    for value in values:
        key, sep, label = value.partition("=")
        overrides[key.strip() if sep else "*"] = (label if sep else key).strip()
    return overrides


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = ingest_options(args)
    try:
        result = ingest_paths(args.inputs, metadata=args.metadata, options=options)
        segments = segment_transcripts(result.transcripts)
        args.out.mkdir(parents=True, exist_ok=True)
        files_frame(result)[FILES_COLUMNS].to_csv(args.out / "files.csv", index=False)
        transcripts_frame(result)[TRANSCRIPTS_COLUMNS].to_csv(
            args.out / "transcripts.csv", index=False
        )
        segments_frame(segments)[SEGMENTS_COLUMNS].to_csv(args.out / "segments.csv", index=False)
    except OSError as exc:
        print(f"ingest: cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    except Exception as exc:  # the user gets one line, never a traceback with their text
        print(f"ingest: failed ({type(exc).__name__}); no output written", file=sys.stderr)
        return 2
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    parsed = sum(f.status == "parsed" for f in result.files)
    rejected = len(result.files) - parsed
    print(
        f"ingest: {len(result.files)} files ({parsed} parsed, {rejected} rejected), "
        f"{len(result.transcripts)} transcripts, {len(segments)} answers, "
        f"{len(result.duplicates)} duplicates in {time.perf_counter() - started:.1f} s "
        f"-> {args.out}"
    )
    return 0 if result.transcripts else 2
