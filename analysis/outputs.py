"""Write an ``AnalysisResult`` as the CLI's output files (a stable, column-checked contract).

Lists (topic quotes) become `` | ``-joined strings so every file is plain CSV; run.json
holds the run metadata. Files are written to a temporary name and renamed, so a reader
never sees half a file. Text cells are formula-escaped (``analysis.export.escape_frame``:
a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``), as in
every other export and in the streaming run's files, so opening a CSV in a spreadsheet
never runs a participant's words as a formula.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.export import escape_frame
from analysis.insight_outputs import write_insight_outputs
from analysis.results import AnalysisResult
from analysis.saturation import saturation_table
from analysis.tables import (
    ASSIGNMENTS_COLUMNS,
    FILES_COLUMNS,
    PARTICIPANTS_BASE_COLUMNS,
    SEGMENTS_ANALYSED_COLUMNS,
    TOPICS_COLUMNS,
    TRANSCRIPTS_COLUMNS,
)

QUOTE_SEPARATOR = " | "
SEGMENTS_ADDED = ["question_group"]
"""Columns added to segments.csv after the contract ones (``analysis.questions``)."""


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    escape_frame(frame).to_csv(tmp, index=False)
    os.replace(tmp, path)


def _with_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The contract columns first (missing ones empty), then any extra columns."""
    out = frame.copy()
    for column in columns:
        if column not in out:
            out[column] = pd.Series(dtype=object)
    return out[columns + [c for c in out.columns if c not in columns]]


def topics_for_csv(topics: pd.DataFrame) -> pd.DataFrame:
    out = _with_columns(topics, TOPICS_COLUMNS)[TOPICS_COLUMNS].copy()
    out["representative_quotes"] = [
        QUOTE_SEPARATOR.join(str(q) for q in quotes)
        if isinstance(quotes, list | tuple)
        else (QUOTE_SEPARATOR.join(map(str, quotes.tolist())) if hasattr(quotes, "tolist") else "")
        for quotes in out["representative_quotes"]
    ]
    return out


def participants_for_csv(result: AnalysisResult) -> pd.DataFrame:
    """transcript_id, cohort, occupation, occupation_group, one 0/1 column per code id."""
    out = _with_columns(result.participants, [*PARTICIPANTS_BASE_COLUMNS, *result.code_ids])
    return out[[*PARTICIPANTS_BASE_COLUMNS, *result.code_ids]]


def write_outputs(result: AnalysisResult, out_dir: Path) -> list[Path]:
    """Write the table CSVs, run.json and the insight files (``analysis.insight_outputs``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frames: dict[str, pd.DataFrame] = {
        "files.csv": _with_columns(result.files, FILES_COLUMNS)[FILES_COLUMNS],
        "transcripts.csv": _with_columns(result.transcripts, TRANSCRIPTS_COLUMNS),
        "segments.csv": _with_columns(result.segments, SEGMENTS_ANALYSED_COLUMNS)[
            SEGMENTS_ANALYSED_COLUMNS + [c for c in SEGMENTS_ADDED if c in result.segments]
        ],
        "topics.csv": topics_for_csv(result.topics),
        "participants.csv": participants_for_csv(result),
        "assignments.csv": _with_columns(result.assignments, ASSIGNMENTS_COLUMNS)[
            ASSIGNMENTS_COLUMNS
        ],
        "saturation.csv": saturation_table(result.participants, result.segments, result.code_ids),
    }
    written = []
    for name, frame in frames.items():
        _write_csv(frame, out_dir / name)
        written.append(out_dir / name)
    run: dict[str, Any] = {**result.run, "messages": result.messages}
    tmp = out_dir / "run.json.tmp"
    tmp.write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, out_dir / "run.json")
    written.append(out_dir / "run.json")
    written.extend(write_insight_outputs(result, out_dir))  # findings.md, econ_index.csv, parity
    return written
