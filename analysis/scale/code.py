"""Chunked deductive coding and roles: whole transcripts at a time, exactly as a whole run.

Coding is per answer except for two corpus-wide steps. The embedding second opinion
z-scores each answer's similarity to a code over the corpus
(``analysis.coding.similarity``). A first pass over every answer's vector adds up those
statistics (``SimilarityStats``: exact fixed-point sums, so chunking cannot change them);
the second pass codes chunk by chunk with ``code_segments`` given those statistics, and
infers roles with ``infer_roles`` (per transcript, so chunks never split one). For the
question-context prior (``coding.context_prior``) chunks carry the corpus's question groups
(``analysis.scale.questions``) and a pass in between adds up the prior's counts. The result
equals ``code_corpus`` + ``infer_roles`` on the whole corpus row for row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

from analysis.coding import code_segments, infer_roles, load_codebook
from analysis.coding.codebook import Codebook
from analysis.coding.coder import question_hit_counts
from analysis.coding.context_prior import GroupHitCounts, QuestionPrior
from analysis.coding.similarity import SimilarityStats, answer_code_cosines, code_prototypes
from analysis.embedding import CachedEmbedder, embed_answers
from analysis.engines.partition import CodingContext, code_text_vectors
from analysis.questions import normalise_question
from analysis.scale.db import (
    SEGMENTS_IN_INGEST_ORDER,
    insert_rows,
    query_frame,
    save_stage,
    stream_frames,
    transaction,
    whole_transcripts,
)
from analysis.scale.questions import build_question_groups, question_groups
from analysis.store import Store

ProgressFn = Callable[[str, float], None]
ROLE_COLUMN = "attr.role"
"""A dataset column named ``role`` becomes this attribute; it beats role inference, as in
the in-memory pipeline."""


def write_codebook(store: Store, project: str, codebook: Codebook) -> None:
    """``scale_codebook`` rows in codebook order (the order of participants.csv columns)."""
    frame = codebook.frame()
    with transaction(store) as con:
        con.execute("DELETE FROM scale_codebook WHERE project = ?", [project])
        insert_rows(
            con,
            "scale_codebook",
            {
                "project": [project] * len(frame),
                "position": list(range(len(frame))),
                "code": frame["code"].astype(str).tolist(),
                "facet": frame["facet"].astype(str).tolist(),
                "label": frame["label"].astype(str).tolist(),
                "description": frame["description"].astype(str).tolist(),
            },
        )


def _segment_chunks(store: Store, project: str, rows: int) -> Iterator[pd.DataFrame]:
    return whole_transcripts(
        stream_frames(store, SEGMENTS_IN_INGEST_ORDER, [project], rows), min_rows=rows
    )


def similarity_stats(
    store: Store,
    project: str,
    embedder: CachedEmbedder,
    codebook: Codebook,
    *,
    unit_max_words: int = 0,
    chunk_rows: int = 2048,
) -> SimilarityStats:
    """Per-code similarity statistics over every answer of the project (one streaming pass)."""
    prototypes = code_prototypes(codebook, embedder.embed)
    stats = SimilarityStats()
    for chunk in stream_frames(store, SEGMENTS_IN_INGEST_ORDER, [project], chunk_rows):
        vectors = embed_answers(embedder, chunk["answer"].tolist(), unit_max_words)
        stats.add(answer_code_cosines(vectors, prototypes))
    return stats


def _stats_to_json(stats: SimilarityStats) -> dict:
    return {
        "n": stats.n,
        "total": [int(v) for v in stats.total] if stats.total is not None else None,
        "total_sq": [int(v) for v in stats.total_sq] if stats.total_sq is not None else None,
    }


def _stats_from_json(data: dict) -> SimilarityStats:
    def array(values: list[int] | None) -> np.ndarray | None:
        return np.array(values, dtype=np.int64) if values is not None else None

    return SimilarityStats(
        n=int(data["n"]), total=array(data["total"]), total_sq=array(data["total_sq"])
    )


def _counts_to_json(counts: GroupHitCounts) -> dict:
    return {
        "n_codes": counts.n_codes,
        "answers": counts.answers,
        "hits": {group: [float(v) for v in hits] for group, hits in counts.hits.items()},
    }


def _counts_from_json(data: dict) -> GroupHitCounts:
    return GroupHitCounts(
        int(data["n_codes"]),
        {str(g): int(n) for g, n in data["answers"].items()},
        {str(g): np.array(h, dtype=float) for g, h in data["hits"].items()},
    )


def _with_groups(chunk: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    chunk = chunk.copy()
    chunk["question_group"] = [groups[normalise_question(q)] for q in chunk["question"]]
    return chunk


def prior_counts(
    store: Store,
    project: str,
    embedder: CachedEmbedder,
    codebook: Codebook,
    stats: SimilarityStats,
    groups: dict[str, str],
    *,
    unit_max_words: int = 0,
    chunk_rows: int = 8192,
) -> GroupHitCounts:
    """The question-context prior's counts over every answer (sums: chunking-free)."""
    total = GroupHitCounts(len(codebook.codes))
    for chunk in stream_frames(store, SEGMENTS_IN_INGEST_ORDER, [project], chunk_rows):
        vectors = embed_answers(embedder, chunk["answer"].tolist(), unit_max_words)
        total = total + question_hit_counts(
            _with_groups(chunk, groups),
            codebook,
            segment_embeddings=vectors if len(vectors) else None,
            embed=embedder.embed,
            similarity_stats=stats,
        )
    return total


def _transcripts_of(store: Store, project: str, ids: list[str]) -> pd.DataFrame:
    """transcript_id, cohort (and ``attr.role`` when a transcript has one) for a chunk."""
    frame = query_frame(
        store,
        "SELECT t.transcript_id, t.cohort, m.attributes_json FROM scale_transcripts t "
        "JOIN scale_transcript_meta m ON m.project = t.project "
        "AND m.transcript_id = t.transcript_id "
        "WHERE t.project = ? AND t.transcript_id IN (SELECT unnest(?)) ORDER BY m.position",
        [project, ids],
    )
    roles = [json.loads(a).get("role", "") for a in frame["attributes_json"]]
    out = frame[["transcript_id", "cohort"]].copy()
    if any(roles):
        out[ROLE_COLUMN] = roles
    return out


def code_chunk(
    chunk: pd.DataFrame,
    transcripts: pd.DataFrame,
    vectors: np.ndarray,
    codebook: Codebook,
    embedder: CachedEmbedder,
    stats: SimilarityStats,
    prior: QuestionPrior | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(assignments, roles) of a chunk of whole transcripts (with ``question_group``)."""
    assignments = code_segments(
        chunk,
        codebook,
        segment_embeddings=vectors if len(vectors) else None,
        embed=embedder.embed,
        similarity_stats=stats,
        question_prior=prior,
    )
    role_column = ROLE_COLUMN if ROLE_COLUMN in transcripts.columns else None
    roles = infer_roles(chunk, transcripts, role_column=role_column)
    return assignments, roles


class RemoteCoder(Protocol):
    """An engine that codes a chunk with corpus-wide figures computed here (``RayEngine``)."""

    def code_with_context(
        self,
        segments: pd.DataFrame,
        transcripts: pd.DataFrame,
        embeddings: np.ndarray,
        context: CodingContext,
        role_column: str | None,
    ) -> tuple[Any, pd.DataFrame]: ...


def remote_context(
    codebook_yaml: str | None,
    codebook: Codebook,
    embedder: CachedEmbedder,
    stats: SimilarityStats,
    prior: QuestionPrior | None,
) -> CodingContext:
    """What a remote worker needs to code a chunk exactly as ``code_chunk`` would: the code
    texts' vectors, the corpus's similarity statistics and its question-context prior."""
    _prototypes, text_vectors = code_text_vectors(codebook, embedder.embed)
    return CodingContext(codebook_yaml, text_vectors, stats, prior)


def code_streaming(
    store: Store,
    project: str,
    embedder: CachedEmbedder,
    codebook_yaml: str | None,
    *,
    unit_max_words: int = 0,
    chunk_rows: int = 8192,
    cursor: dict | None = None,
    seconds: float = 0.0,
    progress: ProgressFn | None = None,
    engine: object | None = None,
) -> dict[str, int]:
    """Code every answer and infer every role, writing each chunk with its resume cursor.

    ``cursor`` (from a stopped run): answers already coded and the corpus statistics, so
    neither pass is repeated. ``chunk_rows`` at or above 4,000 lets ``code_segments`` use
    both cores. ``engine``: when it can code remotely (the Ray engine), each chunk's coding
    runs there as Ray Data batch inference, with the statistics and prior computed here.
    """
    started = time.perf_counter()
    report = progress or (lambda _m, _f: None)
    codebook = load_codebook(codebook_yaml)
    if not cursor:
        write_codebook(store, project, codebook)
        with transaction(store) as con:
            con.execute("DELETE FROM scale_assignments WHERE project = ?", [project])
            con.execute("DELETE FROM scale_participants WHERE project = ?", [project])
        report("Coding: grouping the interviewer's questions", 0.0)
        build_question_groups(store, project)
        report("Coding: similarity statistics over every answer", 0.0)
        stats = similarity_stats(store, project, embedder, codebook, unit_max_words=unit_max_words)
        cursor = {"done": 0, "stats": _stats_to_json(stats)}
        with transaction(store) as con:
            elapsed = seconds + time.perf_counter() - started
            save_stage(con, project, "coding", status="running", cursor=cursor, seconds=elapsed)
    stats = _stats_from_json(cursor["stats"])
    groups = question_groups(store, project)
    if "prior" not in cursor:
        report("Coding: where each code usually fires (question context)", 0.0)
        counts = prior_counts(
            store,
            project,
            embedder,
            codebook,
            stats,
            groups,
            unit_max_words=unit_max_words,
            chunk_rows=chunk_rows,
        )
        cursor = {**cursor, "prior": _counts_to_json(counts)}
        with transaction(store) as con:
            elapsed = seconds + time.perf_counter() - started
            save_stage(con, project, "coding", status="running", cursor=cursor, seconds=elapsed)
    prior = QuestionPrior.from_counts(_counts_from_json(cursor["prior"]))
    remote = cast(RemoteCoder, engine) if hasattr(engine, "code_with_context") else None
    context = (
        remote_context(codebook_yaml, codebook, embedder, stats, prior) if remote else None
    )
    total = max(stats.n, 1)
    done = int(cursor["done"])
    seen = 0
    for chunk in _segment_chunks(store, project, chunk_rows):
        seen += len(chunk)
        if seen <= done:
            continue
        vectors = embed_answers(embedder, chunk["answer"].tolist(), unit_max_words)
        ids = list(dict.fromkeys(chunk["transcript_id"].tolist()))
        transcripts = _transcripts_of(store, project, ids)
        if remote is not None and context is not None:
            role_column = ROLE_COLUMN if ROLE_COLUMN in transcripts.columns else None
            coded, roles = remote.code_with_context(
                _with_groups(chunk, groups), transcripts, vectors, context, role_column
            )
            assignments = coded.assignments
        else:
            assignments, roles = code_chunk(
                _with_groups(chunk, groups), transcripts, vectors, codebook, embedder, stats, prior
            )
        roles = transcripts[["transcript_id", "cohort"]].merge(roles, on="transcript_id")
        with transaction(store) as con:
            insert_rows(
                con,
                "scale_assignments",
                {
                    "project": [project] * len(assignments),
                    "transcript_id": assignments["transcript_id"].astype(str).tolist(),
                    "segment_index": assignments["segment_index"].astype(int).tolist(),
                    "code": assignments["code"].tolist(),
                    "confidence": assignments["confidence"].astype(float).tolist(),
                    "evidence": assignments["evidence"].tolist(),
                },
            )
            insert_rows(
                con,
                "scale_participants",
                {
                    "project": [project] * len(roles),
                    "transcript_id": roles["transcript_id"].tolist(),
                    "cohort": roles["cohort"].astype(str).tolist(),
                    "occupation": roles["occupation"].fillna("").astype(str).tolist(),
                    "occupation_group": roles["occupation_group"]
                    .fillna("Unclear")
                    .astype(str)
                    .tolist(),
                },
            )
            cursor = {**cursor, "done": seen}
            elapsed = seconds + time.perf_counter() - started
            save_stage(con, project, "coding", status="running", cursor=cursor, seconds=elapsed)
        report(f"Coding answers ({seen:,}/{total:,})", seen / total)
    counts = query_frame(
        store,
        "SELECT (SELECT count(*) FROM scale_assignments WHERE project = ?) AS assignments, "
        "(SELECT count(*) FROM scale_participants WHERE project = ?) AS participants",
        [project, project],
    ).iloc[0]
    return {"assignments": int(counts.assignments), "participants": int(counts.participants)}
