"""The local engine: both stages in this process, exactly as the pipeline always ran them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.coding import CodingResult, code_corpus, infer_roles
from analysis.embedding import CachedEmbedder, Embedder

if TYPE_CHECKING:
    from analysis.coding import EmbedFn
    from analysis.embedding.cache import ProgressFn, VectorCache
    from analysis.engines.base import EmbedderSpec


class LocalEngine:
    """This process's model and coder; the reference every other engine must equal."""

    name = "local"

    def cached_embedder(
        self,
        spec: EmbedderSpec,
        embedder: Embedder,
        cache: VectorCache | None,
        *,
        chunk_size: int = 512,
        progress: ProgressFn | None = None,
    ) -> CachedEmbedder:
        return CachedEmbedder(embedder, cache, chunk_size=chunk_size, progress=progress)

    def code(
        self,
        segments: pd.DataFrame,
        transcripts: pd.DataFrame,
        embeddings: np.ndarray,
        embed: EmbedFn,
        codebook_yaml: str | None,
        role_column: str | None,
    ) -> tuple[CodingResult, pd.DataFrame]:
        coded = code_corpus(
            segments,
            codebook_yaml=codebook_yaml,
            segment_embeddings=embeddings if len(embeddings) else None,
            embed=embed,
        )
        roles = infer_roles(segments, transcripts, role_column=role_column)
        return coded, roles
