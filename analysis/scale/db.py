"""Small DuckDB helpers the streaming stages share: chunked reads, atomic chunk writes,
stage bookkeeping.

Why a separate read cursor: a stage streams one query (``fetch_record_batch``) while it
writes each finished chunk through the store's own connection; a DuckDB cursor is a second
connection to the same database, so the stream is not reset by those writes.
"""

from __future__ import annotations

import json
import resource
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.scale.schema import ensure_scale_schema
from analysis.store import Store

SEGMENTS_IN_INGEST_ORDER = (
    "SELECT transcript_id, segment_index, cohort, question, answer "
    "FROM scale_segments WHERE project = ?"
)
"""No ORDER BY (which would sort a million answers): a plain scan returns rows in insertion
order (``preserve_insertion_order``, set on every read cursor), i.e. ingest order with each
transcript's answers together; resume cursors count rows in this order."""


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def transaction(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store's connection inside one transaction: a chunk is written whole or not at all."""
    with store.locked_connection() as con:
        ensure_scale_schema(con)
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, Sequence[Any] | pa.Array]
) -> None:
    """Append column lists (equal lengths) to ``table`` by column name."""
    data = pa.table({name: values for name, values in columns.items()})
    if not data.num_rows:
        return
    view = f"_scale_insert_{table}"
    con.register(view, data)
    try:
        names = ", ".join(columns)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {view}")
    finally:
        con.unregister(view)


Params = Sequence[Any] | dict[str, Any]
"""Positional (``?``) or named (``$name``) query parameters."""


def _bound(params: Params) -> list[Any] | dict[str, Any]:
    return dict(params) if isinstance(params, dict) else list(params)


def query_frame(store: Store, sql: str, params: Params = ()) -> pd.DataFrame:
    """A small result (a chunk, a sample, a count) as a DataFrame."""
    with store.locked_connection() as con:
        ensure_scale_schema(con)
        return con.execute(sql, _bound(params)).fetchdf()


def stream_frames(
    store: Store, sql: str, params: Params = (), rows: int = 2048
) -> Iterator[pd.DataFrame]:
    """Run ``sql`` on a read cursor and yield its result ``rows`` rows at a time."""
    with store.locked_connection() as con:
        ensure_scale_schema(con)
        cursor = con.cursor()
    try:
        cursor.execute("SET preserve_insertion_order = true")
        reader = cursor.sql(sql, params=_bound(params)).to_arrow_reader(rows)
        buffer: list[pa.RecordBatch] = []
        held = 0
        for batch in reader:
            buffer.append(batch)
            held += batch.num_rows
            while held >= rows:
                table = pa.Table.from_batches(buffer)
                yield table.slice(0, rows).to_pandas()
                rest = table.slice(rows)
                buffer, held = rest.to_batches(), rest.num_rows
        if held:
            yield pa.Table.from_batches(buffer).to_pandas()
    finally:
        cursor.close()


def whole_transcripts(frames: Iterator[pd.DataFrame], min_rows: int) -> Iterator[pd.DataFrame]:
    """Regroup row chunks (ordered so a transcript's rows are contiguous) into chunks of at
    least ``min_rows`` rows that never split a transcript."""
    pending: list[pd.DataFrame] = []
    held = 0
    for frame in frames:
        pending.append(frame)
        held += len(frame)
        if held < min_rows:
            continue
        joined = pd.concat(pending, ignore_index=True)
        last = joined["transcript_id"].iloc[-1]
        cut = int((joined["transcript_id"] != last).to_numpy().nonzero()[0].max(initial=-1)) + 1
        if cut == 0:  # one transcript longer than the chunk: keep collecting
            pending, held = [joined], len(joined)
            continue
        yield joined.iloc[:cut].reset_index(drop=True)
        pending, held = [joined.iloc[cut:].reset_index(drop=True)], len(joined) - cut
    if held:
        yield pd.concat(pending, ignore_index=True)


# -- stage bookkeeping -----------------------------------------------------------------
def stage_state(store: Store, project: str, stage: str) -> dict[str, Any] | None:
    """``{status, cursor, seconds, peak_rss_mb, detail}`` of a stage, None if never started."""
    frame = query_frame(
        store,
        "SELECT status, cursor_json, seconds, peak_rss_mb, detail_json FROM scale_stages "
        "WHERE project = ? AND stage = ?",
        [project, stage],
    )
    if not len(frame):
        return None
    row = frame.iloc[0]
    return {
        "status": str(row["status"]),
        "cursor": json.loads(row["cursor_json"]),
        "seconds": float(row["seconds"]),
        "peak_rss_mb": float(row["peak_rss_mb"]),
        "detail": json.loads(row["detail_json"]),
    }


def save_stage(
    con: duckdb.DuckDBPyConnection,
    project: str,
    stage: str,
    *,
    status: str,
    cursor: Any,
    seconds: float,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a stage's progress; call inside the transaction that wrote the chunk."""
    con.execute("DELETE FROM scale_stages WHERE project = ? AND stage = ?", [project, stage])
    con.execute(
        "INSERT INTO scale_stages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            project,
            stage,
            status,
            json.dumps(cursor),
            round(seconds, 3),
            peak_rss_mb(),
            json.dumps(detail or {}, default=str),
            _now(),
        ],
    )


def reset_stages(con: duckdb.DuckDBPyConnection, project: str, stages: Sequence[str]) -> None:
    """Forget the progress of ``stages`` (they will run again from the start)."""
    for stage in stages:
        con.execute("DELETE FROM scale_stages WHERE project = ? AND stage = ?", [project, stage])
