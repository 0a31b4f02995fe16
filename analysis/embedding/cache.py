"""Embed through the store's vector cache, so an unchanged text is never embedded twice.

The cache is global across projects and keyed by (sha256 of the normalised text, model id):
re-analysing a project, adding transcripts, or uploading the same answers into a second
project only embeds texts the store has never seen with this model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import numpy as np

from analysis.embedding.base import Embedder, normalise_text, text_key
from analysis.embedding.units import DEFAULT_MAX_WORDS, pool_units, units_for

ProgressFn = Callable[[str, float], None]
Chunk = tuple[list[str], np.ndarray]
"""(text keys, their vectors as rows): one chunk of newly embedded texts."""
ChunkSource = Callable[[list[str], list[str]], Iterable[Chunk]]
"""(keys, normalised texts) of the missing texts -> their chunks, in any order."""


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
        chunks: ChunkSource | None = None,
    ) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model_id = embedder.model_id
        self.chunk_size = chunk_size
        self.progress = progress
        self.chunks: ChunkSource = chunks or self._local_chunks
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
        """Embed the missing texts chunk by chunk and save each chunk at once.

        Saving per chunk means an interrupted run keeps what it already paid for. The chunks
        come from ``self.chunks``: this process's model by default, or an engine that runs
        the model elsewhere (``analysis.engines``) and hands back (keys, vectors) chunks in
        whatever order they finish; the keys travel with the vectors, so order never matters.
        """
        out: dict[str, np.ndarray] = {}
        for chunk_keys, vectors in self.chunks(keys, texts):
            if self.cache is not None:
                self.cache.put_vectors(chunk_keys, vectors, self.model_id)
            out.update(zip(chunk_keys, vectors, strict=True))
            self.n_computed += len(chunk_keys)
            if self.progress:
                done = len(out)
                self.progress(
                    f"Embedding answers ({done:,}/{len(keys):,} new texts)", done / len(keys)
                )
        lost = [key for key in keys if key not in out]
        if lost:
            raise RuntimeError(f"the embedding engine returned no vector for {len(lost)} text(s)")
        return out

    def _local_chunks(self, keys: list[str], texts: list[str]) -> Iterator[Chunk]:
        """This process's model over chunks of ``chunk_size``, longest texts first (small
        padding for batching backends)."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.chunk_size):
            idx = order[start : start + self.chunk_size]
            yield [keys[i] for i in idx], self.embedder.embed([texts[i] for i in idx])


def embed_answers(
    embedder: Embedder, answers: Sequence[str], max_words: int = DEFAULT_MAX_WORDS
) -> np.ndarray:
    """One vector per answer: paragraph-sized units embedded (via any cache) and mean-pooled."""
    if not len(answers):
        return np.zeros((0, 0), dtype=np.float32)
    units, owners = units_for(answers, max_words)
    return pool_units(embedder.embed(units), owners, len(answers))
