"""The Ray engine on the fixture corpus (hashing backend, runs everywhere ray installs).

One local Ray cluster with 2 workers for the module. Embedding and coding each run once on
the cluster and are compared with the local engine bit for bit; the embedding run's rows
tell which worker embedded them and how often that worker loaded its model. (Resuming an
interrupted run is ``CachedEmbedder``'s, tested in tests/engine; here we check that the
engine hands each block to it as the block arrives.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.embedding import CachedEmbedder, embed_answers, text_key
from analysis.engines import EmbedderSpec, LocalEngine, engine_for
from analysis.ingest.tables import segments_frame, transcripts_frame
from analysis.records import IngestResult
from analysis.segment import segment_transcripts

pytestmark = pytest.mark.slow
SPEC = EmbedderSpec("hashing", 128, 64)


class _Recorder:
    """A vector cache that records each write (the store's ``put_vectors`` contract)."""

    def __init__(self) -> None:
        self.writes: list[list[str]] = []

    def get_vectors(self, keys, model_id):
        return {}

    def put_vectors(self, keys, vectors, model_id) -> None:
        assert len(keys) == len(vectors)
        self.writes.append(list(keys))


@pytest.fixture(scope="module")
def frames(fixture_ingest: IngestResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    segments = segments_frame(segment_transcripts(fixture_ingest.transcripts))
    segments = segments.sort_values(["transcript_id", "segment_index"]).reset_index(drop=True)
    return segments, transcripts_frame(fixture_ingest)


@pytest.fixture(scope="module")
def ray_run(ray_cluster, remote_everything, frames):
    """Embed and code the fixture corpus once on the cluster."""
    segments, transcripts = frames
    engine = engine_for("ray", workers=2)
    recorder = _Recorder()
    saved_at_progress: list[int] = []
    cached = engine.cached_embedder(
        SPEC,
        SPEC.build(),
        recorder,
        chunk_size=512,
        progress=lambda _message, _fraction: saved_at_progress.append(len(recorder.writes)),
    )
    embeddings = embed_answers(cached, list(segments["answer"]), 0)
    n_computed = cached.n_computed
    # Code texts are embedded on the driver here (same vectors; one cluster run fewer).
    code_texts = LocalEngine().cached_embedder(SPEC, SPEC.build(), None)
    coded, roles = engine.code(segments, transcripts, embeddings, code_texts.embed, None, None)
    return engine, recorder, saved_at_progress, n_computed, embeddings, coded, roles


def test_embeddings_are_bit_identical(ray_run, frames) -> None:
    engine, recorder, saved_at_progress, n_computed, embeddings, *_ = ray_run
    segments, _ = frames
    local = embed_answers(CachedEmbedder(SPEC.build(), None), list(segments["answer"]), 0)
    assert embeddings.shape == local.shape == (len(segments), 256)
    assert np.array_equal(embeddings, local)
    assert n_computed == len({text_key(a) for a in segments["answer"]})
    # Each block went to the store as it arrived (one write per block, before the next
    # block was taken), so an interrupted run keeps every finished block.
    blocks = engine.runs["embed"]["blocks"]
    assert blocks > 1 and len(recorder.writes) == blocks
    assert saved_at_progress == list(range(1, blocks + 1))
    assert sum(map(len, recorder.writes)) == n_computed


def test_model_loaded_once_per_worker(ray_run) -> None:
    engine = ray_run[0]
    run = engine.runs["embed"]
    assert 1 <= len(run["loads"]) <= 2  # at most one actor per worker
    assert all(loads == [1] for loads in run["loads"].values())  # each loaded once...
    assert run["blocks"] > len(run["loads"])  # ...though it embedded several blocks


def test_codes_and_roles_equal_local(ray_run, frames) -> None:
    *_, embeddings, coded, roles = ray_run
    segments, transcripts = frames
    local = CachedEmbedder(SPEC.build(), None)
    expected, expected_roles = LocalEngine().code(
        segments, transcripts, embeddings, local.embed, None, None
    )
    assert len(expected.assignments) > 20
    pd.testing.assert_frame_equal(coded.assignments, expected.assignments)
    pd.testing.assert_frame_equal(coded.participants, expected.participants)
    pd.testing.assert_frame_equal(coded.codebook, expected.codebook)
    pd.testing.assert_frame_equal(roles, expected_roles)


def test_streaming_run_codes_on_ray_exactly_as_locally(ray_cluster, tmp_path, monkeypatch) -> None:
    """``analyze --streaming --engine ray``: each coding chunk runs as Ray Data batch
    inference with the corpus statistics and prior computed on the driver; the stored codes
    and roles equal a local streaming run's row for row."""
    from dataclasses import replace

    from analysis.engines.ray_engine import RayEngine
    from analysis.scale.run import run_scale
    from analysis.store import Store
    from tests.engine.conftest import ENGINE_CORPUS
    from tests.scale.conftest import SMALL_CHUNKS

    remote_chunks: list[int] = []
    original = RayEngine.code_with_context

    def counted(self, segments, *args, **kwargs):  # type: ignore[no-untyped-def]
        remote_chunks.append(len(segments))
        return original(self, segments, *args, **kwargs)

    monkeypatch.setattr(RayEngine, "code_with_context", counted)

    local_config = replace(SMALL_CHUNKS, embed_chunk_rows=1000, coding_chunk_rows=32)
    ray_config = replace(
        local_config, pipeline=replace(local_config.pipeline, engine="ray", ray_workers=2)
    )
    tables = {
        "scale_assignments": "transcript_id, segment_index, code, confidence, evidence",
        "scale_participants": "transcript_id, cohort, occupation, occupation_group",
    }
    frames = {}
    for name, config in (("local", local_config), ("ray", ray_config)):
        with Store(tmp_path / f"{name}.duckdb") as store:
            run_scale([ENGINE_CORPUS], project="big", store=store, config=config)
            with store.locked_connection() as con:
                frames[name] = {
                    table: con.execute(
                        f"SELECT {columns} FROM {table} WHERE project = 'big' "
                        f"ORDER BY {columns}"
                    ).df()
                    for table, columns in tables.items()
                }
    assert len(frames["local"]["scale_assignments"]) > 20
    assert len(remote_chunks) >= 2 and sum(remote_chunks) == 60  # every answer, in chunks
    for table in tables:
        pd.testing.assert_frame_equal(frames["ray"][table], frames["local"][table])
