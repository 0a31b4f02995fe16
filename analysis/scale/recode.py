"""Re-code a large project with an edited codebook: only the streaming coding stage runs.

Why a module of its own: the codebook editor must not re-run the whole streaming pipeline
(``run_scale`` wants the input files again and would re-check every stage). Re-coding
needs what the store already holds: the answers (``scale_segments``), their vectors in the
embedding cache (keyed by text hash and model id, so nothing is embedded again; only the
codebook's own texts are new) and the transcripts' roles from metadata
(``scale_transcript_meta``). ``code_streaming`` then replaces ``scale_codebook``,
``scale_assignments`` and ``scale_participants`` chunk by chunk, in bounded memory, with
exactly the rows a whole-corpus ``code_corpus`` would give.

The project's ``updated_at`` moves when coding ends, so every cached page query of the
project (keyed on that revision) is recomputed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from analysis.coding import validate_codebook_yaml
from analysis.config import PipelineConfig
from analysis.embedding import CachedEmbedder, embedder_for
from analysis.engines import EmbedderSpec
from analysis.engines.local import LocalEngine
from analysis.scale.code import code_streaming
from analysis.scale.db import query_frame, reset_stages, save_stage, transaction
from analysis.store import Store

ProgressFn = Callable[[str, float], None]
DEFAULT_CODING_CHUNK_ROWS = 8192
"""As ``ScaleConfig.coding_chunk_rows`` when the project does not record its own."""
RECODABLE = ("done", "coding")
"""Project states re-coding may start from: analysed, or a re-coding that stopped part-way.
Earlier stages (ingesting, embedding, topics) mean a streaming run is still under way."""


def project_status(store: Store, project: str) -> str | None:
    """The project's ``scale_projects.status`` (None when there is no such project)."""
    frame = query_frame(store, "SELECT status FROM scale_projects WHERE project = ?", [project])
    return str(frame["status"].iloc[0]) if len(frame) else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def project_settings(store: Store, project: str) -> tuple[PipelineConfig, int, str, dict]:
    """(pipeline settings, coding chunk rows, model id, run record) the project was made with.

    A streaming run stores ``ScaleConfig.to_dict()`` (pipeline settings nested); a project
    written from an in-memory result (``write_result_tables``) stores the pipeline's own.
    """
    frame = query_frame(
        store,
        "SELECT config_json, model_id, run_json FROM scale_projects WHERE project = ?",
        [project],
    )
    if not len(frame):
        raise KeyError(f"no large project named {project!r}")
    row = frame.iloc[0]
    stored = json.loads(row["config_json"] or "{}")
    nested = stored.get("pipeline")
    raw = nested if isinstance(nested, dict) else stored
    fields = PipelineConfig.__dataclass_fields__
    settings = {k: v for k, v in raw.items() if k in fields}
    if "extra_stop_words" in settings:
        settings["extra_stop_words"] = tuple(settings["extra_stop_words"])
    chunk_rows = int(stored.get("coding_chunk_rows") or DEFAULT_CODING_CHUNK_ROWS)
    run = json.loads(row["run_json"] or "{}")
    return PipelineConfig(**settings), chunk_rows, str(row["model_id"]), run


def ensure_transcript_meta(store: Store, project: str) -> int:
    """Give transcripts without a ``scale_transcript_meta`` row one (ingest order, no
    attributes); returns how many were added.

    The streaming ingest always writes these rows; a project written from an in-memory
    result does not, and the coding stage joins them to find each transcript's role.
    """
    count = "SELECT count(*) FROM scale_transcript_meta WHERE project = ?"
    with transaction(store) as con:
        before = con.execute(count, [project]).fetchone()
        con.execute(
            "INSERT INTO scale_transcript_meta SELECT t.project, t.transcript_id, "
            "(SELECT coalesce(max(position) + 1, 0) FROM scale_transcript_meta "
            "WHERE project = $project) + row_number() OVER () - 1, 0, t.n_segments, 'utf-8', "
            "'', '{}' FROM scale_transcripts t WHERE t.project = $project "
            "AND t.transcript_id NOT IN (SELECT transcript_id FROM scale_transcript_meta "
            "WHERE project = $project)",
            {"project": project},
        )
        after = con.execute(count, [project]).fetchone()
    return int(after[0] if after else 0) - int(before[0] if before else 0)


def recode_streaming(
    store: Store,
    project: str,
    codebook_yaml: str,
    *,
    progress: ProgressFn | None = None,
    embedder: CachedEmbedder | None = None,
    chunk_rows: int | None = None,
) -> dict[str, Any]:
    """Re-run the coding stage of ``project`` with ``codebook_yaml``; returns its record.

    ``embedder``: for tests (counting what is computed); by default the project's own
    model over the store's vector cache. Raises ``ValueError`` for an invalid codebook or a
    project analysed with another embedding model, ``KeyError`` for an unknown project.
    """
    problems = validate_codebook_yaml(codebook_yaml)
    if problems:
        raise ValueError("; ".join(problems))
    status = project_status(store, project)
    if status is not None and status not in RECODABLE:
        raise ValueError(f"the project is still being analysed ({status}); re-code it after")
    config, stored_chunk_rows, model_id, run = project_settings(store, project)
    if embedder is None:
        base = embedder_for(config.embedding_backend, config.max_seq_length, config.batch_size)
        embedder = LocalEngine().cached_embedder(EmbedderSpec.of(config), base, store)
    if model_id and embedder.model_id != model_id:
        raise ValueError("the project was analysed with a different embedding model")
    started = time.perf_counter()
    ensure_transcript_meta(store, project)
    with transaction(store) as con:
        reset_stages(con, project, ["coding"])
        con.execute(
            "UPDATE scale_projects SET status = 'coding', codebook_yaml = ?, updated_at = ? "
            "WHERE project = ?",
            [codebook_yaml, _now(), project],
        )
    computed_before = embedder.n_computed
    detail = code_streaming(
        store,
        project,
        embedder,
        codebook_yaml,
        unit_max_words=config.unit_max_words,
        chunk_rows=chunk_rows or stored_chunk_rows,
        progress=progress,
    )
    seconds = time.perf_counter() - started
    record = {
        **detail,
        "seconds": round(seconds, 3),
        "texts_embedded_now": embedder.n_computed - computed_before,
    }
    run = {**run, "recoded": record}
    with transaction(store) as con:
        save_stage(con, project, "coding", status="done", cursor=None, seconds=seconds,
                   detail=detail)
        con.execute(
            "UPDATE scale_projects SET status = 'done', updated_at = ?, run_json = ? "
            "WHERE project = ?",
            [_now(), json.dumps(run, default=str), project],
        )
    return record
