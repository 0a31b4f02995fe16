"""Split long answers into paragraph-sized units and pool unit vectors back per answer.

MiniLM only reads ``max_seq_length`` word pieces (128 here, for speed), so a 300-word
answer would be embedded from its first ~95 words only. Embedding paragraph-sized units
and averaging them keeps the whole answer in its vector, and short units are cheap
(attention cost grows with the square of the length).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from analysis.embedding.base import l2_normalise, normalise_text

DEFAULT_MAX_WORDS = 90
"""About 120 word pieces: fits a 128-token window with the special tokens."""

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def _pack(pieces: list[str], max_words: int) -> list[str]:
    """Greedily join consecutive pieces while the result stays within ``max_words``."""
    units: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        n = len(piece.split())
        if current and size + n > max_words:
            units.append(" ".join(current))
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        units.append(" ".join(current))
    return units


def split_units(answer: str, max_words: int = DEFAULT_MAX_WORDS) -> list[str]:
    """Paragraphs, then sentences, then hard word windows, packed up to ``max_words``.

    Always returns at least one unit (an empty answer gives ``[""]``) so every answer
    keeps a row in the vector matrix. ``max_words <= 0`` means no splitting: the model
    then reads the answer up to its sequence length.
    """
    if max_words <= 0:
        return [normalise_text(answer)]
    pieces: list[str] = []
    for paragraph in _PARAGRAPHS.split(answer):
        paragraph = normalise_text(paragraph)
        if not paragraph:
            continue
        if len(paragraph.split()) <= max_words:
            pieces.append(paragraph)
            continue
        for sentence in _SENTENCES.split(paragraph):
            words = sentence.split()
            for start in range(0, len(words), max_words):
                pieces.append(" ".join(words[start : start + max_words]))
    units = _pack(pieces, max_words)
    return units or [normalise_text(answer)]


def units_for(
    answers: Sequence[str], max_words: int = DEFAULT_MAX_WORDS
) -> tuple[list[str], np.ndarray]:
    """All units of all answers, and for each unit the index of the answer it came from."""
    units: list[str] = []
    owners: list[int] = []
    for i, answer in enumerate(answers):
        for unit in split_units(answer, max_words):
            units.append(unit)
            owners.append(i)
    return units, np.asarray(owners, dtype=np.int64)


def pool_units(unit_vectors: np.ndarray, owners: np.ndarray, n_answers: int) -> np.ndarray:
    """Word-count-agnostic mean of each answer's unit vectors, re-normalised."""
    dim = unit_vectors.shape[1] if unit_vectors.ndim == 2 else 0
    pooled = np.zeros((n_answers, dim), dtype=np.float64)
    np.add.at(pooled, owners, unit_vectors)
    return l2_normalise(pooled)
