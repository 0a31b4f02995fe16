"""A deterministic, model-free embedder for fast tests and as a last-resort fallback.

Hashed word uni- and bigram counts give vectors where answers sharing vocabulary are close,
which is enough for topic-model plumbing tests without loading a neural model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from analysis.embedding.base import l2_normalise


class HashingEmbedder:
    """Signed feature hashing of lower-cased word n-grams, L2-normalised."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.model_id = f"hashing-ngram12-{dim}"
        self._vectorizer = HashingVectorizer(
            n_features=dim,
            ngram_range=(1, 2),
            stop_words="english",
            alternate_sign=False,
            norm=None,
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        counts = self._vectorizer.transform(list(texts)).toarray()
        return l2_normalise(np.log1p(counts))
