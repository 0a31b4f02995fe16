"""Put an in-memory ``AnalysisResult`` into the scale tables (a "large project").

Why: the large-project path of the dashboard reads only the scale tables. Writing any
analysed project there lets tests compare every SQL aggregate with its pandas counterpart
on the same data, and lets a user try the database-backed pages on a project they already
have, without re-running the streaming pipeline.

The write replaces the project's rows in every scale table inside one transaction, so a
reader never sees half a project.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis.embedding.base import text_key
from analysis.filters import ATTRIBUTE_PREFIX
from analysis.questions import normalise_question
from analysis.results import AnalysisResult
from analysis.scale.schema import SCALE_TABLES, ensure_scale_schema


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").astype(str)


def _words(value: Any) -> str:
    """Topic keywords as one comma-separated string (lists and arrays joined)."""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _quotes(value: Any) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return json.dumps([str(v) for v in value])
    return json.dumps([] if value is None or value == "" else [str(value)])


def _cohorts(result: AnalysisResult) -> dict[str, str]:
    """transcript id -> cohort, from the participants (else the transcripts) table."""
    for frame in (result.participants, result.transcripts):
        if len(frame) and {"transcript_id", "cohort"} <= set(frame.columns):
            return dict(zip(_text(frame["transcript_id"]), _text(frame["cohort"]), strict=False))
    return {}


def _segments(result: AnalysisResult, cohort_of: dict[str, str]) -> pd.DataFrame:
    seg = result.segments
    ids = _text(seg["transcript_id"])
    answers = _text(seg["answer"])
    topic = (pd.to_numeric(seg["topic_id"], errors="coerce") if "topic_id" in seg
             else pd.Series(np.nan, index=seg.index))
    coords = {c: (pd.to_numeric(seg[c], errors="coerce") if c in seg
                  else pd.Series(np.nan, index=seg.index)) for c in ("x", "y")}
    return pd.DataFrame({
        "transcript_id": ids,
        "segment_index": seg["segment_index"].astype(int),
        "cohort": ids.map(cohort_of).fillna(""),
        "question": _text(seg["question"]),
        "answer": answers,
        "text_hash": [text_key(a) for a in answers],
        "n_words": answers.str.split().str.len().fillna(0).astype(int),
        "topic_id": topic.astype("Int32"),
        "x": coords["x"].astype("float32"),
        "y": coords["y"].astype("float32"),
    })


def _transcripts(result: AnalysisResult, segments: pd.DataFrame,
                 cohort_of: dict[str, str]) -> pd.DataFrame:
    frame = result.transcripts
    ids = _text(frame["transcript_id"])
    counts = segments.groupby("transcript_id").size()
    source = (_text(frame["source_file"]) if "source_file" in frame
              else pd.Series("", index=ids.index))
    return pd.DataFrame({
        "transcript_id": ids,
        "cohort": ids.map(cohort_of).fillna(""),
        "source_file": source,
        "n_segments": ids.map(counts).fillna(0).astype(int),
    })


def _attributes_json(result: AnalysisResult, ids: pd.Series) -> list[str]:
    """Per transcript, its ``attr.<name>`` values as the JSON object the streaming ingest
    stores (non-empty values only, as ``read_metadata`` keeps them), from the transcripts
    table, else the participants table."""
    for frame in (result.transcripts, result.participants):
        columns = [c for c in frame.columns if str(c).startswith(ATTRIBUTE_PREFIX)]
        if columns and "transcript_id" in frame.columns:
            break
    else:
        return ["{}"] * len(ids)
    values = frame[columns].astype("string").apply(lambda col: col.str.strip()).fillna("")
    values.index = _text(frame["transcript_id"])
    values = values[~values.index.duplicated()]
    names = [str(c).removeprefix(ATTRIBUTE_PREFIX) for c in columns]
    blobs = {tid: json.dumps({n: v for n, v in zip(names, row, strict=True) if v},
                             sort_keys=True)
             for tid, row in zip(values.index, values.itertuples(index=False), strict=True)}
    return [blobs.get(tid, "{}") for tid in ids]


def _transcript_meta(result: AnalysisResult) -> pd.DataFrame:
    """``scale_transcript_meta``: ingest order, turn counts, encoding and the metadata
    attributes (no content key: an in-memory result keeps none)."""
    frame = result.transcripts
    ids = _text(frame["transcript_id"])

    def counts(name: str) -> pd.Series:
        if name in frame:
            return pd.to_numeric(frame[name], errors="coerce").fillna(0).astype(int)
        return pd.Series(0, index=frame.index)

    return pd.DataFrame({
        "transcript_id": ids,
        "position": np.arange(len(frame), dtype=np.int64),
        "n_turns": counts("n_turns"),
        "n_participant_turns": counts("n_participant_turns"),
        "encoding": _text(frame["encoding"]) if "encoding" in frame
        else pd.Series("utf-8", index=frame.index),
        "content_key": pd.Series("", index=frame.index),
        "attributes_json": _attributes_json(result, ids),
    })


def _topics(result: AnalysisResult) -> pd.DataFrame:
    frame = result.topics
    if frame.empty:
        return pd.DataFrame(columns=["topic_id", "label", "top_words", "n_answers",
                                     "quotes_json"])
    sizes = pd.to_numeric(result.segments["topic_id"], errors="coerce").value_counts()
    quotes = (frame["representative_quotes"] if "representative_quotes" in frame
              else pd.Series([[]] * len(frame), index=frame.index))
    return pd.DataFrame({
        "topic_id": frame["topic_id"].astype(int),
        "label": _text(frame["label"]),
        "top_words": [_words(v) for v in frame.get("top_words", pd.Series("", index=frame.index))],
        "n_answers": frame["topic_id"].astype(int).map(sizes).fillna(0).astype(int),
        "quotes_json": [_quotes(v) for v in quotes],
    })


def _participants(result: AnalysisResult) -> pd.DataFrame:
    frame = result.participants

    def column(name: str) -> pd.Series:
        if name in frame:
            return _text(frame[name]).str.strip()
        return pd.Series("", index=frame.index)

    return pd.DataFrame({
        "transcript_id": _text(frame["transcript_id"]),
        "cohort": column("cohort"),
        "occupation": column("occupation"),
        "occupation_group": column("occupation_group"),
    })


def _question_groups(segments: pd.DataFrame) -> pd.DataFrame:
    """``question_key -> question_group``, one row per distinct question (as the streaming
    run stores them); empty when the result predates question groups."""
    if "question_group" not in segments or not len(segments):
        return pd.DataFrame(columns=["question_key", "question_group"])
    frame = pd.DataFrame({"question_key": [normalise_question(q) for q in segments["question"]],
                          "question_group": _text(segments["question_group"])})
    return frame.drop_duplicates("question_key").reset_index(drop=True)


def _project_row(project: str, result: AnalysisResult, created: Any) -> list[Any]:
    now = datetime.now(UTC).replace(tzinfo=None)
    topic_ids = result.topics["topic_id"] if len(result.topics) else pd.Series(dtype=int)
    models = result.run.get("models") if isinstance(result.run, dict) else None
    model_id = str((models or {}).get("embedding", "")) if isinstance(models, dict) else ""
    return [project, created or now, now, "done", len(result.transcripts),
            len(result.segments), int((topic_ids >= 0).sum()), model_id,
            json.dumps((result.run or {}).get("settings", {}), default=str), None,
            json.dumps(result.run, default=str)]


def write_result_tables(store: Any, project: str, result: AnalysisResult) -> None:
    """Replace ``project``'s rows of every scale table with the contents of ``result``.

    Participant code flags are not written: the pages derive them from the assignments
    (a participant has a code when any of their answers carries it). Metadata attributes
    (``attr.*`` columns) go to ``scale_transcript_meta.attributes_json``, as the streaming
    ingest keeps them.
    """
    cohort_of = _cohorts(result)
    frames = {
        "scale_segments": _segments(result, cohort_of),
        "scale_topics": _topics(result),
        "scale_participants": _participants(result),
        "scale_question_groups": _question_groups(result.segments),
        "scale_transcript_meta": _transcript_meta(result),
    }
    frames["scale_transcripts"] = _transcripts(result, frames["scale_segments"], cohort_of)
    codebook = result.codebook
    frames["scale_codebook"] = pd.DataFrame({
        "position": np.arange(len(codebook), dtype=int),
        "code": _text(codebook["code"]), "facet": _text(codebook["facet"]),
        "label": _text(codebook["label"]),
        "description": _text(codebook["description"]) if "description" in codebook
        else pd.Series("", index=codebook.index),
    })
    assignments = result.assignments
    frames["scale_assignments"] = pd.DataFrame({
        "transcript_id": _text(assignments["transcript_id"]),
        "segment_index": assignments["segment_index"].astype(int),
        "code": _text(assignments["code"]),
        "confidence": pd.to_numeric(assignments["confidence"]).astype("float32"),
        "evidence": _text(assignments["evidence"]),
    })
    with store.locked_connection() as con:
        ensure_scale_schema(con)
        con.execute("BEGIN TRANSACTION")
        try:
            created = con.execute("SELECT created_at FROM scale_projects WHERE project = ?",
                                  [project]).fetchall()
            for table in SCALE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE project = ?", [project])
            con.execute("INSERT INTO scale_projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _project_row(project, result, created[0][0] if created else None))
            for table, frame in frames.items():
                columns = ", ".join(frame.columns)
                con.register("incoming", frame)
                try:
                    con.execute(f"INSERT INTO {table} (project, {columns}) "
                                f"SELECT ?, {columns} FROM incoming", [project])
                finally:
                    con.unregister("incoming")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
