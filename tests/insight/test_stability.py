"""Topic stability: high on well-separated clusters, low on noise; the figures it reports."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.config import PipelineConfig
from analysis.stability import compare_runs, pair_ari, recurring, topic_stability

DOCS = [f"answer {i} about how the work gets done with the assistant" for i in range(240)]


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_pair_ari_and_recurrence_on_known_labelings() -> None:
    a = np.array([0, 0, 0, 1, 1, 1])
    assert pair_ari(a, np.array([5, 5, 5, 7, 7, 7])) == pytest.approx(1.0)
    assert pair_ari(a, np.zeros(6, dtype=int)) == 0.0  # one topic: nothing reproduced
    other = np.array([1, 1, 1, 1, 1, 0])
    assert recurring(a, other) == [True, False]  # Jaccard 3/5 and at best 1/3
    aris, share = compare_runs([a, a.copy(), other])
    assert aris[0] == pytest.approx(1.0) and len(aris) == 3
    assert share == pytest.approx(3 / 6)  # one topic of each run recurs in both others


@pytest.mark.slow
def test_separated_clusters_are_stable_and_noise_is_not() -> None:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(4, 24))
    clustered = _unit(np.repeat(centers, 60, axis=0) + 0.15 * rng.normal(size=(240, 24)))
    noise = _unit(rng.normal(size=(240, 24)))
    config = PipelineConfig()
    stable = topic_stability(DOCS, clustered, config, runs=3)
    assert stable is not None
    assert stable.ari_min > 0.9 and stable.topics_recurring_share > 0.9
    shaky = topic_stability(DOCS, noise, config, runs=3)
    assert shaky is not None
    assert shaky.ari_median < 0.5 and shaky.topics_recurring_share < 0.5
    report = stable.as_dict()
    assert set(report) >= {"ari_median", "ari_min", "topics_recurring_share", "runs",
                           "sample_size", "seconds"}
    assert report["runs"] == 3 and report["sample_size"] == 240


def test_subsample_and_switch_off() -> None:
    rng = np.random.default_rng(1)
    vectors = _unit(rng.normal(size=(240, 8)))
    assert topic_stability(DOCS, vectors, PipelineConfig(), runs=1) is None
    assert topic_stability(DOCS[:10], vectors[:10], PipelineConfig(), runs=3) is None
