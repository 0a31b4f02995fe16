"""Sentence splitting for evidence: evidence must be a sentence the participant wrote.

A regex splitter is enough here (and fast on 14k answers); it keeps character offsets so
a cue match found on the whole answer can be mapped back to its sentence.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[-*•\d])")
MAX_EVIDENCE_CHARS = 400
"""Very long run-on 'sentences' are cut so a quote stays readable."""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each non-empty sentence of ``text``."""
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for begin, end in spans:
        chunk = text[begin:end]
        stripped = chunk.strip()
        if stripped:
            offset = begin + chunk.index(stripped)
            result.append((offset, offset + len(stripped)))
    return result


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as stripped strings."""
    return [text[a:b] for a, b in sentence_spans(text)]


def sentence_at(spans: list[tuple[int, int]], position: int) -> int:
    """Index of the sentence containing character ``position`` (nearest before a gap)."""
    for index, (begin, end) in enumerate(spans):
        if position < end or index == len(spans) - 1:
            return index if position >= begin or index == 0 else index - 1
    return 0


def trim_evidence(sentence: str) -> str:
    """A sentence short enough to quote, cut at a word boundary."""
    if len(sentence) <= MAX_EVIDENCE_CHARS:
        return sentence
    return sentence[:MAX_EVIDENCE_CHARS].rsplit(" ", 1)[0] + " …"
