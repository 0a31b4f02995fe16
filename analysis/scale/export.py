"""The CLI's output files of a streaming project, written from DuckDB a chunk at a time.

Same files and columns as the in-memory run (``analysis.outputs``, contract in
``analysis.tables``): ``files.csv``, ``transcripts.csv``, ``segments.csv`` (with ``codes``),
``topics.csv``, ``participants.csv`` (one 0/1 column per code id, codebook order),
``assignments.csv``, ``saturation.csv``, ``run.json`` and the insight files (``findings.md``,
``econ_index.csv``, ``parity.csv`` for the public dataset: ``analysis.insight_outputs``);
rows in the same order. The saturation and insight tables are built by the in-memory
builders on the participant table (``analysis.scale.participant_views``), so their numbers
are the in-memory ones. Only one chunk of rows is in
pandas at any time: DuckDB sorts and joins (spilling to disk past its memory limit). Every
text cell goes through ``analysis.export.escape_frame`` (a cell starting with ``=``, ``+``,
``-``, ``@``, tab or CR gets a leading ``'``), since these files are opened in
spreadsheets. Files are written to a temporary name and renamed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.export import escape_frame
from analysis.filters import FilterSpec
from analysis.insight_outputs import write_insight_files
from analysis.outputs import QUOTE_SEPARATOR, SEGMENTS_ADDED
from analysis.questions import normalise_question
from analysis.scale import participant_views
from analysis.scale.db import query_frame, stream_frames
from analysis.scale.questions import question_groups
from analysis.store import Store
from analysis.tables import (
    ASSIGNMENTS_COLUMNS,
    FILES_COLUMNS,
    PARTICIPANTS_BASE_COLUMNS,
    SEGMENTS_ANALYSED_COLUMNS,
    TOPICS_COLUMNS,
    TRANSCRIPTS_COLUMNS,
)
from analysis.topics import OUTLIER_LABEL

CHUNK_ROWS = 20_000

_FILES = (
    "SELECT file, status, transcripts, reason FROM scale_files WHERE project = ? ORDER BY position"
)
_TRANSCRIPTS = (
    "SELECT t.transcript_id, t.cohort, t.source_file, m.n_turns, m.n_participant_turns, "
    "m.encoding, m.attributes_json FROM scale_transcripts t JOIN scale_transcript_meta m "
    "ON m.project = t.project AND m.transcript_id = t.transcript_id "
    "WHERE t.project = ? ORDER BY m.position"
)
_SEGMENTS = (
    "WITH codes AS (SELECT a.transcript_id, a.segment_index, "
    "string_agg(a.code, ';' ORDER BY c.position, a.code) AS codes "
    "FROM (SELECT DISTINCT transcript_id, segment_index, code FROM scale_assignments "
    "WHERE project = $project) a JOIN scale_codebook c ON c.project = $project "
    "AND c.code = a.code GROUP BY a.transcript_id, a.segment_index) "
    "SELECT s.transcript_id, s.segment_index, s.question, s.answer, s.topic_id, "
    "coalesce(t.label, $outlier) AS topic_label, CAST(s.x AS DOUBLE) AS x, "
    "CAST(s.y AS DOUBLE) AS y, coalesce(codes.codes, '') AS codes "
    "FROM scale_segments s LEFT JOIN scale_topics t ON t.project = s.project "
    "AND t.topic_id = s.topic_id LEFT JOIN codes ON codes.transcript_id = s.transcript_id "
    "AND codes.segment_index = s.segment_index WHERE s.project = $project "
    "ORDER BY s.transcript_id, s.segment_index"
)
_TOPICS = (
    "SELECT topic_id, label, n_answers AS size, top_words, quotes_json FROM scale_topics "
    "WHERE project = ? ORDER BY topic_id"
)
_PARTICIPANTS = (
    "WITH flags AS (SELECT transcript_id, list(DISTINCT code) AS codes FROM scale_assignments "
    "WHERE project = $project GROUP BY transcript_id) "
    "SELECT p.transcript_id, p.cohort, p.occupation, p.occupation_group, "
    "coalesce(flags.codes, []) AS codes FROM scale_participants p "
    "JOIN scale_transcript_meta m ON m.project = p.project AND m.transcript_id = p.transcript_id "
    "LEFT JOIN flags ON flags.transcript_id = p.transcript_id WHERE p.project = $project "
    "ORDER BY m.position"
)
_ASSIGNMENTS = (
    "SELECT a.transcript_id, a.segment_index, a.code, "
    "round(CAST(a.confidence AS DOUBLE), 3) AS confidence, a.evidence "
    "FROM scale_assignments a JOIN scale_codebook c ON c.project = a.project "
    "AND c.code = a.code WHERE a.project = ? "
    "ORDER BY a.transcript_id, a.segment_index, c.position"
)


class _CsvFile:
    """Append escaped chunks to ``name.tmp``; the header once; renamed when closed."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path, self.columns = path, columns
        self.tmp = path.with_suffix(path.suffix + ".tmp")
        pd.DataFrame(columns=columns).to_csv(self.tmp, index=False)

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame):
            escape_frame(frame[self.columns]).to_csv(self.tmp, mode="a", header=False, index=False)

    def close(self) -> Path:
        os.replace(self.tmp, self.path)
        return self.path


def _write(path: Path, columns: list[str], chunks: Iterator[pd.DataFrame]) -> Path:
    out = _CsvFile(path, columns)
    for chunk in chunks:
        out.write(chunk)
    return out.close()


def _attribute_names(store: Store, project: str) -> list[str]:
    names: set[str] = set()
    for chunk in stream_frames(store, _TRANSCRIPTS, [project], CHUNK_ROWS):
        for blob in chunk["attributes_json"]:
            names.update(json.loads(blob))
    return sorted(names)


def _transcript_chunks(store: Store, project: str, names: list[str]) -> Iterator[pd.DataFrame]:
    for chunk in stream_frames(store, _TRANSCRIPTS, [project], CHUNK_ROWS):
        attributes = [json.loads(blob) for blob in chunk["attributes_json"]]
        for name in names:
            chunk[f"attr.{name}"] = [a.get(name, "") for a in attributes]
        yield chunk


def _participant_chunks(store: Store, project: str, code_ids: list[str]) -> Iterator[pd.DataFrame]:
    for chunk in stream_frames(store, _PARTICIPANTS, {"project": project}, CHUNK_ROWS):
        held = [set(codes) for codes in chunk["codes"]]
        for code in code_ids:
            chunk[code] = [int(code in codes) for codes in held]
        yield chunk


def _segment_chunks(store: Store, project: str) -> Iterator[pd.DataFrame]:
    groups = question_groups(store, project)
    params = {"project": project, "outlier": OUTLIER_LABEL}
    for chunk in stream_frames(store, _SEGMENTS, params, CHUNK_ROWS):
        chunk["question_group"] = [groups.get(normalise_question(q), "") for q in chunk["question"]]
        yield chunk


def _topic_chunks(store: Store, project: str) -> Iterator[pd.DataFrame]:
    frame = query_frame(store, _TOPICS, [project])
    frame["representative_quotes"] = [
        QUOTE_SEPARATOR.join(json.loads(blob)) for blob in frame["quotes_json"]
    ]
    yield frame


def write_scale_outputs(
    store: Store, project: str, out_dir: Path, run: dict[str, Any] | None = None
) -> list[Path]:
    """Write the output files of ``project``; ``run`` (else the stored run record) -> run.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    code_ids = query_frame(
        store, "SELECT code FROM scale_codebook WHERE project = ? ORDER BY position", [project]
    )["code"].tolist()
    names = _attribute_names(store, project)
    written = [
        _write(out_dir / "files.csv", FILES_COLUMNS, stream_frames(store, _FILES, [project])),
        _write(
            out_dir / "transcripts.csv",
            TRANSCRIPTS_COLUMNS + [f"attr.{n}" for n in names],
            _transcript_chunks(store, project, names),
        ),
        _write(
            out_dir / "segments.csv",
            SEGMENTS_ANALYSED_COLUMNS + SEGMENTS_ADDED,
            _segment_chunks(store, project),
        ),
        _write(out_dir / "topics.csv", TOPICS_COLUMNS, _topic_chunks(store, project)),
        _write(
            out_dir / "participants.csv",
            [*PARTICIPANTS_BASE_COLUMNS, *code_ids],
            _participant_chunks(store, project, code_ids),
        ),
        _write(
            out_dir / "assignments.csv",
            ASSIGNMENTS_COLUMNS,
            stream_frames(store, _ASSIGNMENTS, [project], CHUNK_ROWS),
        ),
    ]
    if run is None:
        stored = query_frame(
            store, "SELECT run_json FROM scale_projects WHERE project = ?", [project]
        )
        run = json.loads(stored["run_json"].iloc[0]) if len(stored) else {}
    tmp = out_dir / "run.json.tmp"
    tmp.write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, out_dir / "run.json")
    written.append(out_dir / "run.json")
    written.extend(write_scale_insights(store, project, out_dir,
                                        title=f"Findings: {run.get('project', project)}"))
    return written


def write_scale_insights(store: Store, project: str, out_dir: Path, *, title: str) -> list[Path]:
    """``saturation.csv`` and the insight files of the whole project, as the in-memory run
    writes them; the participant table is built once (one row per participant)."""
    spec = FilterSpec()
    participants = participant_views.participant_frame(store, project, spec)
    saturation = participant_views.saturation(store, project, spec, participants=participants)
    path = out_dir / "saturation.csv"
    tmp = path.with_suffix(".csv.tmp")
    saturation.to_csv(tmp, index=False)  # unescaped, like the in-memory saturation.csv
    os.replace(tmp, path)
    found = participant_views.large_findings(store, project, spec, participants=participants)
    econ = participant_views.econ(store, project, spec, participants=participants)
    return [path, *write_insight_files(out_dir, findings=found, title=title, econ=econ,
                                       participants=participants)]
