"""Deductive coding against a codebook, and participant roles.

PLACEHOLDER API (to be replaced by the coding work): the signatures below are the contract
the pipeline calls. They currently return empty results with the right columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.tables import ASSIGNMENTS_COLUMNS

EmbedFn = Callable[[list[str]], np.ndarray]


@dataclass(slots=True)
class CodingResult:
    """``assignments``: ASSIGNMENTS_COLUMNS; ``participants``: transcript_id + one 0/1 column
    per code id; ``codebook``: code, facet, label, description."""

    assignments: pd.DataFrame
    participants: pd.DataFrame
    codebook: pd.DataFrame


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
    texts (e.g. code descriptions) through the same cached model.
    """
    ids = sorted(segments["transcript_id"].unique()) if len(segments) else []
    return CodingResult(
        assignments=pd.DataFrame(columns=ASSIGNMENTS_COLUMNS),
        participants=pd.DataFrame({"transcript_id": ids}),
        codebook=pd.DataFrame(columns=["code", "facet", "label", "description"]),
    )


def infer_roles(
    segments: pd.DataFrame, transcripts: pd.DataFrame, *, role_column: str | None = None
) -> pd.DataFrame:
    """One row per transcript: transcript_id, occupation, occupation_group, role_source."""
    return pd.DataFrame(
        {
            "transcript_id": transcripts["transcript_id"],
            "occupation": "",
            "occupation_group": "Unclear",
            "role_source": "none",
        }
    )
