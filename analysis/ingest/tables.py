"""Ingestion results as tidy DataFrames with the column contracts of ``analysis.tables``.

The CLI writes these to CSV and the upload page shows them; both rely on the exact column
names, so they are built here once.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.records import IngestResult, Segment
from analysis.tables import FILES_COLUMNS, SEGMENTS_COLUMNS, TRANSCRIPTS_COLUMNS, TURNS_COLUMNS

SEGMENTS_EXTRA_COLUMNS = ["turn_index", "question_turn"]


def files_frame(result: IngestResult) -> pd.DataFrame:
    """One row per input file: parsed (with its transcript count) or rejected (with why)."""
    rows = [(f.file, f.status, f.transcripts, f.reason) for f in result.files]
    return pd.DataFrame(rows, columns=FILES_COLUMNS).astype({"transcripts": "int64"})


def transcripts_frame(result: IngestResult) -> pd.DataFrame:
    """One row per transcript, plus an ``attr.<name>`` column per metadata attribute."""
    attribute_names = sorted({name for t in result.transcripts for name in t.attributes})
    rows = []
    for t in result.transcripts:
        row = [
            t.transcript_id,
            t.cohort,
            t.source_file,
            len(t.turns),
            len(t.participant_turns),
            t.encoding,
        ]
        row.extend(t.attributes.get(name, "") for name in attribute_names)
        rows.append(row)
    columns = TRANSCRIPTS_COLUMNS + [f"attr.{name}" for name in attribute_names]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"n_turns": "int64", "n_participant_turns": "int64"})


def turns_frame(result: IngestResult) -> pd.DataFrame:
    """Every turn of every transcript, for reading an interview in full."""
    rows = [
        (t.transcript_id, turn.index, turn.speaker, turn.role, turn.text)
        for t in result.transcripts
        for turn in t.turns
    ]
    return pd.DataFrame(rows, columns=TURNS_COLUMNS).astype({"turn_index": "int64"})


def segments_frame(segments: Sequence[Segment]) -> pd.DataFrame:
    """One row per participant answer with its question (and the whole question turn)."""
    rows = [
        (s.transcript_id, s.segment_index, s.question, s.answer, s.turn_index, s.question_turn)
        for s in segments
    ]
    frame = pd.DataFrame(rows, columns=SEGMENTS_COLUMNS + SEGMENTS_EXTRA_COLUMNS)
    return frame.astype({"segment_index": "int64", "turn_index": "int64"})
