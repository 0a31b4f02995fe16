"""Scale test helpers: the engine fixture corpus run both ways, with chunks smaller than it.

Chunks of 16 rows (the corpus has 60 answers in 12 transcripts) make every streaming stage
work in several chunks, so "streaming equals in-memory" is a real test of the chunking.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from analysis.results import AnalysisResult
from analysis.scale.run import ScaleConfig, run_scale
from analysis.store import Store
from tests.engine.conftest import ENGINE_CORPUS, HASHING

SMALL_CHUNKS = ScaleConfig(
    pipeline=HASHING,
    embed_chunk_rows=16,
    topic_chunk_rows=16,
    coding_chunk_rows=16,
    ingest_chunk_transcripts=5,
)
"""Streaming settings for tests: hashing vectors, several chunks per stage."""


@dataclass(slots=True)
class BothRuns:
    store: Store
    streaming: dict
    in_memory: AnalysisResult


@pytest.fixture(scope="session")
def both_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BothRuns]:
    """The fixture corpus analysed in memory and streamed (sample larger than the corpus)."""
    from analysis.pipeline import run_pipeline

    store = Store(tmp_path_factory.mktemp("scale") / "store.duckdb")
    streaming = run_scale([ENGINE_CORPUS], project="big", store=store, config=SMALL_CHUNKS)
    in_memory = run_pipeline([ENGINE_CORPUS], project="small", store=store, config=HASHING)
    yield BothRuns(store=store, streaming=streaming, in_memory=in_memory)
    store.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def sampled(sample: int) -> ScaleConfig:
    """Small chunks and a topic sample of ``sample`` answers."""
    return replace(SMALL_CHUNKS, topic_sample=sample)
