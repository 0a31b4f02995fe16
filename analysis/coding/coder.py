"""``code_corpus``: code every answer segment against a codebook, then roll up.

Flow: compile the codebook's cues -> per answer, find cue hits (rules.py) -> optionally
adjust confidence with answer/code embedding similarity (similarity.py) -> keep hits at
or above ``min_confidence`` -> evidence = the best-matching participant sentence ->
participants = any-answer rollup (rollup.py). The interviewer's words are only ever used
as context, never matched for evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.rollup import participant_codes
from analysis.coding.rules import compile_code, match_answer
from analysis.coding.sentences import sentence_spans, trim_evidence
from analysis.coding.similarity import code_similarities
from analysis.tables import ASSIGNMENTS_COLUMNS

EmbedFn = Callable[[list[str]], np.ndarray]
MIN_CONFIDENCE = 0.5
"""Assignments below this are dropped; calibrated on the tuning half of the dev labels."""


@dataclass(slots=True)
class CodingResult:
    """``assignments``: ASSIGNMENTS_COLUMNS; ``participants``: transcript_id + one 0/1 column
    per code id; ``codebook``: code, facet, label, description, examples."""

    assignments: pd.DataFrame
    participants: pd.DataFrame
    codebook: pd.DataFrame


def _column(segments: pd.DataFrame, name: str) -> list[str]:
    if name not in segments.columns:
        return [""] * len(segments)
    return ["" if pd.isna(v) else str(v) for v in segments[name]]


def code_segments(
    segments: pd.DataFrame,
    codebook: Codebook,
    *,
    segment_embeddings: np.ndarray | None = None,
    embed: EmbedFn | None = None,
    min_confidence: float = MIN_CONFIDENCE,
) -> pd.DataFrame:
    """Segment-level assignments (ASSIGNMENTS_COLUMNS) for every answer in ``segments``."""
    compiled = [compile_code(code) for code in codebook.codes]
    similarity = None
    if segment_embeddings is not None and embed is not None and len(segments):
        similarity = code_similarities(segment_embeddings, codebook, embed)
    code_position = {code.id: i for i, code in enumerate(codebook.codes)}
    answers = _column(segments, "answer")
    questions = _column(segments, "question")
    rows = []
    for row, (tid, seg_index, answer, question) in enumerate(
        zip(segments["transcript_id"], segments["segment_index"], answers, questions, strict=True)
    ):
        spans = sentence_spans(answer)
        for hit in match_answer(answer, question, spans, compiled):
            confidence = hit.confidence
            if similarity is not None:
                confidence = similarity.adjust(confidence, row, code_position[hit.code])
            if confidence < min_confidence:
                continue
            begin, end = spans[hit.sentence_index]
            rows.append(
                (tid, seg_index, hit.code, round(confidence, 3), trim_evidence(answer[begin:end]))
            )
    return pd.DataFrame(rows, columns=ASSIGNMENTS_COLUMNS)


def code_corpus(
    segments: pd.DataFrame,
    *,
    codebook_yaml: str | None = None,
    segment_embeddings: np.ndarray | None = None,
    embed: EmbedFn | None = None,
) -> CodingResult:
    """Code every answer segment, then roll codes up to participants.

    ``codebook_yaml`` is the codebook's YAML text (None: the default codebook shipped in the
    package); ``segment_embeddings`` are rows aligned with ``segments``; ``embed`` embeds extra
    texts (e.g. code descriptions) through the same cached model. Raises CodebookError when
    the codebook is invalid.
    """
    codebook = load_codebook(codebook_yaml)
    if segment_embeddings is not None and len(segment_embeddings) != len(segments):
        raise ValueError("segment_embeddings must have one row per segment")
    assignments = code_segments(
        segments, codebook, segment_embeddings=segment_embeddings, embed=embed
    )
    ids = sorted(segments["transcript_id"].astype(str).unique()) if len(segments) else []
    assignments["transcript_id"] = assignments["transcript_id"].astype(str)
    participants = participant_codes(assignments, ids, codebook.code_ids)
    return CodingResult(
        assignments=assignments, participants=participants, codebook=codebook.frame()
    )
