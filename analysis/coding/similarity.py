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


def code_similarities(
    segment_embeddings: np.ndarray,
    codebook: Codebook,
    embed: Callable[[list[str]], np.ndarray],
    weight: float = SIMILARITY_WEIGHT,
) -> CodeSimilarity:
    """Cosine similarity of every answer to every code, z-scored per code over the corpus."""
    sims = np.asarray(segment_embeddings, dtype=np.float32) @ code_prototypes(codebook, embed).T
    spread = sims.std(axis=0, keepdims=True)
    z = (sims - sims.mean(axis=0, keepdims=True)) / np.where(spread == 0, 1.0, spread)
    return CodeSimilarity(z=z, weight=weight)
