"""Topics at scale: fit on a deterministic sample, then place every answer chunk by chunk.

Why a sample: UMAP + HDBSCAN on a million answers needs tens of GB and hours, while the
themes of a corpus are already visible in a few tens of thousands of answers. The default
sample (``DEFAULT_TOPIC_SAMPLE`` = 20,000 answers) is larger than the whole shared corpus
(14,495 answers), so a corpus of that size is fitted in full and gets exactly the in-memory
pipeline's topics; the fit costs about 1.4x the shared corpus's 50 s, whatever the corpus
size; and the exact k-NN graph of ``fit_topics`` (used up to 60,000 rows) stays exact.

The sample is the first N answers in md5 order of ``seed:transcript:index`` (stable across
runs, processes and DuckDB versions), fitted in (transcript, index) order as the in-memory
pipeline fits. Every other answer is placed as ``analysis.topics.place_new_answers`` places
added answers: small talk into the small-talk topic; others to the nearest topic centroid
of the sample when the cosine reaches ``outlier_threshold`` (else -1); map position = the
similarity-weighted mean of the 10 most similar sample answers' positions
(``map_positions``: the same result as ``assign_new_answers``, with an O(n) selection
instead of a full sort of every row).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config import PipelineConfig
from analysis.embedding import CachedEmbedder, embed_answers
from analysis.scale.db import (
    SEGMENTS_IN_INGEST_ORDER,
    insert_rows,
    query_frame,
    save_stage,
    stream_frames,
    transaction,
)
from analysis.small_talk import small_talk_mask
from analysis.store import Store
from analysis.tables import OUTLIER_TOPIC_ID
from analysis.topics import OUTLIER_LABEL, TopicFit, fit_topics, small_talk_topic, topic_centroids

ProgressFn = Callable[[str, float], None]
DEFAULT_TOPIC_SAMPLE = 20_000
NEIGHBOURS = 10
"""Sample answers whose map positions a placed answer's position is averaged from (as in
``assign_new_answers``)."""
_BLOCK = 256
"""Rows per similarity block when placing: 256 x 20,000 floats is 20 MB."""


@dataclass(slots=True)
class SampleFit:
    """The sample's fit and what placing the other answers needs from it."""

    keys: set[tuple[str, int]]
    fit: TopicFit
    small_id: int | None
    reference: np.ndarray
    reference_ids: np.ndarray
    reference_coords: np.ndarray
    centroid_ids: np.ndarray
    centroids: np.ndarray
    sample_rows: dict[tuple[str, int], int]


def sample_frame(store: Store, project: str, n: int, seed: int) -> pd.DataFrame:
    """The topic sample (transcript_id, segment_index, answer), in (transcript, index) order."""
    return query_frame(
        store,
        "SELECT transcript_id, segment_index, answer FROM (SELECT transcript_id, "
        "segment_index, answer FROM scale_segments WHERE project = ? ORDER BY "
        "md5(? || ':' || transcript_id || ':' || CAST(segment_index AS VARCHAR)) LIMIT ?) "
        "ORDER BY transcript_id, segment_index",
        [project, str(seed), int(n)],
    )


def fit_sample(
    store: Store,
    project: str,
    embedder: CachedEmbedder,
    config: PipelineConfig,
    sample_size: int,
    progress: ProgressFn | None = None,
) -> SampleFit:
    """Fit ``fit_topics`` on the sample (vectors from the store's cache)."""
    sample = sample_frame(store, project, sample_size, config.random_state)
    docs = sample["answer"].tolist()
    vectors = embed_answers(embedder, docs, config.unit_max_words)
    fit = fit_topics(docs, vectors, config, embedder=embedder, progress=progress)
    chatter = small_talk_mask(docs)
    small_id = small_talk_topic(fit.topic_ids, chatter) if len(docs) else None
    keep = fit.topic_ids != small_id if small_id is not None else np.ones(len(docs), bool)
    centroids = topic_centroids(vectors[keep], fit.topic_ids[keep]) if len(docs) else {}
    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    keys = list(zip(sample["transcript_id"], sample["segment_index"].astype(int), strict=True))
    return SampleFit(
        keys=set(keys),
        fit=fit,
        small_id=small_id,
        reference=vectors[keep],
        reference_ids=fit.topic_ids[keep],
        reference_coords=fit.coords[keep],
        centroid_ids=np.array(list(centroids), dtype=int),
        centroids=np.vstack(list(centroids.values())) if centroids else np.zeros((0, dim)),
        sample_rows={key: i for i, key in enumerate(keys)},
    )


def map_positions(
    vectors: np.ndarray, reference: np.ndarray, reference_coords: np.ndarray, k: int = NEIGHBOURS
) -> np.ndarray:
    """Similarity-weighted mean position of each row's ``k`` most similar reference rows.

    Equals the positions of ``assign_new_answers``: neighbours in decreasing similarity,
    ties by reference order (its stable sort), found with ``argpartition``; when the k-th
    similarity is shared by more rows (duplicate answers), the lowest-numbered win, as there.
    """
    out = np.zeros((len(vectors), 2), dtype=np.float32)
    if not len(vectors) or not len(reference):
        return out
    k = min(k, len(reference))
    for start in range(0, len(vectors), _BLOCK):
        sims = vectors[start : start + _BLOCK] @ reference.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -part_sims), axis=1)
        nearest = np.take_along_axis(part, order, axis=1)
        kth = part_sims.min(axis=1)
        for row in np.flatnonzero((sims >= kth[:, None]).sum(axis=1) > k):
            tied = np.flatnonzero(sims[row] >= kth[row])  # every row at least as near
            nearest[row] = tied[np.lexsort((tied, -sims[row, tied]))[:k]]
        weights = np.clip(np.take_along_axis(sims, nearest, axis=1), 1e-6, None)
        coords = (reference_coords[nearest] * weights[..., None]).sum(axis=1)
        out[start : start + _BLOCK] = coords / weights.sum(axis=1)[:, None]
    return out


def place_chunk(
    chunk: pd.DataFrame, vectors: np.ndarray, sample: SampleFit, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Topic ids and map positions of a chunk: sample rows keep their fit, others are placed."""
    ids = np.full(len(chunk), OUTLIER_TOPIC_ID, dtype=int)
    coords = np.zeros((len(chunk), 2), dtype=np.float32)
    keys = list(zip(chunk["transcript_id"], chunk["segment_index"].astype(int), strict=True))
    rows = np.array([sample.sample_rows.get(key, -1) for key in keys], dtype=int)
    known = rows >= 0
    ids[known] = sample.fit.topic_ids[rows[known]]
    coords[known] = sample.fit.coords[rows[known]]
    new = np.flatnonzero(~known)
    if not len(new):
        return ids, coords
    new_vectors = vectors[new]
    if len(sample.centroid_ids):
        sims = new_vectors @ sample.centroids.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(new)), best] >= threshold
        ids[new[ok]] = sample.centroid_ids[best[ok]]
    if sample.small_id is not None:
        chatter = small_talk_mask(chunk["answer"].iloc[new].tolist())
        ids[new[chatter]] = sample.small_id
    coords[new] = map_positions(new_vectors, sample.reference, sample.reference_coords)
    return ids, coords


def _topic_rows(store: Store, project: str, fit: TopicFit) -> dict[str, list]:
    """``scale_topics`` rows: the sample's labels, words and quotes; sizes of all answers."""
    sizes = query_frame(
        store,
        "SELECT topic_id, count(*) AS n FROM scale_segments WHERE project = ? GROUP BY topic_id",
        [project],
    )
    size_of = dict(zip(sizes["topic_id"].astype(int), sizes["n"].astype(int), strict=True))
    topics = fit.topics.set_index("topic_id", drop=False)
    columns: dict[str, list] = {
        k: [] for k in ("project", "topic_id", "label", "top_words", "n_answers", "quotes_json")
    }
    for topic in sorted(set(size_of) | set(topics.index.astype(int))):
        known = topic in topics.index
        quotes = list(topics.at[topic, "representative_quotes"]) if known else []
        columns["project"].append(project)
        columns["topic_id"].append(topic)
        columns["label"].append(str(topics.at[topic, "label"]) if known else OUTLIER_LABEL)
        columns["top_words"].append(str(topics.at[topic, "top_words"]) if known else "")
        columns["n_answers"].append(size_of.get(topic, 0))
        columns["quotes_json"].append(json.dumps([str(q) for q in quotes]))
    return columns


def topics_streaming(
    store: Store,
    project: str,
    embedder: CachedEmbedder,
    config: PipelineConfig,
    *,
    sample_size: int = DEFAULT_TOPIC_SAMPLE,
    chunk_rows: int = 2048,
    cursor: int = 0,
    seconds: float = 0.0,
    progress: ProgressFn | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Fit on the sample, place every answer, write ``topic_id, x, y`` and ``scale_topics``;
    returns the fit's statistics and messages.

    ``cursor``: answers (in ingest order) already placed by a stopped run; the sample is
    refitted (same seed and sample: the same fit) and placing continues after them.
    """
    import time

    started = time.perf_counter()
    report = progress or (lambda _m, _f: None)
    report("Fitting topics on the sample", 0.0)
    if cursor == 0:
        with transaction(store) as con:
            con.execute("DELETE FROM scale_topic_rows WHERE project = ?", [project])
    sample = fit_sample(store, project, embedder, config, sample_size)
    total = int(query_frame(
        store, "SELECT count(*) AS n FROM scale_segments WHERE project = ?", [project]
    )["n"].iloc[0])  # fmt: skip
    done = 0
    for chunk in stream_frames(store, SEGMENTS_IN_INGEST_ORDER, [project], chunk_rows):
        if done + len(chunk) <= cursor:
            done += len(chunk)
            continue
        vectors = embed_answers(embedder, chunk["answer"].tolist(), config.unit_max_words)
        ids, coords = place_chunk(chunk, vectors, sample, config.outlier_threshold)
        done += len(chunk)
        with transaction(store) as con:
            insert_rows(
                con,
                "scale_topic_rows",
                {
                    "project": [project] * len(chunk),
                    "transcript_id": chunk["transcript_id"].tolist(),
                    "segment_index": chunk["segment_index"].astype(int).tolist(),
                    "topic_id": ids.tolist(),
                    "x": coords[:, 0].tolist(),
                    "y": coords[:, 1].tolist(),
                },
            )
            elapsed = seconds + time.perf_counter() - started
            save_stage(con, project, "topics", status="running", cursor=done, seconds=elapsed)
        report(f"Placing answers into topics ({done:,}/{total:,})", 0.5 + 0.5 * done / total)
    with transaction(store) as con:
        con.execute(
            "UPDATE scale_segments AS s SET topic_id = r.topic_id, x = r.x, y = r.y "
            "FROM scale_topic_rows AS r WHERE s.project = ? AND r.project = ? "
            "AND s.transcript_id = r.transcript_id AND s.segment_index = r.segment_index",
            [project, project],
        )
        con.execute("DELETE FROM scale_topic_rows WHERE project = ?", [project])
    topic_rows = _topic_rows(store, project, sample.fit)
    with transaction(store) as con:
        con.execute("DELETE FROM scale_topics WHERE project = ?", [project])
        insert_rows(con, "scale_topics", topic_rows)
    stats = {k: round(float(v), 4) for k, v in sample.fit.stats.items()}
    stats["sample_answers"] = float(len(sample.keys))
    stats["topics"] = float(sum(1 for t in topic_rows["topic_id"] if t >= 0))
    return stats, list(sample.fit.messages)
