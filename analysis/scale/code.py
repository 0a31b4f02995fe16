"""Chunked deductive coding and roles: whole transcripts at a time, exactly as a whole run.

Coding is per answer except for two corpus-wide steps. The embedding second opinion
z-scores each answer's similarity to a code over the corpus
(``analysis.coding.similarity``). A first pass over every answer's vector adds up those
statistics (``SimilarityStats``: exact fixed-point sums, so chunking cannot change them). The
second pass scans each chunk's answers for cue hits (``scored_hits``, given those
statistics), keeps the hits in ``scale_coding_hits`` and adds up the question-context
prior's counts (``coding.context_prior``; chunks carry the corpus's question groups from
``analysis.scale.questions``). The last pass turns each chunk's kept hits into assignments
with the prior (``assignments_from_hits``) and infers roles with ``infer_roles`` (per
transcript, so chunks never split one): every answer is scanned once. The result equals
``code_corpus`` + ``infer_roles`` on the whole corpus row for row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

from analysis.coding import infer_roles, load_codebook
from analysis.coding.codebook import Codebook
from analysis.coding.coder import (
    ScoredHit,
    assignments_from_hits,
    hit_counts,
    scored_hits,
    shared_worker_pool,
)
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


def _save_hits(store: Store, project: str, chunk: int, hits: list[ScoredHit]) -> None:
    with transaction(store) as con:
        insert_rows(
            con,
            "scale_coding_hits",
            {
                "project": [project] * len(hits),
                "chunk": [chunk] * len(hits),
                "ordinal": list(range(len(hits))),
                "row_in_chunk": [h[0] for h in hits],
                "code_column": [h[1] for h in hits],
                "confidence": [h[2] for h in hits],
                "sentence": [h[3] for h in hits],
            },
        )


def _kept_hits(store: Store, project: str, chunk: int) -> list[ScoredHit]:
    frame = query_frame(
        store,
        "SELECT row_in_chunk, code_column, confidence, sentence FROM scale_coding_hits "
        "WHERE project = ? AND chunk = ? ORDER BY ordinal",
        [project, chunk],
    )
    return list(
        zip(
            frame["row_in_chunk"].astype(int).tolist(),
            frame["code_column"].astype(int).tolist(),
            frame["confidence"].astype(float).tolist(),
            frame["sentence"].astype(str).tolist(),
            strict=True,
        )
    )


def _clear_hits(store: Store, project: str) -> None:
    with transaction(store) as con:
        con.execute("DELETE FROM scale_coding_hits WHERE project = ?", [project])


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
    keep_hits: bool = True,
) -> GroupHitCounts:
    """The question-context prior's counts over every answer (sums: chunking-free).

    ``keep_hits``: store each coding chunk's hits in ``scale_coding_hits`` for the last
    pass (chunks as ``code_streaming`` reads them: whole transcripts of ``chunk_rows``).
    """
    _clear_hits(store, project)
    total = GroupHitCounts(len(codebook.codes))
    for index, chunk in enumerate(_segment_chunks(store, project, chunk_rows)):
        vectors = embed_answers(embedder, chunk["answer"].tolist(), unit_max_words)
        hits = scored_hits(
            chunk,
            codebook,
            segment_embeddings=vectors if len(vectors) else None,
            embed=embedder.embed,
            similarity_stats=stats,
        )
        total = total + hit_counts(_with_groups(chunk, groups), hits, codebook)
        if keep_hits:
            _save_hits(store, project, index, hits)
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
    hits: list[ScoredHit],
    codebook: Codebook,
    prior: QuestionPrior | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(assignments, roles) of a chunk of whole transcripts (with ``question_group``) from
    the cue hits its earlier pass kept."""
    assignments = assignments_from_hits(chunk, hits, codebook, question_prior=prior)
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
    remote = cast(RemoteCoder, engine) if hasattr(engine, "code_with_context") else None
    if "prior" not in cursor or (remote is None and not cursor.get("hits_kept")):
        # (a cursor without ``hits_kept``: an interrupted run of a version that kept none)
        report("Coding: finding cue hits and where each code usually fires", 0.0)
        with shared_worker_pool():
            counts = prior_counts(
                store,
                project,
                embedder,
                codebook,
                stats,
                groups,
                unit_max_words=unit_max_words,
                chunk_rows=chunk_rows,
                keep_hits=remote is None,
            )
        cursor = {**cursor, "prior": _counts_to_json(counts), "hits_kept": remote is None}
        with transaction(store) as con:
            elapsed = seconds + time.perf_counter() - started
            save_stage(con, project, "coding", status="running", cursor=cursor, seconds=elapsed)
    prior = QuestionPrior.from_counts(_counts_from_json(cursor["prior"]))
    context = remote_context(codebook_yaml, codebook, embedder, stats, prior) if remote else None
    total = max(stats.n, 1)
    done = int(cursor["done"])
    seen = 0
    for index, chunk in enumerate(_segment_chunks(store, project, chunk_rows)):
        seen += len(chunk)
        if seen <= done:
            continue
        ids = list(dict.fromkeys(chunk["transcript_id"].tolist()))
        transcripts = _transcripts_of(store, project, ids)
        if remote is not None and context is not None:
            role_column = ROLE_COLUMN if ROLE_COLUMN in transcripts.columns else None
            vectors = embed_answers(embedder, chunk["answer"].tolist(), unit_max_words)
            coded, roles = remote.code_with_context(
                _with_groups(chunk, groups), transcripts, vectors, context, role_column
            )
            assignments = coded.assignments
        else:
            hits = _kept_hits(store, project, index)
            assignments, roles = code_chunk(
                _with_groups(chunk, groups), transcripts, hits, codebook, prior
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
    _clear_hits(store, project)
    counts = query_frame(
        store,
        "SELECT (SELECT count(*) FROM scale_assignments WHERE project = ?) AS assignments, "
        "(SELECT count(*) FROM scale_participants WHERE project = ?) AS participants",
        [project, project],
    ).iloc[0]
    return {"assignments": int(counts.assignments), "participants": int(counts.participants)}
