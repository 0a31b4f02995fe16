"""Topics fitted on a sample and placed chunk by chunk: deterministic, same rule as placing
added answers, and chunk-independent coding statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.coding.similarity import SimilarityStats, answer_code_cosines
from analysis.embedding import l2_normalise
from analysis.scale.db import query_frame
from analysis.scale.run import run_scale
from analysis.scale.topics import map_positions, sample_frame
from analysis.store import Store
from analysis.topics import assign_new_answers
from tests.engine.conftest import ENGINE_CORPUS
from tests.scale.conftest import sampled

_PLACED = (
    "SELECT transcript_id, segment_index, topic_id, x, y FROM scale_segments "
    "WHERE project = ? ORDER BY transcript_id, segment_index"
)


def test_sample_fit_and_placement_are_deterministic(tmp_path: Path) -> None:
    results = []
    for name in ("a", "b"):
        with Store(tmp_path / f"{name}.duckdb") as store:
            run = run_scale([ENGINE_CORPUS], project="p", store=store, config=sampled(40))
            placed = query_frame(store, _PLACED, ["p"])
            sizes = query_frame(
                store, "SELECT sum(n_answers) AS n FROM scale_topics WHERE project = ?", ["p"]
            )
            sample = sample_frame(store, "p", 40, seed=42)
        results.append(placed)
        assert run["stage_details"]["topics"]["topic_stats"]["sample_answers"] == 40
        assert placed["topic_id"].notna().all() and int(sizes["n"].iloc[0]) == 60
        assert len(sample) == 40
        assert list(zip(sample["transcript_id"], sample["segment_index"], strict=True)) == sorted(
            zip(sample["transcript_id"], sample["segment_index"], strict=True)
        )
    assert results[0].equals(results[1])
    assert results[0]["topic_id"].nunique() >= 2


def test_map_positions_equal_assign_new_answers_including_ties() -> None:
    rng = np.random.default_rng(3)
    reference = l2_normalise(rng.standard_normal((300, 24)))
    reference[150:200] = reference[100:150]  # duplicate answers: tied similarities
    coords = rng.standard_normal((300, 2)).astype(np.float32)
    topic_ids = rng.integers(-1, 5, size=300)
    new = np.vstack([l2_normalise(rng.standard_normal((40, 24))), reference[95:140]])
    _ids, expected = assign_new_answers(new, reference, topic_ids, coords, threshold=0.35)
    assert np.array_equal(map_positions(new, reference, coords), expected)


def test_similarity_statistics_do_not_depend_on_chunks() -> None:
    rng = np.random.default_rng(5)
    vectors = l2_normalise(rng.standard_normal((1000, 32)))
    prototypes = l2_normalise(rng.standard_normal((7, 32)))
    whole_sims = answer_code_cosines(vectors, prototypes)
    chunked_sims = np.vstack(
        [answer_code_cosines(vectors[a : a + 97], prototypes) for a in range(0, 1000, 97)]
    )
    assert np.array_equal(whole_sims, chunked_sims)  # row values independent of the batch
    whole = SimilarityStats().add(whole_sims)
    chunked = SimilarityStats()
    for start in range(0, 1000, 130):
        chunked.add(whole_sims[start : start + 130])
    for a, b in zip(whole.moments(), chunked.moments(), strict=True):
        assert np.array_equal(a, b)
    mean, spread = whole.moments()
    assert np.allclose(mean, whole_sims.mean(axis=0), atol=1e-6)
    assert np.allclose(spread, whole_sims.std(axis=0), atol=1e-6)
