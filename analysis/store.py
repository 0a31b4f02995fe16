"""The project store: one DuckDB file holding the vector cache, projects and topic edits.

Why DuckDB: one file per user, no server, transactional writes, fast columnar reads.
Result frames are saved as Parquet bytes (typed, no pickles) so re-opening a project is a
few reads, never a recomputation. Vectors are float32 bytes keyed by (text hash, model id)
and shared by every project.
"""

from __future__ import annotations

import functools
import io
import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.results import AnalysisResult

STORE_ENV = "INTERVIEW_LENS_STORE"
RESULT_FRAMES = (
    "files",
    "transcripts",
    "turns",
    "segments",
    "topics",
    "participants",
    "assignments",
    "codebook",
    "topic_hierarchy",
)
STATE_FRAMES = ("segment_keys",)
"""Internal frames: per segment its text hash, so recoding/adding never re-reads files."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    text_hash VARCHAR NOT NULL,
    model_id VARCHAR NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (text_hash, model_id)
);
CREATE TABLE IF NOT EXISTS projects (
    name VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    n_transcripts INTEGER NOT NULL,
    n_segments INTEGER NOT NULL,
    n_topics INTEGER NOT NULL,
    model_id VARCHAR NOT NULL,
    fit_key VARCHAR NOT NULL,
    result_key VARCHAR NOT NULL,
    config_json VARCHAR NOT NULL,
    codebook_yaml VARCHAR,
    run_json VARCHAR NOT NULL,
    messages_json VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS project_frames (
    project VARCHAR NOT NULL,
    frame VARCHAR NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (project, frame)
);
CREATE TABLE IF NOT EXISTS topic_edits (
    project VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    topic_ids VARCHAR NOT NULL,
    label VARCHAR,
    PRIMARY KEY (project, seq)
);
CREATE TABLE IF NOT EXISTS project_members (
    project VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    added_by VARCHAR NOT NULL,
    PRIMARY KEY (project, email)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq BIGINT PRIMARY KEY,
    happened_at TIMESTAMP NOT NULL,
    user_email VARCHAR NOT NULL,
    project VARCHAR,
    action VARCHAR NOT NULL,
    detail VARCHAR NOT NULL
);
"""
AUDIT_COLUMNS = ("seq", "happened_at", "user_email", "project", "action", "detail")


def default_store_path() -> Path:
    """``$INTERVIEW_LENS_STORE``, else a per-user data directory (XDG on Linux)."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interview-lens" / "store.duckdb"


def _first_row(rows: list[tuple]) -> tuple | None:
    """The first row of a fully fetched result (duckdb 2 wants results fetched completely)."""
    return rows[0] if rows else None


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """A row of the project list: enough to show and pick a project without loading it."""

    name: str
    n_transcripts: int
    n_segments: int
    n_topics: int
    updated_at: datetime
    created_at: datetime
    model_id: str


@dataclass(slots=True)
class ProjectState:
    """What the pipeline needs to decide between load, incremental update and refit."""

    fit_key: str
    result_key: str
    model_id: str
    config: dict[str, Any]
    codebook_yaml: str | None
    segment_keys: pd.DataFrame = field(default_factory=pd.DataFrame)
    """transcript_id, segment_index, text_hash (of the answer) per segment."""


@dataclass(frozen=True, slots=True)
class TopicEdit:
    """A user's rename or merge, replayed in order over the fitted topics."""

    kind: str  # "rename" | "merge"
    topic_ids: tuple[int, ...]
    label: str | None


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """Serialise calls: one DuckDB connection must not be used by two threads at once
    (the app shares one Store between Streamlit sessions)."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _frame_to_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _frame_from_bytes(data: bytes) -> pd.DataFrame:
    return pq.read_table(io.BytesIO(data)).to_pandas()


class Store:
    """One DuckDB connection per object; every multi-statement write is one transaction."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = duckdb.connect(str(self.path))
        self._con.execute(_SCHEMA)

    # -- lifecycle ---------------------------------------------------------------------
    @_locked
    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def locked_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection under the store's lock, for modules that own their own tables
        (``analysis.scale``); callers must not keep it beyond the ``with`` block."""
        with self._lock:
            yield self._con

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # -- vector cache --------------------------------------------------------------------
    @_locked
    def get_vectors(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        """Cached vectors for the given text hashes (missing keys are simply absent)."""
        if not len(keys):
            return {}
        wanted = pa.table({"text_hash": pa.array(list(keys), pa.string())})
        self._con.register("wanted_keys", wanted)
        try:
            rows = self._con.execute(
                "SELECT e.text_hash, e.dim, e.vector FROM embeddings e "
                "JOIN wanted_keys w USING (text_hash) WHERE e.model_id = ?",
                [model_id],
            ).fetchall()
        finally:
            self._con.unregister("wanted_keys")
        return {h: np.frombuffer(b, dtype=np.float32) for h, _dim, b in rows}

    @_locked
    def put_vectors(self, keys: Sequence[str], vectors: np.ndarray, model_id: str) -> None:
        """Insert vectors (float32 bytes); keys already cached for this model are kept."""
        if not len(keys):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        table = pa.table(
            {
                "text_hash": pa.array(list(keys), pa.string()),
                "model_id": pa.array([model_id] * len(keys), pa.string()),
                "dim": pa.array([vectors.shape[1]] * len(keys), pa.int32()),
                "vector": pa.array([row.tobytes() for row in vectors], pa.binary()),
            }
        )
        self._con.register("new_vectors", table)
        try:
            with self._transaction() as con:
                con.execute(
                    "INSERT INTO embeddings SELECT DISTINCT ON (text_hash) * FROM new_vectors "
                    "ON CONFLICT DO NOTHING"
                )
        finally:
            self._con.unregister("new_vectors")

    @_locked
    def count_vectors(self, model_id: str | None = None) -> int:
        if model_id is None:
            row = _first_row(self._con.execute("SELECT count(*) FROM embeddings").fetchall())
        else:
            row = _first_row(
                self._con.execute(
                    "SELECT count(*) FROM embeddings WHERE model_id = ?", [model_id]
                ).fetchall()
            )
        return int(row[0]) if row else 0

    @_locked
    def delete_vectors(self, keys: Sequence[str], model_id: str) -> None:
        """Forget cached vectors (the benchmark uses this to simulate new answers)."""
        table = pa.table({"text_hash": pa.array(list(keys), pa.string())})
        self._con.register("gone_keys", table)
        try:
            with self._transaction() as con:
                con.execute(
                    "DELETE FROM embeddings WHERE model_id = ? "
                    "AND text_hash IN (SELECT text_hash FROM gone_keys)",
                    [model_id],
                )
        finally:
            self._con.unregister("gone_keys")

    # -- projects ------------------------------------------------------------------------
    @_locked
    def list_projects(self) -> list[ProjectInfo]:
        rows = self._con.execute(
            "SELECT name, n_transcripts, n_segments, n_topics, updated_at, created_at, model_id "
            "FROM projects ORDER BY updated_at DESC, name"
        ).fetchall()
        return [ProjectInfo(*row) for row in rows]

    @_locked
    def has_project(self, project: str) -> bool:
        row = _first_row(
            self._con.execute("SELECT 1 FROM projects WHERE name = ?", [project]).fetchall()
        )
        return row is not None

    @_locked
    def save_result(
        self,
        project: str,
        result: AnalysisResult,
        state: ProjectState | None = None,
    ) -> None:
        """Replace the project's saved result (and, from the pipeline, its fit state).

        Saved frames are the *unedited* topic-model output; renames and merges live in
        ``topic_edits`` and are replayed by ``load_result``.
        """
        if state is None:
            state = self.get_state(project) or ProjectState(
                fit_key="", result_key="", model_id="", config={}, codebook_yaml=None
            )
        now = datetime.now(UTC).replace(tzinfo=None)
        frames = {name: getattr(result, name) for name in RESULT_FRAMES}
        frames["segment_keys"] = state.segment_keys
        blobs = [(project, name, _frame_to_bytes(frame)) for name, frame in frames.items()]
        n_topics = int((result.topics["topic_id"] >= 0).sum()) if len(result.topics) else 0
        with self._transaction() as con:
            created = _first_row(
                con.execute("SELECT created_at FROM projects WHERE name = ?", [project]).fetchall()
            )
            con.execute("DELETE FROM projects WHERE name = ?", [project])
            con.execute("DELETE FROM project_frames WHERE project = ?", [project])
            con.execute(
                "INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    project,
                    created[0] if created else now,
                    now,
                    len(result.transcripts),
                    len(result.segments),
                    n_topics,
                    state.model_id,
                    state.fit_key,
                    state.result_key,
                    json.dumps(state.config, default=list),
                    state.codebook_yaml,
                    json.dumps(result.run, default=str),
                    json.dumps(result.messages),
                ],
            )
            con.executemany("INSERT INTO project_frames VALUES (?, ?, ?)", blobs)

    def _frames(self, project: str, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        rows = self._con.execute(
            "SELECT frame, data FROM project_frames WHERE project = ? AND list_contains(?, frame)",
            [project, list(names)],
        ).fetchall()
        return {name: _frame_from_bytes(data) for name, data in rows}

    @_locked
    def load_base_result(self, project: str) -> AnalysisResult | None:
        """The saved result exactly as the pipeline produced it (no user topic edits)."""
        meta = _first_row(
            self._con.execute(
                "SELECT run_json, messages_json FROM projects WHERE name = ?", [project]
            ).fetchall()
        )
        if meta is None:
            return None
        frames = self._frames(project, RESULT_FRAMES)
        for name, column in (("topics", "representative_quotes"), ("topic_hierarchy", "topics")):
            frame = frames.get(name)
            if frame is not None and column in frame:  # Parquet lists load as arrays
                frame[column] = [list(v) if v is not None else [] for v in frame[column]]
        return AnalysisResult(
            **{name: frames.get(name, pd.DataFrame()) for name in RESULT_FRAMES},
            run=json.loads(meta[0]),
            messages=json.loads(meta[1]),
        )

    @_locked
    def load_result(self, project: str) -> AnalysisResult | None:
        """The saved result with renames and merges applied; None for an unknown project."""
        from analysis.topics import apply_topic_edits

        result = self.load_base_result(project)
        if result is None:
            return None
        edits = self.get_topic_edits(project)
        if edits:
            result.segments, result.topics = apply_topic_edits(
                result.segments, result.topics, edits
            )
        return result

    @_locked
    def get_state(self, project: str) -> ProjectState | None:
        row = _first_row(
            self._con.execute(
                "SELECT fit_key, result_key, model_id, config_json, codebook_yaml "
                "FROM projects WHERE name = ?",
                [project],
            ).fetchall()
        )
        if row is None:
            return None
        keys = self._frames(project, STATE_FRAMES).get("segment_keys", pd.DataFrame())
        return ProjectState(
            fit_key=row[0],
            result_key=row[1],
            model_id=row[2],
            config=json.loads(row[3]),
            codebook_yaml=row[4],
            segment_keys=keys,
        )

    @_locked
    def get_codebook(self, project: str) -> str | None:
        row = _first_row(
            self._con.execute(
                "SELECT codebook_yaml FROM projects WHERE name = ?", [project]
            ).fetchall()
        )
        return row[0] if row else None

    @_locked
    def delete_project(self, project: str) -> None:
        """Drop the project and its edits; cached vectors stay (other projects share them)."""
        with self._transaction() as con:
            for table, column in (
                ("projects", "name"),
                ("project_frames", "project"),
                ("topic_edits", "project"),
                ("project_members", "project"),
            ):
                con.execute(f"DELETE FROM {table} WHERE {column} = ?", [project])

    # -- topic edits ---------------------------------------------------------------------
    @_locked
    def get_topic_edits(self, project: str) -> list[TopicEdit]:
        rows = self._con.execute(
            "SELECT kind, topic_ids, label FROM topic_edits WHERE project = ? ORDER BY seq",
            [project],
        ).fetchall()
        return [TopicEdit(kind, tuple(json.loads(ids)), label) for kind, ids, label in rows]

    @_locked
    def _add_edit(
        self, project: str, kind: str, topic_ids: Sequence[int], label: str | None
    ) -> None:
        if not self.has_project(project):
            raise KeyError(f"no project named {project!r}")
        with self._transaction() as con:
            row = _first_row(
                con.execute(
                    "SELECT coalesce(max(seq), -1) + 1 FROM topic_edits WHERE project = ?",
                    [project],
                ).fetchall()
            )
            con.execute(
                "INSERT INTO topic_edits VALUES (?, ?, ?, ?, ?)",
                [
                    project,
                    row[0] if row else 0,
                    kind,
                    json.dumps([int(t) for t in topic_ids]),
                    label,
                ],
            )

    @_locked
    def rename_topic(self, project: str, topic_id: int, label: str) -> None:
        """Give a topic a researcher's name; kept across reloads and same-corpus re-runs."""
        label = label.strip()
        if not label:
            raise ValueError("a topic label cannot be empty")
        self._validate_topics(project, [topic_id])
        self._add_edit(project, "rename", [topic_id], label)

    @_locked
    def merge_topics(
        self, project: str, topic_ids: Sequence[int], label: str | None = None
    ) -> None:
        """Merge topics into the lowest id among them; optional new label."""
        ids = sorted({int(t) for t in topic_ids})
        if len(ids) < 2:
            raise ValueError("choose at least two topics to merge")
        self._validate_topics(project, ids)
        self._add_edit(project, "merge", ids, label.strip() if label else None)

    @_locked
    def clear_topic_edits(self, project: str) -> None:
        with self._transaction() as con:
            con.execute("DELETE FROM topic_edits WHERE project = ?", [project])

    def _validate_topics(self, project: str, topic_ids: Sequence[int]) -> None:
        result = self.load_result(project)
        if result is None:
            raise KeyError(f"no project named {project!r}")
        known = set(result.topics["topic_id"].astype(int)) - {-1}
        unknown = [t for t in topic_ids if int(t) not in known]
        if unknown:
            raise ValueError(f"unknown topic ids {unknown} (the outlier topic -1 cannot be edited)")


    # -- team: members and the audit log (policy lives in analysis.access/audit) ------------
    @_locked
    def get_members(self, project: str) -> list[tuple[str, str]]:
        """``(email, role)`` rows of a project, owners first; [] for an unowned project."""
        rows = self._con.execute(
            "SELECT email, role FROM project_members WHERE project = ? "
            "ORDER BY role = 'owner' DESC, email",
            [project],
        ).fetchall()
        return [(str(email), str(role)) for email, role in rows]

    @_locked
    def put_member(self, project: str, email: str, role: str, added_by: str) -> None:
        """Add a member or change their role (one row per project and e-mail)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._transaction() as con:
            con.execute(
                "DELETE FROM project_members WHERE project = ? AND email = ?", [project, email]
            )
            con.execute(
                "INSERT INTO project_members VALUES (?, ?, ?, ?, ?)",
                [project, email, role, now, added_by],
            )

    @_locked
    def delete_member(self, project: str, email: str) -> None:
        with self._transaction() as con:
            con.execute(
                "DELETE FROM project_members WHERE project = ? AND email = ?", [project, email]
            )

    @_locked
    def member_projects(self, email: str) -> dict[str, str]:
        """Project name -> role for every project this e-mail belongs to."""
        rows = self._con.execute(
            "SELECT project, role FROM project_members WHERE email = ?", [email]
        ).fetchall()
        return {str(project): str(role) for project, role in rows}

    @_locked
    def append_audit(
        self, user_email: str, action: str, project: str | None, detail: str
    ) -> int:
        """Append one audit row; returns its sequence number. There is no update or delete."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._transaction() as con:
            row = _first_row(
                con.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit_log").fetchall()
            )
            seq = int(row[0]) if row else 1
            con.execute(
                "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
                [seq, now, user_email, project, action, detail],
            )
        return seq

    @_locked
    def read_audit(self, project: str | None = None) -> pd.DataFrame:
        """Audit rows in order (one project's, or all of them)."""
        where, params = ("WHERE project = ?", [project]) if project is not None else ("", [])
        return self._con.execute(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log {where} ORDER BY seq", params
        ).fetchdf()

    # -- erasure ---------------------------------------------------------------------------
    @_locked
    def compact(self) -> None:
        """Rewrite the store into a fresh file and swap it in, so deleted rows leave no bytes.

        DuckDB reuses freed blocks but does not zero them: after a DELETE, the old text can
        stay readable in the file. ``COPY FROM DATABASE`` writes only live rows into a new
        file, which then replaces the old one (same path; the connection is reopened).
        In-memory stores have nothing to rewrite.
        """
        if str(self.path) == ":memory:":
            return
        fresh = self.path.with_name(self.path.name + ".compact")
        fresh.unlink(missing_ok=True)
        self._con.execute("CHECKPOINT")
        self._con.execute(f"ATTACH '{_sql_path(fresh)}' AS fresh_copy")
        try:
            current = _first_row(self._con.execute("SELECT current_database()").fetchall())
            name = str(current[0]) if current else "memory"
            self._con.execute(f'COPY FROM DATABASE "{name}" TO fresh_copy')
        finally:
            self._con.execute("DETACH fresh_copy")
        self._con.close()
        wal = self.path.with_name(self.path.name + ".wal")
        os.replace(fresh, self.path)
        wal.unlink(missing_ok=True)
        self._con = duckdb.connect(str(self.path))
        self._con.execute(_SCHEMA)


def _sql_path(path: Path) -> str:
    """A path as a single-quoted SQL literal body."""
    return str(path).replace("'", "''")
