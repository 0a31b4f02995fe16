"""Embedding similarity between answers and codes (optional second opinion).

Each code gets a prototype: the normalised mean of the embeddings of its label +
description and of its example phrases (a few dozen short texts, embedded once per run;
answers are never re-embedded). A lexical hit in an answer that is also close to the
code's prototype gains confidence; a hit in an answer far from it loses some, and may
drop out. Similarity never creates an assignment on its own: it only re-weighs cue hits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.coding.codebook import Codebook

SIMILARITY_WEIGHT = 0.2
"""Confidence change per unit of z-scored similarity. At 0.2 a single cue hit (0.6) in an
answer half a standard deviation less like the code than average falls below the 0.5
threshold. On the dev labels, lexical hits that were true positives averaged z = 1.37 and
false positives z = 0.73 (docs/EVALUATION.md)."""


@dataclass(frozen=True, slots=True)
class CodeSimilarity:
    """Per-answer, per-code z-scored cosine similarities (rows: answers, cols: codes)."""

    z: np.ndarray
    weight: float = SIMILARITY_WEIGHT

    def adjust(self, confidence: float, row: int, column: int) -> float:
        return float(np.clip(confidence + self.weight * self.z[row, column], 0.0, 1.0))


def code_prototypes(codebook: Codebook, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """One L2-normalised vector per code, from its description and examples."""
    texts, owners = [], []
    for index, code in enumerate(codebook.codes):
        for text in (f"{code.label}: {code.description}", *code.examples):
            texts.append(text)
            owners.append(index)
    vectors = np.asarray(embed(texts), dtype=np.float32)
    owner_ids = np.asarray(owners)
    prototypes = np.stack(
        [vectors[owner_ids == i].mean(axis=0) for i in range(len(codebook.codes))]
    )
    norms = np.linalg.norm(prototypes, axis=1, keepdims=True)
    return prototypes / np.where(norms == 0, 1.0, norms)


def answer_code_cosines(segment_embeddings: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """Cosine of every answer to every code prototype, float32.

    Computed in float64 and then rounded: a float32 matrix product gives a row slightly
    different values depending on which other rows share the batch (BLAS kernels), which
    would make coding a corpus in chunks (``analysis.scale``) differ from coding it whole.
    """
    vectors = np.asarray(segment_embeddings, dtype=np.float64)
    return (vectors @ np.asarray(prototypes, dtype=np.float64).T).astype(np.float32)


@dataclass(slots=True)
class SimilarityStats:
    """Per-code mean and spread of answer-code cosines over a corpus, added up chunk by chunk.

    Sums are kept as fixed-point integers (steps of 2**-30), so they are exact and the
    same whatever the chunking: streamed coding uses exactly the statistics of the whole.
    """

    n: int = 0
    total: np.ndarray | None = None
    total_sq: np.ndarray | None = None

    def add(self, sims: np.ndarray) -> SimilarityStats:
        """Count a chunk of ``answer_code_cosines`` rows; returns self."""
        sims = np.asarray(sims, dtype=np.float64)
        total = np.rint(sims * _FIXED).astype(np.int64).sum(axis=0)
        total_sq = np.rint(sims * sims * _FIXED).astype(np.int64).sum(axis=0)
        self.total = total if self.total is None else self.total + total
        self.total_sq = total_sq if self.total_sq is None else self.total_sq + total_sq
        self.n += len(sims)
        return self

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean, standard deviation) per code; zeros before any row was added."""
        if not self.n or self.total is None or self.total_sq is None:
            return np.zeros(0), np.zeros(0)
        mean = self.total.astype(np.float64) / (_FIXED * self.n)
        square = self.total_sq.astype(np.float64) / (_FIXED * self.n)
        return mean, np.sqrt(np.clip(square - mean * mean, 0.0, None))


_FIXED = float(2**30)


def code_similarities(
    segment_embeddings: np.ndarray,
    codebook: Codebook,
    embed: Callable[[list[str]], np.ndarray],
    weight: float = SIMILARITY_WEIGHT,
    stats: SimilarityStats | None = None,
) -> CodeSimilarity:
    """Cosine similarity of every answer to every code, z-scored per code over the corpus.

    ``stats``: the corpus statistics when ``segment_embeddings`` is only a chunk of it.
    """
    sims = answer_code_cosines(segment_embeddings, code_prototypes(codebook, embed))
    mean, spread = (stats or SimilarityStats().add(sims)).moments()
    z = (sims - mean[None, :]) / np.where(spread == 0, 1.0, spread)[None, :]
    return CodeSimilarity(z=z.astype(np.float32), weight=weight)
