"""Ray vs local on real transcripts: the same embeddings, topics, codes and roles.

36 transcripts of the shared Anthropic Interviewer corpus (12 per cohort, about 400
answers), the real int8 MiniLM model, the whole pipeline twice — once with the local
engine, once with ``engine="ray"`` on a local 2-worker cluster — each into its own empty
store, so the Ray run really embeds every answer on its workers. Skips when the shared
corpus or ray is absent.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.config import PipelineConfig
from analysis.embedding import text_key
from analysis.pipeline import run_pipeline
from analysis.store import Store

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
PER_COHORT = 12
CONFIG = replace(PipelineConfig(), stability_runs=0)
FRAMES = ("segments", "topics", "participants", "assignments", "codebook", "topic_hierarchy")


@pytest.fixture(scope="module")
def small_corpus(corpus_dir: Path, tmp_path_factory) -> Path:
    """The first transcripts of each cohort file, written as cohort CSVs in a temp folder."""
    folder = tmp_path_factory.mktemp("corpus36")
    for name in ("workforce", "creatives", "scientists"):
        frame = pd.read_csv(corpus_dir / f"{name}.csv", nrows=PER_COHORT)
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def runs(small_corpus, ray_cluster, tmp_path_factory):
    """(local result, local store path, ray result, ray store path, ray engine)."""
    from analysis import pipeline
    from analysis.engines import ray_engine

    folder = tmp_path_factory.mktemp("stores")
    with Store(folder / "local.duckdb") as store:
        local = run_pipeline([small_corpus], project="p", store=store, config=CONFIG)
    engines = []

    def recording_engine_for(*args, **kwargs):
        engines.append(pipeline_engine_for(*args, **kwargs))
        return engines[-1]

    pipeline_engine_for = pipeline.engine_for
    saved_threshold = ray_engine.MIN_REMOTE_TEXTS
    ray_engine.MIN_REMOTE_TEXTS = 300  # the ~400 answers go to the workers, label texts not
    pipeline.engine_for = recording_engine_for
    try:
        with Store(folder / "ray.duckdb") as store:
            distributed = run_pipeline(
                [small_corpus],
                project="p",
                store=store,
                config=replace(CONFIG, engine="ray", ray_workers=2),
            )
    finally:
        pipeline.engine_for = pipeline_engine_for
        ray_engine.MIN_REMOTE_TEXTS = saved_threshold
    return local, folder / "local.duckdb", distributed, folder / "ray.duckdb", engines[0]


def test_the_ray_run_really_ran_on_the_workers(runs) -> None:
    local, _, distributed, _, engine = runs
    assert engine.name == "ray"
    assert len(local.segments) > 300
    embed = engine.runs["embed"]
    assert embed["blocks"] > 1 and all(v == [1] for v in embed["loads"].values())
    assert engine.runs["code"]["blocks"] >= 1
    counts = distributed.run["counts"]
    assert counts["texts_embedded_now"] >= counts["segments"] - 10  # nothing was cached
    assert distributed.run["settings"]["engine"] == "ray"


def test_embeddings_are_bit_identical(runs) -> None:
    local, local_path, _, ray_path, _ = runs
    keys = sorted({text_key(a) for a in local.segments["answer"]})
    model = local.run["models"]["embedding"]
    with Store(local_path) as a, Store(ray_path) as b:
        first, second = a.get_vectors(keys, model), b.get_vectors(keys, model)
    assert len(first) == len(second) == len(keys)
    assert all(np.array_equal(first[k], second[k]) for k in keys)


def test_topics_codes_and_roles_are_identical(runs) -> None:
    local, _, distributed, _, _ = runs
    assert int((local.topics["topic_id"] >= 0).sum()) >= 2  # real topics, not a degenerate fit
    assert len(local.assignments) > 100
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(local, name), getattr(distributed, name))
    assert local.run["fit_key"] == distributed.run["fit_key"]  # the engine is not in the key
