"""The callable classes Ray Data runs on its workers (one instance per worker actor).

They are plain classes, importable without Ray: Ray Data constructs each once per actor
(``map_batches(EmbedWorker, compute=ActorPoolStrategy(...))``) and then calls it with batch
after batch — so the model is loaded once per worker, not once per batch. Each output row
says which worker made it and how many times that worker process has loaded the model,
which is how tests prove "once per worker".
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping

import numpy as np

from analysis.engines.base import EmbedderSpec, EngineError
from analysis.engines.partition import CodingContext, code_partition, count_partition

_LOADS = {"embed": 0, "code": 0}
"""Constructions per worker process (one per actor: Ray gives each actor its own process)."""


class EmbedWorker:
    """Builds the run's embedder from its spec, loads the model, then embeds (key, text) rows.

    The worker refuses to run when its model id differs from the driver's (a worker machine
    with another package version would otherwise mix vectors of two models in one store).
    """

    def __init__(self, spec: EmbedderSpec, model_id: str, threads: int = 1) -> None:
        self.embedder = spec.build()
        if self.embedder.model_id != model_id:
            raise EngineError(
                f"a Ray worker has embedding model {self.embedder.model_id!r}, the driver "
                f"{model_id!r}: install the same requirements on every node"
            )
        if hasattr(self.embedder, "workers"):
            self.embedder.workers = threads  # one onnxruntime thread per worker CPU
        self.embedder.embed(["load the model now"])  # once, here, not in the first batch
        _LOADS["embed"] += 1
        self.worker = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.loads = _LOADS["embed"]

    def __call__(self, batch: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        keys = np.asarray(batch["key"], dtype=object)
        vectors = self.embedder.embed([str(t) for t in batch["text"]])
        return {
            "key": keys,
            "vector": np.asarray(vectors, dtype=np.float32),
            "worker": np.array([self.worker] * len(keys), dtype=object),
            "loads": np.full(len(keys), self.loads, dtype=np.int64),
        }


class CountWorker:
    """First coding pass: counts for the corpus's question-context prior, per partition."""

    def __init__(self, context: CodingContext) -> None:
        self.context = context

    def __call__(self, batch: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return count_partition(batch, self.context)


class CodeWorker:
    """Holds the codebook and corpus statistics once; codes partitions of whole transcripts."""

    def __init__(self, context: CodingContext) -> None:
        self.context = context
        _LOADS["code"] += 1

    def __call__(self, batch: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return code_partition(batch, self.context)
