"""Deductive coding against a codebook, and participant roles.

Public API (called by the pipeline and the app):
- ``code_corpus(segments, *, codebook_yaml=None, segment_embeddings=None, embed=None,
  context_prior=True)``
- ``infer_roles(segments, transcripts, *, role_column=None)``
- codebook helpers for the app's editor: ``default_codebook_yaml``, ``load_codebook``,
  ``validate_codebook_yaml``, ``dump_codebook``, ``Codebook``, ``Code``, ``CodebookError``.
"""

from __future__ import annotations

from analysis.coding.codebook import (
    FACETS,
    Code,
    Codebook,
    CodebookError,
    default_codebook_yaml,
    dump_codebook,
    load_codebook,
    validate_codebook_yaml,
)
from analysis.coding.coder import CodingResult, EmbedFn, code_corpus, code_segments
from analysis.coding.roles import infer_roles
from analysis.coding.rollup import participant_codes, segment_code_lists

__all__ = [
    "FACETS",
    "Code",
    "Codebook",
    "CodebookError",
    "CodingResult",
    "EmbedFn",
    "code_corpus",
    "code_segments",
    "default_codebook_yaml",
    "dump_codebook",
    "infer_roles",
    "load_codebook",
    "participant_codes",
    "segment_code_lists",
    "validate_codebook_yaml",
]
