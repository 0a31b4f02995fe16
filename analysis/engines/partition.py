"""Coding split into partitions of whole transcripts, and put back together exactly.

Pure functions (no Ray here) so the split and the reassembly are tested on their own:

- ``coding_context``: what every coding worker needs once — the codebook, the vectors of the
  code descriptions/examples (embedded on the driver, through its cache) and the corpus's
  answer-code similarity statistics (``SimilarityStats``), because similarities are z-scored
  over the *whole* corpus and a worker only sees its partition;
- ``coding_partitions``: frames of whole transcripts (segment rows + transcript rows), so
  ``infer_roles`` sees every answer of a participant; segment rows carry the corpus's
  question groups (``analysis.questions`` groups questions over the whole corpus);
- ``count_partition``: first pass, one partition's counts for the question-context prior
  (``coding.context_prior``), which the driver adds up — the prior, like the similarity
  statistics, is a corpus-wide figure;
- ``code_partition``: second pass, the worker's job on one partition (``code_segments`` with
  the corpus's statistics and prior, + ``infer_roles``);
- ``assemble``: the partitions' outputs, in any order, back into exactly what
  ``code_corpus`` and ``infer_roles`` return for the whole corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.coding import (
    CodingResult,
    EmbedFn,
    code_segments,
    infer_roles,
    load_codebook,
)
from analysis.coding.codebook import Codebook
from analysis.coding.coder import question_groups_of, question_hit_counts
from analysis.coding.context_prior import GroupHitCounts, QuestionPrior
from analysis.coding.rollup import participant_codes
from analysis.coding.similarity import SimilarityStats, answer_code_cosines, code_prototypes
from analysis.tables import ASSIGNMENTS_COLUMNS

SEGMENT, TRANSCRIPT = 0, 1
"""``kind`` of a partition row: an answer segment, or a transcript (its cohort and role)."""
ROLE_COLUMNS = ["transcript_id", "occupation", "occupation_group", "role_source", "role_evidence"]
OUTPUT_COLUMNS = (
    "kind",
    "row",
    "code",
    "confidence",
    "evidence",
    "occupation",
    "occupation_group",
    "role_source",
    "role_evidence",
)
"""A worker's output: ``kind`` SEGMENT rows are code hits of segment ``row`` (in hit order),
``kind`` TRANSCRIPT rows the role of transcript ``row`` (its position in the transcripts)."""


@dataclass(frozen=True)
class CodingContext:
    """Shipped once to every coding worker: the codebook and the corpus-wide statistics."""

    codebook_yaml: str | None
    text_vectors: Mapping[str, np.ndarray] = field(default_factory=dict)
    stats: SimilarityStats | None = None
    """None: no embedding similarity (as when the pipeline has no embeddings)."""
    question_prior: QuestionPrior | None = None
    """The corpus's question-context prior; None in the first (counting) pass."""

    def embed(self, texts: list[str]) -> np.ndarray:
        """The driver's vectors of the code texts (``code_prototypes`` asks for exactly these)."""
        return np.stack([self.text_vectors[text] for text in texts]).astype(np.float32)


def code_text_vectors(
    codebook: Codebook, embed: EmbedFn
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The code prototypes and the vector of every code text they were built from.

    ``code_prototypes`` is called with a recording ``embed``, so the texts a worker needs are
    whatever the coder asks for (no second list to keep in step).
    """
    seen: dict[str, np.ndarray] = {}

    def recording(texts: list[str]) -> np.ndarray:
        vectors = np.asarray(embed(texts), dtype=np.float32)
        seen.update(zip(texts, vectors, strict=True))
        return vectors

    return code_prototypes(codebook, recording), seen


def coding_context(
    codebook_yaml: str | None, embeddings: np.ndarray, embed: EmbedFn | None
) -> CodingContext:
    """Embed the code texts and measure the similarity statistics once, on the driver;
    raises CodebookError before any worker starts when the codebook is invalid."""
    codebook = load_codebook(codebook_yaml)
    if embed is None or not len(embeddings) or not len(codebook.codes):
        return CodingContext(codebook_yaml)
    prototypes, text_vectors = code_text_vectors(codebook, embed)
    stats = SimilarityStats().add(answer_code_cosines(embeddings, prototypes))
    return CodingContext(codebook_yaml, text_vectors, stats)


def _text(values: Iterable[object]) -> list[str]:
    """As the coder reads a column: missing values are empty strings."""
    return ["" if pd.isna(v) else str(v) for v in values]


def coding_partitions(
    segments: pd.DataFrame,
    transcripts: pd.DataFrame,
    embeddings: np.ndarray,
    role_column: str | None,
    n_partitions: int,
) -> list[pd.DataFrame]:
    """Up to ``n_partitions`` frames, each holding whole transcripts (balanced by answers).

    Segment rows carry their global row (the reassembly key), question, answer and vector;
    transcript rows their position in ``transcripts``, cohort and metadata role.
    """
    seg_ids = segments["transcript_id"].astype(str).tolist()
    trans_ids = transcripts["transcript_id"].astype(str).tolist()
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for row, tid in enumerate(seg_ids):
        groups.setdefault(tid, ([], []))[0].append(row)
    for pos, tid in enumerate(trans_ids):
        groups.setdefault(tid, ([], []))[1].append(pos)
    questions, answers = _text(_column(segments, "question")), _text(_column(segments, "answer"))
    seg_index = [int(i) for i in segments["segment_index"]]
    question_groups = question_groups_of(segments)
    cohorts = _column(transcripts, "cohort")
    roles = _column(transcripts, role_column) if role_column else [None] * len(transcripts)
    dim = embeddings.shape[1] if len(embeddings) and embeddings.ndim == 2 else 0
    target = max(1, -(-len(segments) // max(1, n_partitions)))
    parts: list[list[tuple[list[int], list[int]]]] = [[]]
    size = 0
    for group in groups.values():
        if size >= target and len(parts) < n_partitions:
            parts.append([])
            size = 0
        parts[-1].append(group)
        size += len(group[0])
    frames = []
    for part in parts:
        rows = [r for seg_rows, _ in part for r in seg_rows]
        positions = [p for _, trans_pos in part for p in trans_pos]
        frame = pd.DataFrame(
            {
                "kind": [SEGMENT] * len(rows) + [TRANSCRIPT] * len(positions),
                "row": rows + positions,
                "transcript_id": [seg_ids[r] for r in rows] + [trans_ids[p] for p in positions],
                "segment_index": [seg_index[r] for r in rows] + [-1] * len(positions),
                "question_group": [question_groups[r] for r in rows] + [""] * len(positions),
                "question": [questions[r] for r in rows] + [""] * len(positions),
                "answer": [answers[r] for r in rows] + [""] * len(positions),
                "cohort": [""] * len(rows) + [str(cohorts[p]) for p in positions],
                "role": [""] * len(rows) + [_role(roles[p]) for p in positions],
            }
        )
        if dim:
            zeros = np.zeros(dim, dtype=np.float32)
            frame["vector"] = [embeddings[r] for r in rows] + [zeros] * len(positions)
        frames.append(frame)
    return frames


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    return frame[name].tolist() if name in frame.columns else [""] * len(frame)


def _role(value: object) -> str:
    """A metadata role as ``infer_roles`` reads it: missing or blank means "infer it"."""
    return "" if value is None or pd.isna(value) else str(value)


def _partition_segments(batch: Mapping[str, np.ndarray]) -> tuple[pd.DataFrame, np.ndarray]:
    """The partition's answers with a running index (hits map back to global rows through
    it), and their vectors."""
    seg = np.asarray(batch["kind"]) == SEGMENT
    segments = pd.DataFrame(
        {
            "transcript_id": np.asarray(batch["transcript_id"], dtype=object)[seg],
            "segment_index": np.arange(int(seg.sum())),
            "question": np.asarray(batch["question"], dtype=object)[seg],
            "answer": np.asarray(batch["answer"], dtype=object)[seg],
            "question_group": np.asarray(batch["question_group"], dtype=object)[seg],
        }
    )
    vectors = (
        np.asarray(batch["vector"], dtype=np.float32)[seg]
        if "vector" in batch
        else np.zeros((int(seg.sum()), 0), np.float32)
    )
    return segments, vectors


def _similarity(context: CodingContext, vectors: np.ndarray) -> dict:
    if context.stats is None:
        return {"segment_embeddings": None, "embed": None}
    return {"segment_embeddings": vectors, "embed": context.embed}


def count_partition(batch: Mapping[str, np.ndarray], context: CodingContext) -> dict:
    """First pass: the partition's question-group counts, one row per group."""
    segments, vectors = _partition_segments(batch)
    codebook = load_codebook(context.codebook_yaml)
    counts = question_hit_counts(
        segments,
        codebook,
        **_similarity(context, vectors),
        n_jobs=1,
        similarity_stats=context.stats,
    )
    groups = sorted(counts.answers)
    return {
        "group": np.array(groups, dtype=object),
        "answers": np.array([counts.answers[g] for g in groups], dtype=np.int64),
        "hits": np.zeros((len(groups), counts.n_codes))
        if not groups
        else np.stack([counts.hits[g] for g in groups]),
    }


def question_prior(outputs: Iterable[Mapping[str, np.ndarray]], n_codes: int) -> QuestionPrior:
    """The corpus's prior from every partition's counts (sums of counts: order-free)."""
    total = GroupHitCounts(n_codes)
    for out in outputs:
        part = GroupHitCounts(n_codes)
        for group, answers, hits in zip(out["group"], out["answers"], out["hits"], strict=True):
            part.answers[str(group)] = int(answers)
            part.hits[str(group)] = np.asarray(hits, dtype=float)
        total = total + part
    return QuestionPrior.from_counts(total)


def code_partition(batch: Mapping[str, np.ndarray], context: CodingContext) -> dict:
    """Second pass: code the partition's answers and infer its transcripts' roles."""
    kind = np.asarray(batch["kind"])
    seg, trans = kind == SEGMENT, kind == TRANSCRIPT
    segments, vectors = _partition_segments(batch)
    assignments = code_segments(
        segments,
        load_codebook(context.codebook_yaml),
        **_similarity(context, vectors),
        similarity_stats=context.stats,
        n_jobs=1,
        question_prior=context.question_prior,
    )
    seg_rows = np.asarray(batch["row"], dtype=np.int64)[seg]
    transcripts = pd.DataFrame(
        {
            "transcript_id": np.asarray(batch["transcript_id"], dtype=object)[trans],
            "cohort": np.asarray(batch["cohort"], dtype=object)[trans],
            "role": np.asarray(batch["role"], dtype=object)[trans],
        }
    )
    # Roles read a participant's answers in their real order, as for the whole corpus.
    ordered = segments.assign(segment_index=np.asarray(batch["segment_index"], np.int64)[seg])
    roles = infer_roles(ordered, transcripts, role_column="role")
    n_hits, n_roles = len(assignments), len(roles)
    empty_hits, empty_roles = [""] * n_hits, [""] * n_roles
    return {
        "kind": np.array([SEGMENT] * n_hits + [TRANSCRIPT] * n_roles, dtype=np.int8),
        "row": np.concatenate(
            [seg_rows[assignments["segment_index"].to_numpy(dtype=np.int64)],
             np.asarray(batch["row"], dtype=np.int64)[trans]]
        ),
        "code": np.array([*assignments["code"], *empty_roles], dtype=object),
        "confidence": np.array([*assignments["confidence"], *[np.nan] * n_roles], dtype=float),
        "evidence": np.array([*assignments["evidence"], *empty_roles], dtype=object),
        **{
            name: np.array([*empty_hits, *roles[name]], dtype=object)
            for name in ROLE_COLUMNS[1:]
        },
    }


def assemble(
    outputs: Iterable[Mapping[str, np.ndarray]],
    segments: pd.DataFrame,
    transcripts: pd.DataFrame,
    codebook_yaml: str | None,
) -> tuple[CodingResult, pd.DataFrame]:
    """The partitions' outputs (any order) as ``code_corpus`` + ``infer_roles`` return them.

    Hits are put back in segment-row order (a row's hits come from one worker, in order);
    every transcript must come back exactly once, or the run fails rather than be wrong.
    """
    hit_rows: list[np.ndarray] = []
    hit_fields: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    role_rows: dict[int, tuple[str, str, str, str]] = {}
    for out in outputs:
        kind = np.asarray(out["kind"])
        rows = np.asarray(out["row"], dtype=np.int64)
        hits = kind == SEGMENT
        hit_rows.append(rows[hits])
        hit_fields.append(
            (
                np.asarray(out["code"], dtype=object)[hits],
                np.asarray(out["confidence"], dtype=float)[hits],
                np.asarray(out["evidence"], dtype=object)[hits],
            )
        )
        for index in np.flatnonzero(kind == TRANSCRIPT):
            position = int(rows[index])
            if position in role_rows:
                raise RuntimeError(f"transcript row {position} was coded twice")
            role_rows[position] = tuple(str(out[name][index]) for name in ROLE_COLUMNS[1:])
    if len(role_rows) != len(transcripts):
        raise RuntimeError(f"{len(transcripts) - len(role_rows)} transcript(s) came back uncoded")
    transcript_ids = segments["transcript_id"].tolist()
    segment_indexes = segments["segment_index"].tolist()
    all_rows = np.concatenate(hit_rows) if hit_rows else np.zeros(0, dtype=np.int64)
    codes = np.concatenate([f[0] for f in hit_fields]) if hit_fields else np.zeros(0, object)
    confs = np.concatenate([f[1] for f in hit_fields]) if hit_fields else np.zeros(0)
    evidence = np.concatenate([f[2] for f in hit_fields]) if hit_fields else np.zeros(0, object)
    order = np.argsort(all_rows, kind="stable")
    assignments = pd.DataFrame(
        [
            (
                transcript_ids[all_rows[i]],
                segment_indexes[all_rows[i]],
                codes[i],
                float(confs[i]),
                evidence[i],
            )
            for i in order
        ],
        columns=ASSIGNMENTS_COLUMNS,
    )
    codebook = load_codebook(codebook_yaml)
    ids = sorted(segments["transcript_id"].astype(str).unique()) if len(segments) else []
    assignments["transcript_id"] = assignments["transcript_id"].astype(str)
    participants = participant_codes(assignments, ids, codebook.code_ids)
    coded = CodingResult(
        assignments=assignments, participants=participants, codebook=codebook.frame()
    )
    roles = pd.DataFrame(
        [
            (tid, *role_rows[pos])
            for pos, tid in enumerate(transcripts["transcript_id"].astype(str))
        ],
        columns=ROLE_COLUMNS,
    )
    return coded, roles
