"""The embedder interface every backend implements, and text keys for the vector cache.

Backends are swappable (BERTopic's habit): the pipeline only needs a stable ``model_id``
(part of every cache key, so vectors from different models never mix) and ``embed``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

_WHITESPACE = re.compile(r"\s+")


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 rows, one per text, in input order."""

    model_id: str
    """Identifies model *and* every setting that changes its vectors (e.g. sequence length)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a ``(len(texts), dim)`` float32 array with unit-length rows."""
        ...


def normalise_text(text: str) -> str:
    """Unicode NFC and collapsed whitespace: the form that is hashed and embedded.

    Two answers that differ only in spacing or composed/decomposed accents get the same
    vector, so re-uploading a re-exported file never re-embeds it.
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_key(text: str) -> str:
    """sha256 hex digest of the normalised text: the cache key (with the model id)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-normalise to unit length as float32; all-zero rows stay zero (no NaN)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError("expected a 2-D array of vectors")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)
