"""Embed through the store's vector cache, so an unchanged text is never embedded twice.

The cache is global across projects and keyed by (sha256 of the normalised text, model id):
re-analysing a project, adding transcripts, or uploading the same answers into a second
project only embeds texts the store has never seen with this model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from analysis.embedding.base import Embedder, normalise_text, text_key
from analysis.embedding.units import DEFAULT_MAX_WORDS, pool_units, units_for

ProgressFn = Callable[[str, float], None]


class VectorCache(Protocol):
    """What the cache needs from the store (``analysis.store.Store`` implements it)."""

    def get_vectors(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]: ...

    def put_vectors(self, keys: Sequence[str], vectors: np.ndarray, model_id: str) -> None: ...


class CachedEmbedder:
    """An ``Embedder`` that reads and writes a ``VectorCache``; counts what it computed.

    ``n_computed`` (texts actually sent to the model) is what tests and ``run.json`` use to
    prove a second run embeds nothing.
    """

    def __init__(
        self,
        embedder: Embedder,
        cache: VectorCache | None,
        *,
        chunk_size: int = 512,
        progress: ProgressFn | None = None,
    ) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model_id = embedder.model_id
        self.chunk_size = chunk_size
        self.progress = progress
        self.n_computed = 0
        self.n_cached = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` in order; duplicates and cached texts are embedded once/never."""
        keys = [text_key(t) for t in texts]
        found = self.cache.get_vectors(sorted(set(keys)), self.model_id) if self.cache else {}
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = normalise_text(text)
        self.n_cached += len(set(keys)) - len(missing)
        if missing:
            found.update(self._compute(list(missing), list(missing.values())))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _compute(self, keys: list[str], texts: list[str]) -> dict[str, np.ndarray]:
        """Embed in chunks (longest first, so padding is small) and save each chunk at once.

        Saving per chunk means an interrupted run keeps what it already paid for.
        """
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(order), self.chunk_size):
            idx = order[start : start + self.chunk_size]
            vectors = self.embedder.embed([texts[i] for i in idx])
            chunk_keys = [keys[i] for i in idx]
            if self.cache is not None:
                self.cache.put_vectors(chunk_keys, vectors, self.model_id)
            out.update(zip(chunk_keys, vectors, strict=True))
            self.n_computed += len(idx)
            if self.progress:
                done = min(start + self.chunk_size, len(order))
                self.progress(
                    f"Embedding answers ({done:,}/{len(order):,} new texts)", done / len(order)
                )
        return out


def embed_answers(
    embedder: Embedder, answers: Sequence[str], max_words: int = DEFAULT_MAX_WORDS
) -> np.ndarray:
    """One vector per answer: paragraph-sized units embedded (via any cache) and mean-pooled."""
    if not len(answers):
        return np.zeros((0, 0), dtype=np.float32)
    units, owners = units_for(answers, max_words)
    return pool_units(embedder.embed(units), owners, len(answers))
