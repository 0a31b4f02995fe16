"""``code_corpus``: code every answer segment against a codebook, then roll up.

Flow: compile the codebook's cues -> per answer, find cue hits (rules.py) -> optionally
adjust confidence with answer/code embedding similarity (similarity.py) -> adjust it by
the code's usual question context, learned from the corpus (context_prior.py) -> keep hits at
or above ``min_confidence`` -> evidence = the best-matching participant sentence ->
participants = any-answer rollup (rollup.py). The interviewer's words are only ever used
as context, never matched for evidence.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.context_prior import GroupHitCounts, QuestionPrior, count_group_hits
from analysis.coding.rollup import participant_codes
from analysis.coding.rules import compile_code, match_answer
from analysis.coding.sentences import sentence_spans, trim_evidence
from analysis.coding.similarity import SimilarityStats, code_similarities
from analysis.tables import ASSIGNMENTS_COLUMNS

EmbedFn = Callable[[list[str]], np.ndarray]
MIN_CONFIDENCE = 0.5
"""Assignments below this are dropped; calibrated on the tuning half of the dev labels."""


@dataclass(slots=True)
class CodingResult:
    """``assignments``: ASSIGNMENTS_COLUMNS; ``participants``: transcript_id + one 0/1 column
    per code id; ``codebook``: code, facet, label, description, examples."""

    assignments: pd.DataFrame
    participants: pd.DataFrame
    codebook: pd.DataFrame


def _column(segments: pd.DataFrame, name: str) -> list[str]:
    if name not in segments.columns:
        return [""] * len(segments)
    return ["" if pd.isna(v) else str(v) for v in segments[name]]


PARALLEL_MIN_SEGMENTS = 4000
"""Below this, starting worker processes costs more than it saves."""


def _match_rows(codebook: Codebook, answers: list[str], questions: list[str]) -> list[tuple]:
    """(row, code, confidence, evidence sentence) for every cue hit in a chunk of answers."""
    compiled = [compile_code(code) for code in codebook.codes]
    hits = []
    for row, (answer, question) in enumerate(zip(answers, questions, strict=True)):
        spans = sentence_spans(answer)
        for hit in match_answer(answer, question, spans, compiled):
            begin, end = spans[hit.sentence_index]
            hits.append((row, hit.code, hit.confidence, answer[begin:end]))
    return hits


_SHARED_POOL: ProcessPoolExecutor | None = None


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


@contextmanager
def shared_worker_pool(workers: int = 2) -> Iterator[None]:
    """Let every parallel scan inside the block reuse one pool of worker processes.

    Why: a spawned worker imports numpy, pandas and this package before it scans anything
    (about a second of CPU). Chunked coding (``analysis.scale.code``) scans hundreds of
    chunks; a fresh pool per chunk spent more CPU starting workers than scanning.
    """
    global _SHARED_POOL
    if _SHARED_POOL is not None:  # nested: the outer block's pool serves
        yield
        return
    _SHARED_POOL = _new_pool(workers)
    try:
        yield
    finally:
        pool, _SHARED_POOL = _SHARED_POOL, None
        pool.shutdown()


def _match_parallel(
    codebook: Codebook, answers: list[str], questions: list[str], n_jobs: int
) -> list[tuple]:
    """Split the answers into contiguous chunks, one per worker; results keep row order."""
    size = -(-len(answers) // n_jobs)
    bounds = [(i, min(i + size, len(answers))) for i in range(0, len(answers), size)]
    pool = _SHARED_POOL or _new_pool(len(bounds))
    try:
        futures = [
            pool.submit(_match_rows, codebook, answers[a:b], questions[a:b]) for a, b in bounds
        ]
        hits = []
        for (offset, _end), future in zip(bounds, futures, strict=True):
            hits.extend((row + offset, *rest) for row, *rest in future.result())
    finally:
        if pool is not _SHARED_POOL:
            pool.shutdown()
    return hits


ScoredHit = tuple[int, int, float, str]
"""(row, code column, confidence after the similarity re-weighing, evidence sentence)."""


def scored_hits(
    segments: pd.DataFrame,
    codebook: Codebook,
    segment_embeddings: np.ndarray | None = None,
    embed: EmbedFn | None = None,
    n_jobs: int | None = None,
    similarity_stats: SimilarityStats | None = None,
) -> list[ScoredHit]:
    """Every cue hit of ``segments``, in row then codebook order: the expensive half of
    coding (the regex scan and the similarity). ``assignments_from_hits`` is the rest, so
    chunked coding can keep the hits of its first pass instead of scanning twice."""
    answers = _column(segments, "answer")
    questions = _column(segments, "question")
    if n_jobs is None:
        n_jobs = min(2, os.cpu_count() or 1) if len(answers) >= PARALLEL_MIN_SEGMENTS else 1
    if n_jobs > 1 and len(answers) > 1:
        hits = _match_parallel(codebook, answers, questions, n_jobs)
    else:
        hits = _match_rows(codebook, answers, questions)
    similarity = None
    if segment_embeddings is not None and embed is not None and len(segments):
        similarity = code_similarities(segment_embeddings, codebook, embed, stats=similarity_stats)
    code_position = {code.id: i for i, code in enumerate(codebook.codes)}
    scored = []
    for row, code, confidence, sentence in hits:
        column = code_position[code]
        if similarity is not None:
            confidence = similarity.adjust(confidence, row, column)
        scored.append((row, column, confidence, sentence))
    return scored


def question_groups_of(segments: pd.DataFrame) -> list[str]:
    """The ``question_group`` column when the caller computed it over the whole corpus
    (chunked coding must pass it), else groups of this frame's questions."""
    if "question_group" in segments.columns:
        return [str(g) for g in segments["question_group"]]
    from analysis.questions import group_questions

    return group_questions(_column(segments, "question"), _column(segments, "transcript_id")).labels


def question_hit_counts(
    segments: pd.DataFrame,
    codebook: Codebook,
    *,
    segment_embeddings: np.ndarray | None = None,
    embed: EmbedFn | None = None,
    n_jobs: int | None = None,
    similarity_stats: SimilarityStats | None = None,
) -> GroupHitCounts:
    """One chunk's counts for the question-context prior (add chunks' counts with ``+``,
    then ``QuestionPrior.from_counts``); ``segments`` must carry ``question_group``."""
    hits = scored_hits(segments, codebook, segment_embeddings, embed, n_jobs, similarity_stats)
    return hit_counts(segments, hits, codebook)


def hit_counts(segments: pd.DataFrame, hits: list[ScoredHit], codebook: Codebook) -> GroupHitCounts:
    """``question_hit_counts`` from hits already found (``scored_hits``)."""
    groups = question_groups_of(segments)
    return count_group_hits(groups, [h[:3] for h in hits], len(codebook.codes))


def code_segments(
    segments: pd.DataFrame,
    codebook: Codebook,
    *,
    segment_embeddings: np.ndarray | None = None,
    embed: EmbedFn | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    n_jobs: int | None = None,
    similarity_stats: SimilarityStats | None = None,
    context_prior: bool = True,
    question_prior: QuestionPrior | None = None,
) -> pd.DataFrame:
    """Segment-level assignments (ASSIGNMENTS_COLUMNS) for every answer in ``segments``.

    ``similarity_stats``: the whole corpus's (``SimilarityStats``) when ``segments`` is one
    chunk of it, so every row is coded exactly as in a whole-corpus run. Likewise
    ``question_prior`` (from ``question_hit_counts`` summed over the chunks; the chunks then
    carry the corpus's ``question_group`` column). ``context_prior`` False: no
    question-context prior at all (``context_prior.py``).

    ``n_jobs`` None: two worker processes for large corpora (the regex scan is CPU-bound
    and these machines have two cores), one otherwise. Output does not depend on it.
    """
    hits = scored_hits(segments, codebook, segment_embeddings, embed, n_jobs, similarity_stats)
    return assignments_from_hits(
        segments,
        hits,
        codebook,
        min_confidence=min_confidence,
        context_prior=context_prior,
        question_prior=question_prior,
    )


def assignments_from_hits(
    segments: pd.DataFrame,
    hits: list[ScoredHit],
    codebook: Codebook,
    *,
    min_confidence: float = MIN_CONFIDENCE,
    context_prior: bool = True,
    question_prior: QuestionPrior | None = None,
) -> pd.DataFrame:
    """Assignments (ASSIGNMENTS_COLUMNS) from ``scored_hits`` of the same ``segments``:
    the question-context prior, the threshold and the evidence trim."""
    groups: list[str] = []
    if context_prior and hits:
        groups = question_groups_of(segments)
        if question_prior is None:
            counts = count_group_hits(groups, [h[:3] for h in hits], len(codebook.codes))
            question_prior = QuestionPrior.from_counts(counts)
    else:
        question_prior = None
    code_ids = codebook.code_ids
    transcript_ids = segments["transcript_id"].tolist()
    segment_indexes = segments["segment_index"].tolist()
    rows = []
    for row, column, confidence, sentence in hits:
        if question_prior is not None:
            shifted = confidence + question_prior.shift(groups[row], column)
            confidence = min(max(shifted, 0.0), 1.0)
        if confidence < min_confidence:
            continue
        rows.append(
            (
                transcript_ids[row],
                segment_indexes[row],
                code_ids[column],
                round(confidence, 3),
                trim_evidence(sentence),
            )
        )
    return pd.DataFrame(rows, columns=ASSIGNMENTS_COLUMNS)


def code_corpus(
    segments: pd.DataFrame,
    *,
    codebook_yaml: str | None = None,
    segment_embeddings: np.ndarray | None = None,
    embed: EmbedFn | None = None,
    context_prior: bool = True,
) -> CodingResult:
    """Code every answer segment, then roll codes up to participants.

    ``codebook_yaml`` is the codebook's YAML text (None: the default codebook shipped in the
    package); ``segment_embeddings`` are rows aligned with ``segments``; ``embed`` embeds extra
    texts (e.g. code descriptions) through the same cached model; ``context_prior`` False
    leaves out the question-context prior (for comparisons). Raises CodebookError when
    the codebook is invalid.
    """
    codebook = load_codebook(codebook_yaml)
    if segment_embeddings is not None and len(segment_embeddings) != len(segments):
        raise ValueError("segment_embeddings must have one row per segment")
    assignments = code_segments(
        segments,
        codebook,
        segment_embeddings=segment_embeddings,
        embed=embed,
        context_prior=context_prior,
    )
    ids = sorted(segments["transcript_id"].astype(str).unique()) if len(segments) else []
    assignments["transcript_id"] = assignments["transcript_id"].astype(str)
    participants = participant_codes(assignments, ids, codebook.code_ids)
    return CodingResult(
        assignments=assignments, participants=participants, codebook=codebook.frame()
    )
