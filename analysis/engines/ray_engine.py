"""The Ray engine: embedding and coding as Ray Data batch inference on a Ray cluster.

- Embedding: the texts missing from the store become a dataset of (key, text) rows, cut
  into blocks; ``map_batches(EmbedWorker, compute=ActorPoolStrategy(size=workers))`` embeds
  them with the model loaded once per worker; the driver streams the results back
  (``iter_batches``) and ``CachedEmbedder`` writes each block to the store as it arrives,
  so an interrupted run keeps what was done. Keys travel with the vectors: order never
  matters. The default backend (int8 ONNX) embeds each text on its own, so a vector depends
  on its text alone and the result is bit-identical to the local engine.
- Coding: the corpus statistics the coder z-scores against are computed once on the driver
  (``partition.coding_context``) and shipped once per worker; partitions of whole
  transcripts are blocks. A first pass (``CountWorker``) counts each partition's hits per
  question group, which the driver adds up into the corpus's question-context prior; the
  second (``CodeWorker``) codes each partition with both; ``partition.assemble`` rebuilds
  exactly the local output.

There is no distribution code of our own here: Ray Data schedules, retries and streams.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.coding import load_codebook
from analysis.embedding import CachedEmbedder, Embedder
from analysis.engines import cluster
from analysis.engines.base import EmbedderSpec, EngineError
from analysis.engines.local import LocalEngine
from analysis.engines.partition import (
    CodingContext,
    assemble,
    coding_context,
    coding_partitions,
    question_prior,
)
from analysis.engines.workers import CodeWorker, CountWorker, EmbedWorker

if TYPE_CHECKING:
    import ray.data

    from analysis.coding import CodingResult, EmbedFn
    from analysis.embedding.cache import Chunk, ProgressFn, VectorCache

MIN_REMOTE_TEXTS = 1000
"""Fewer missing texts than this (code descriptions, topic-label candidates, small uploads)
are embedded on the driver: starting worker actors costs 5-20 s on a 2-core machine, about
what the driver needs for 1,000 texts; and a vector is the same wherever it is computed."""
BLOCKS_PER_WORKER = 4
"""Blocks per worker: enough for load balancing and frequent saves, few enough to batch."""


class RayEngine:
    """Embedding and coding on a Ray cluster (``address`` None: a local one on 127.0.0.1)."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ValueError("ray workers must be at least 1")
        self.address = address or None
        self.workers = workers
        if self.address:
            cluster.check_reachable(self.address)  # fail in seconds, before any stage runs
        self.runs: dict[str, dict[str, object]] = {}
        """Per stage ("embed", "code"), what its last run did: worker actors, blocks, and
        for embedding each worker's model-load count as its rows reported it (tests, bench)."""

    # ---- connection ----------------------------------------------------------------------
    def _pool(self) -> int:
        """Connect (or reuse the connection) and return the number of worker actors."""
        cpus = cluster.connect(self.address, self.workers)
        return max(1, min(self.workers or cpus, cpus))

    @staticmethod
    def _failure(exc: Exception, stage: str) -> EngineError:
        if isinstance(exc, EngineError):
            return exc
        return EngineError(f"the Ray {stage} failed ({type(exc).__name__})")

    # ---- embedding -----------------------------------------------------------------------
    def cached_embedder(
        self,
        spec: EmbedderSpec,
        embedder: Embedder,
        cache: VectorCache | None,
        *,
        chunk_size: int = 512,
        progress: ProgressFn | None = None,
    ) -> CachedEmbedder:
        cached = CachedEmbedder(embedder, cache, chunk_size=chunk_size, progress=progress)
        local = cached.chunks

        def chunks(keys: list[str], texts: list[str]) -> Iterator[Chunk]:
            if len(keys) < MIN_REMOTE_TEXTS:
                yield from local(keys, texts)
                return
            yield from self.embed_chunks(spec, embedder.model_id, keys, texts, chunk_size)

        cached.chunks = chunks
        return cached

    def embed_chunks(
        self,
        spec: EmbedderSpec,
        model_id: str,
        keys: list[str],
        texts: list[str],
        chunk_size: int = 512,
    ) -> Iterator[Chunk]:
        """(keys, vectors) blocks from the workers, in the order they finish."""
        import ray.data

        workers = self._pool()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # long ones first
        block = max(8, min(chunk_size, -(-len(order) // (BLOCKS_PER_WORKER * workers))))
        frames = [
            pd.DataFrame(
                {
                    "key": [keys[i] for i in order[start : start + block]],
                    "text": [texts[i] for i in order[start : start + block]],
                }
            )
            for start in range(0, len(order), block)
        ]
        dataset = ray.data.from_pandas(frames).map_batches(
            EmbedWorker,
            batch_size=None,  # one block = one call = one store write on the driver
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=workers),
            fn_constructor_kwargs={"spec": spec, "model_id": model_id},
            num_cpus=1,
        )
        seen_workers: dict[str, set[int]] = {}
        n_blocks = 0
        try:
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                n_blocks += 1
                for worker, loads in zip(batch["worker"], batch["loads"], strict=True):
                    seen_workers.setdefault(str(worker), set()).add(int(loads))
                yield [str(k) for k in batch["key"]], np.asarray(batch["vector"], np.float32)
        except EngineError:
            raise
        except Exception as exc:
            raise self._failure(exc, "embedding") from exc
        finally:
            self.runs["embed"] = {
                "workers": workers,
                "blocks": n_blocks,
                "loads": {w: sorted(v) for w, v in seen_workers.items()},
            }

    # ---- coding --------------------------------------------------------------------------
    def code(
        self,
        segments: pd.DataFrame,
        transcripts: pd.DataFrame,
        embeddings: np.ndarray,
        embed: EmbedFn,
        codebook_yaml: str | None,
        role_column: str | None,
    ) -> tuple[CodingResult, pd.DataFrame]:
        if len(embeddings) and len(embeddings) != len(segments):
            raise ValueError("segment_embeddings must have one row per segment")
        if not len(segments) or not len(transcripts):
            return LocalEngine().code(
                segments, transcripts, embeddings, embed, codebook_yaml, role_column
            )
        context = coding_context(codebook_yaml, embeddings, embed)  # CodebookError: here
        workers = self._pool()
        partitions, n_parts = self._partitions(
            segments, transcripts, embeddings, role_column, workers
        )
        # First pass: the corpus's question-context prior, from every partition's counts.
        n_codes = len(load_codebook(codebook_yaml).codes)
        prior = question_prior(self._run(partitions, CountWorker, context, workers), n_codes)
        outputs = self._run(partitions, CodeWorker, replace(context, question_prior=prior), workers)
        self.runs["code"] = {"workers": workers, "blocks": n_parts}
        return assemble(outputs, segments, transcripts, codebook_yaml)

    def code_with_context(
        self,
        segments: pd.DataFrame,
        transcripts: pd.DataFrame,
        embeddings: np.ndarray,
        context: CodingContext,
        role_column: str | None,
    ) -> tuple[CodingResult, pd.DataFrame]:
        """One coding pass over a chunk of whole transcripts whose corpus-wide figures
        (similarity statistics, question-context prior) were computed over the whole corpus
        elsewhere — the streaming path (``analysis.scale.code``) codes chunk by chunk."""
        workers = self._pool()
        partitions, n_parts = self._partitions(
            segments, transcripts, embeddings, role_column, workers
        )
        outputs = self._run(partitions, CodeWorker, context, workers)
        self.runs["code"] = {"workers": workers, "blocks": n_parts}
        return assemble(outputs, segments, transcripts, context.codebook_yaml)

    def _partitions(
        self,
        segments: pd.DataFrame,
        transcripts: pd.DataFrame,
        embeddings: np.ndarray,
        role_column: str | None,
        workers: int,
    ) -> tuple[ray.data.Dataset, int]:
        """Partitions of whole transcripts as one dataset (both passes read the same blocks)."""
        import ray.data

        parts = coding_partitions(
            segments, transcripts, embeddings, role_column, BLOCKS_PER_WORKER * workers
        )
        return ray.data.from_pandas(parts), len(parts)

    def _run(
        self, partitions: ray.data.Dataset, worker: type, context: CodingContext, workers: int
    ) -> list[dict]:
        import ray.data

        dataset = partitions.map_batches(
            worker,
            batch_size=None,  # a block is a partition of whole transcripts: never split
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=workers),
            fn_constructor_kwargs={"context": context},
            num_cpus=1,
        )
        try:
            return list(dataset.iter_batches(batch_size=None, batch_format="numpy"))
        except Exception as exc:
            raise self._failure(exc, "coding") from exc
