"""Engine test helpers: the small fixture corpus, hand-made transcripts, fast configs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from analysis.config import PipelineConfig
from analysis.records import FileReport, IngestResult, Transcript, Turn
from analysis.store import Store
from tests.conftest import FIXTURES

ENGINE_CORPUS = FIXTURES / "engine" / "corpus"
HASHING = replace(PipelineConfig(), embedding_backend="hashing", stability_runs=0)
"""Fast engine config: no model, no stability re-runs (tests/insight covers stability)."""


def make_transcript(transcript_id: str, answers: list[str], cohort: str = "extra") -> Transcript:
    """A transcript whose participant answers are ``answers``, each after a question."""
    turns = [Turn(0, "Assistant", "interviewer", "Hello, thanks for joining. What do you do?")]
    for answer in answers:
        turns.append(Turn(len(turns), "User", "participant", answer))
        turns.append(Turn(len(turns), "AI", "interviewer", "Thanks. Can you say more about that?"))
    return Transcript(transcript_id, cohort, f"{transcript_id}.txt", turns)


def ingest_of(transcripts: list[Transcript]) -> IngestResult:
    files = [FileReport(t.source_file, "parsed", 1, encoding="utf-8") for t in transcripts]
    return IngestResult(transcripts=list(transcripts), files=files)


@pytest.fixture(scope="session")
def corpus_ingest() -> IngestResult:
    from analysis.ingest import ingest_paths

    return ingest_paths([ENGINE_CORPUS])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "store.duckdb")
    yield opened
    opened.close()
