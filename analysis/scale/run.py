"""``run_scale``: the streaming pipeline's stages in order, each resumable, status in the store.

Stages: ingest -> embed -> topics -> coding. Each records its status, resume cursor,
seconds and peak memory in ``scale_stages``; ``scale_projects.status`` names the stage in
progress (``done`` at the end). A re-run of the same inputs and settings skips finished
stages and continues a stopped one from its last written chunk; a new codebook re-runs only
the coding stage; other changed settings or inputs start the project over.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.config import PipelineConfig
from analysis.embedding import embedder_for
from analysis.engines import EmbedderSpec, engine_for
from analysis.ingest.options import IngestOptions
from analysis.scale.code import code_streaming
from analysis.scale.db import (
    peak_rss_mb,
    query_frame,
    reset_stages,
    save_stage,
    stage_state,
    transaction,
)
from analysis.scale.embed import embed_streaming
from analysis.scale.ingest import ingest_streaming
from analysis.scale.metadata import metadata_digest
from analysis.scale.schema import SCALE_TABLES
from analysis.scale.topics import DEFAULT_TOPIC_SAMPLE, topics_streaming
from analysis.store import Store

ProgressFn = Callable[[str, float], None]
STAGES = ("ingest", "embed", "topics", "coding")
_BANDS = {"ingest": (0.0, 0.1), "embed": (0.1, 0.6), "topics": (0.6, 0.8), "coding": (0.8, 1.0)}


@dataclass(frozen=True)
class ScaleConfig:
    """Settings of a streaming run: the pipeline's, plus chunk sizes and the topic sample."""

    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    topic_sample: int = DEFAULT_TOPIC_SAMPLE
    """Answers the topic model is fitted on (see ``analysis.scale.topics``)."""
    embed_chunk_rows: int = 2048
    topic_chunk_rows: int = 2048
    coding_chunk_rows: int = 8192
    """At least 4,000 so ``code_segments`` runs its regex scan on both cores."""
    ingest_chunk_transcripts: int = 500
    duckdb_memory_limit: str = "1GB"
    """DuckDB's buffer pool for this run (sorts and joins spill to disk beyond it)."""

    def key(self, paths: Sequence[str | Path]) -> str:
        """What decides whether a stored project can be resumed: inputs and result settings."""
        data = {
            "inputs": [str(Path(p)) for p in paths],
            "topics": self.pipeline.fingerprint(),
            "sample": self.topic_sample,
            "backend": self.pipeline.embedding_backend,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pipeline"] = self.pipeline.to_dict()
        return data


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _project_row(store: Store, project: str) -> dict[str, Any] | None:
    frame = query_frame(
        store,
        "SELECT status, config_json, codebook_yaml FROM scale_projects WHERE project = ?",
        [project],
    )
    if not len(frame):
        return None
    row = frame.iloc[0]
    return {
        "status": str(row["status"]),
        "config": json.loads(row["config_json"]),
        "codebook_yaml": row["codebook_yaml"] if isinstance(row["codebook_yaml"], str) else None,
    }


def _start_over(
    store: Store, project: str, config_json: str, model_id: str, codebook_yaml: str | None
) -> None:
    now = _now()
    with transaction(store) as con:
        for table in SCALE_TABLES:
            con.execute(f"DELETE FROM {table} WHERE project = ?", [project])
        con.execute(
            "INSERT INTO scale_projects VALUES (?, ?, ?, 'ingesting', 0, 0, 0, ?, ?, ?, '{}')",
            [project, now, now, model_id, config_json, codebook_yaml],
        )


def _set_status(store: Store, project: str, status: str, **values: Any) -> None:
    columns = ", ".join(f"{name} = ?" for name in values)
    with transaction(store) as con:
        con.execute(
            f"UPDATE scale_projects SET status = ?, updated_at = ?{', ' if values else ''}"
            f"{columns} WHERE project = ?",
            [status, _now(), *values.values(), project],
        )


def _prepare(
    store: Store,
    project: str,
    config_json: str,
    model_id: str,
    codebook_yaml: str | None,
) -> None:
    """Start over, resume, or re-open only the coding stage (new codebook)."""
    row = _project_row(store, project)
    if row is None or row["config"].get("key") != json.loads(config_json)["key"]:
        _start_over(store, project, config_json, model_id, codebook_yaml)
        return
    if row["codebook_yaml"] != codebook_yaml:
        with transaction(store) as con:
            reset_stages(con, project, ["coding"])
            con.execute(
                "UPDATE scale_projects SET codebook_yaml = ? WHERE project = ?",
                [codebook_yaml, project],
            )


def run_scale(
    paths: Sequence[str | Path],
    *,
    project: str,
    store: Store,
    config: ScaleConfig | None = None,
    codebook_yaml: str | None = None,
    progress: ProgressFn | None = None,
    ingest_options: IngestOptions | None = None,
    stop_after: str | None = None,
    metadata: str | Path | None = None,
) -> dict[str, Any]:
    """Analyse ``paths`` into the project's scale tables; returns the run record (run.json).

    ``stop_after``: a stage name; later stages are left for the next call (the benchmark
    runs each stage in a fresh process this way).

    ``metadata``: a CSV/XLSX keyed by transcript id (``analyze --metadata``), joined to the
    transcripts at the end of the ingest; a different file's content starts the project over.

    Memory stays flat as the corpus grows: every stage holds one chunk (plus the topic
    sample). Safe to call again after a crash: it continues where the store says it stopped.
    """
    config = config or ScaleConfig()
    if stop_after is not None and stop_after not in STAGES:
        raise ValueError(f"unknown stage {stop_after!r} (stages: {', '.join(STAGES)})")
    pipeline = config.pipeline
    base = embedder_for(pipeline.embedding_backend, pipeline.max_seq_length, pipeline.batch_size)
    settings = {**config.to_dict(), "key": config.key(paths)}
    if metadata is not None:
        settings["metadata"] = metadata_digest(metadata)
        settings["key"] = hashlib.sha256(
            f"{settings['key']}:{settings['metadata']}".encode()
        ).hexdigest()[:16]
    config_json = json.dumps(settings, sort_keys=True, default=list)
    with store.locked_connection() as con:
        con.execute(f"SET memory_limit = '{config.duckdb_memory_limit}'")
    _prepare(store, project, config_json, base.model_id, codebook_yaml)
    engine = engine_for(pipeline.engine, address=pipeline.ray_address, workers=pipeline.ray_workers)
    embedder = engine.cached_embedder(EmbedderSpec.of(pipeline), base, store, chunk_size=512)

    def band(stage: str) -> ProgressFn:
        low, high = _BANDS[stage]
        return lambda message, fraction: (
            progress(message, low + (high - low) * min(1.0, max(0.0, fraction)))
            if progress is not None
            else None
        )

    details: dict[str, dict[str, Any]] = {}
    messages: list[str] = []
    for stage in STAGES:
        state = stage_state(store, project, stage)
        if state is not None and state["status"] == "done":
            details[stage] = state
            continue
        status = {"ingest": "ingesting", "embed": "embedding"}.get(stage, stage)
        _set_status(store, project, status)
        previous = state["seconds"] if state else 0.0
        cursor = state["cursor"] if state else None
        started = time.perf_counter()
        detail: dict[str, Any] = {}
        if stage == "ingest":
            summary = ingest_streaming(
                paths,
                project=project,
                store=store,
                options=ingest_options,
                chunk_transcripts=config.ingest_chunk_transcripts,
                progress=band(stage),
                metadata=metadata,
            )
            detail = {k: v for k, v in asdict(summary).items() if k != "warnings"}
            messages.extend(summary.warnings)
            _set_status(
                store,
                project,
                status,
                n_transcripts=summary.transcripts,
                n_segments=summary.segments,
            )
        elif stage == "embed":
            result = embed_streaming(
                store,
                project,
                embedder,
                unit_max_words=pipeline.unit_max_words,
                chunk_rows=config.embed_chunk_rows,
                progress=band(stage),
            )
            detail = asdict(result)
        elif stage == "topics":
            stats, fit_messages = topics_streaming(
                store,
                project,
                embedder,
                pipeline,
                sample_size=config.topic_sample,
                chunk_rows=config.topic_chunk_rows,
                cursor=int(cursor or 0),
                seconds=previous,
                progress=band(stage),
            )
            detail = {"topic_stats": stats, "messages": fit_messages}
            messages.extend(fit_messages)
            _set_status(store, project, status, n_topics=int(stats.get("topics", 0)))
        else:
            detail = code_streaming(
                store,
                project,
                embedder,
                codebook_yaml,
                unit_max_words=pipeline.unit_max_words,
                chunk_rows=config.coding_chunk_rows,
                cursor=cursor,
                seconds=previous,
                progress=band(stage),
                engine=engine,
            )
        seconds = previous + time.perf_counter() - started
        with transaction(store) as con:
            save_stage(
                con, project, stage, status="done", cursor=None, seconds=seconds, detail=detail
            )
        details[stage] = {
            "seconds": round(seconds, 3),
            "peak_rss_mb": peak_rss_mb(),
            "detail": detail,
        }
        if stage == stop_after:
            return _run_record(project, base.model_id, config, details, messages)
    run = _run_record(project, base.model_id, config, details, messages)
    _set_status(store, project, "done", run_json=json.dumps(run, default=str))
    return run


def _run_record(
    project: str,
    model_id: str,
    config: ScaleConfig,
    details: dict[str, dict[str, Any]],
    messages: list[str],
) -> dict[str, Any]:
    """run.json of a streaming run: the in-memory run's keys where they apply, plus per-stage
    peak memory (the process's peak when the stage ended; earlier processes for resumed
    stages)."""
    from analysis.pipeline import _model_versions

    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "project": project,
        "mode": "streaming",
        "stages": {stage: details[stage]["seconds"] for stage in details},
        "stage_peak_rss_mb": {stage: details[stage]["peak_rss_mb"] for stage in details},
        "stage_details": {stage: details[stage].get("detail", {}) for stage in details},
        "models": {"embedding": model_id, **_model_versions()},
        "settings": config.to_dict(),
        "total_seconds": round(sum(details[s]["seconds"] for s in details), 3),
        "peak_rss_mb": peak_rss_mb(),
        "messages": messages,
    }
