"""Self-training mechanics on synthetic answer vectors (no model, no corpus).

Two clusters stand for "answers about code A" and "everything else"; the cues hit only some
of the A answers. The classifier must find the missed A answers, never add where a cue
already fired, give the same answer per chunk as on the whole corpus, and stay silent for
codes with too few pseudo-positives.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.coding.selftrain import (
    SelfTrainSettings,
    fit_self_training,
    precision_cut,
    pseudo_labels,
)

DIM = 16


def _corpus(seed: int = 0) -> tuple[np.ndarray, list[tuple[int, str, float]], np.ndarray]:
    """400 answers: rows 0-99 are about code A (cues hit rows 0-59), the rest are not."""
    rng = np.random.default_rng(seed)
    centre_a, centre_b = np.zeros(DIM), np.zeros(DIM)
    centre_a[0], centre_b[1] = 3.0, 3.0
    vectors = np.vstack(
        [rng.normal(centre_a, 1.0, (100, DIM)), rng.normal(centre_b, 1.0, (300, DIM))]
    ).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    hits = [(row, "x.a", 0.7) for row in range(60)]
    hits += [(row, "x.rare", 0.7) for row in (100, 101)]
    truth = np.arange(400) < 100
    return vectors, hits, truth


def test_pseudo_labels_split_confident_hits_from_weak_ones():
    hits = [(0, "x.a", 0.7), (1, "x.a", 0.55), (2, "x.other", 0.9)]
    positive, any_hit = pseudo_labels(3, hits, ["x.a"], 0.6)
    assert positive[:, 0].tolist() == [True, False, False]
    assert any_hit[:, 0].tolist() == [True, True, False]


def test_precision_cut_is_the_lowest_score_that_keeps_the_target():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    labels = np.array([True, True, False, True, False])
    assert precision_cut(scores, labels, 0.75) == pytest.approx(0.6)
    assert precision_cut(scores, labels, 1.0) == pytest.approx(0.8)
    assert precision_cut(scores, ~labels, 0.9) == float("inf")


def test_finds_answers_the_cues_missed_and_only_those():
    vectors, hits, truth = _corpus()
    model = fit_self_training(vectors, hits, ["x.a", "x.rare"])
    _, any_hit = pseudo_labels(len(vectors), hits, ["x.a", "x.rare"], 0.6)
    added = model.additions(vectors, any_hit)
    rows = {row for row, code, _ in added if code == "x.a"}
    assert rows, "no missed answer of code A was found"
    assert rows.isdisjoint(range(60)), "added where a cue already fired"
    precision = np.mean([truth[row] for row in rows])
    recall = len(rows & set(range(60, 100))) / 40
    assert precision >= 0.9 and recall >= 0.5, (precision, recall)
    assert all(0.0 <= p <= 1.0 for _, _, p in added)


def test_codes_with_too_few_pseudo_positives_add_nothing():
    vectors, hits, _ = _corpus()
    model = fit_self_training(vectors, hits, ["x.a", "x.rare"])
    assert np.isinf(model.cut[1])
    _, any_hit = pseudo_labels(len(vectors), hits, ["x.a", "x.rare"], 0.6)
    assert all(code == "x.a" for _, code, _ in model.additions(vectors, any_hit))


def test_chunks_give_the_same_additions_as_the_whole_corpus():
    vectors, hits, _ = _corpus()
    model = fit_self_training(vectors, hits, ["x.a"])
    _, any_hit = pseudo_labels(len(vectors), hits, ["x.a"], 0.6)
    whole = model.additions(vectors, any_hit)
    chunked = []
    for start in range(0, len(vectors), 150):
        part = model.additions(vectors[start : start + 150], any_hit[start : start + 150])
        chunked += [(row + start, code, p) for row, code, p in part]
    assert chunked == whole


def test_deterministic_and_stricter_target_adds_less():
    vectors, hits, _ = _corpus()
    _, any_hit = pseudo_labels(len(vectors), hits, ["x.a"], 0.6)
    first = fit_self_training(vectors, hits, ["x.a"])
    again = fit_self_training(vectors, hits, ["x.a"])
    np.testing.assert_array_equal(first.weights, again.weights)
    strict = fit_self_training(vectors, hits, ["x.a"], SelfTrainSettings(target_precision=0.99))
    assert len(strict.additions(vectors, any_hit)) <= len(first.additions(vectors, any_hit))
    assert first.additions(vectors[:0], any_hit[:0]) == []
