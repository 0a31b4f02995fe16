"""Chunked embedding that resumes: only answers whose vector the store lacks are embedded.

Each chunk is chosen by an anti-join of ``scale_segments`` against the store's
``embeddings`` table (distinct text hashes, in hash order) and embedded through
``analysis.embedding.CachedEmbedder`` — the same cache, keys and model call as the
in-memory pipeline (``embed_answers`` with the run's ``unit_max_words``), so any hook on
``CachedEmbedder`` (another engine) applies here too. Vectors are written chunk by chunk,
so a stopped run loses at most the chunk in flight and a re-run starts with what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analysis.embedding import CachedEmbedder, embed_answers
from analysis.scale.db import query_frame, stream_frames
from analysis.store import Store

ProgressFn = Callable[[str, float], None]

_MISSING = (
    "SELECT s.text_hash, min(s.answer) AS answer FROM scale_segments s "
    "WHERE s.project = ? AND NOT EXISTS (SELECT 1 FROM embeddings e "
    "WHERE e.text_hash = s.text_hash AND e.model_id = ?) "
    "GROUP BY s.text_hash ORDER BY s.text_hash"
)
"""Distinct answers without a vector for the model; ``min`` picks one spelling per hash
(all spellings of a hash normalise to the same text, so they share the vector)."""


@dataclass(slots=True)
class EmbedSummary:
    """``n_missing``: distinct answers without a vector when the stage started;
    ``n_computed``: texts this run sent to the model."""

    n_missing: int
    n_computed: int
    n_chunks: int


def count_missing(store: Store, project: str, model_id: str) -> int:
    """Distinct answer texts of the project that have no vector for ``model_id`` yet."""
    frame = query_frame(store, f"SELECT count(*) AS n FROM ({_MISSING})", [project, model_id])
    return int(frame["n"].iloc[0])


def embed_streaming(
    store: Store,
    project: str,
    embedder: CachedEmbedder,
    *,
    unit_max_words: int = 0,
    chunk_rows: int = 2048,
    progress: ProgressFn | None = None,
) -> EmbedSummary:
    """Embed every answer of ``project`` the store has no vector for, ``chunk_rows`` at a time.

    With ``unit_max_words=0`` (the default) an answer is one unit keyed by ``text_key``, so
    the anti-join sees exactly what is cached; with splitting, units are cached under their
    own keys and the cache (not the anti-join) skips the ones already embedded.
    """
    if embedder.cache is not store:
        raise ValueError("the embedder must write to the project's store")
    n_missing = count_missing(store, project, embedder.model_id)
    before = embedder.n_computed
    done = chunks = 0
    for chunk in stream_frames(store, _MISSING, [project, embedder.model_id], chunk_rows):
        embed_answers(embedder, chunk["answer"].tolist(), unit_max_words)
        done += len(chunk)
        chunks += 1
        if progress is not None:
            progress(f"Embedding answers ({done:,}/{n_missing:,})", done / max(n_missing, 1))
    return EmbedSummary(
        n_missing=n_missing, n_computed=embedder.n_computed - before, n_chunks=chunks
    )
