"""What an engine is: where the two model-heavy stages (embedding, coding) run.

The pipeline decides *what* to compute; an engine decides *where*. ``local`` runs both stages
in this process (today's behaviour); ``ray`` runs them as Ray Data batch inference over a
Ray cluster. Every engine must give exactly the local result — the engine is a speed
setting, so it is not part of any saved-result key (``PipelineConfig.TOPIC_SETTINGS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from analysis.embedding import CachedEmbedder, Embedder, embedder_for

if TYPE_CHECKING:
    from analysis.coding import CodingResult, EmbedFn
    from analysis.config import PipelineConfig
    from analysis.embedding.cache import ProgressFn, VectorCache

ENGINES = ("local", "ray")


class EngineError(RuntimeError):
    """An engine could not do its work (its message is safe to show: no transcript text)."""


class EngineUnavailable(EngineError):
    """The engine's cluster could not be started or reached (e.g. a wrong ``--ray-address``)."""


@dataclass(frozen=True, slots=True)
class EmbedderSpec:
    """How to build the run's embedder anywhere: workers rebuild it from this, not a pickle
    of the driver's object, and must arrive at the same ``model_id``."""

    backend: str
    max_seq_length: int
    batch_size: int

    @classmethod
    def of(cls, config: PipelineConfig) -> EmbedderSpec:
        return cls(config.embedding_backend, config.max_seq_length, config.batch_size)

    def build(self) -> Embedder:
        return embedder_for(self.backend, self.max_seq_length, self.batch_size)


class Engine(Protocol):
    """Runs the embedding of missing texts and the coding stage; results equal ``local``'s."""

    name: str

    def cached_embedder(
        self,
        spec: EmbedderSpec,
        embedder: Embedder,
        cache: VectorCache | None,
        *,
        chunk_size: int = 512,
        progress: ProgressFn | None = None,
    ) -> CachedEmbedder:
        """A ``CachedEmbedder`` over ``embedder`` whose missing texts this engine computes."""
        ...

    def code(
        self,
        segments: pd.DataFrame,
        transcripts: pd.DataFrame,
        embeddings: np.ndarray,
        embed: EmbedFn,
        codebook_yaml: str | None,
        role_column: str | None,
    ) -> tuple[CodingResult, pd.DataFrame]:
        """``code_corpus`` and ``infer_roles`` over the corpus: (coding result, roles)."""
        ...
