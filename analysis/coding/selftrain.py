"""Self-training on the user's own corpus: one small classifier per code over answer vectors.

Why: the hand-written cues saturate (docs/EVALUATION.md), and implicit codes ("I give it all
upfront") are missed because no cue names them. Self-training needs no labels and no
download: the lexical coder's confident hits over the whole corpus are pseudo-positive
answers for a code, answers with no hit of that code are pseudo-negatives, and a linear
discriminant on the (already computed) MiniLM answer vectors learns what else such answers
look like. A shrinkage LDA (one shared covariance, one mean difference per code) rather than
a logistic regression: closed form, about a CPU second for 32 codes on 14,495 answers,
where 32 cross-validated logistic regressions took 82 CPU seconds and scored the same.
It adapts to any codebook because it only ever learns from that codebook's cues.

Shape (so chunked coding equals whole-corpus coding): ``fit_self_training`` runs once on the
whole corpus and returns a small ``SelfTrainedCodes`` (one weight vector, bias and cut-off per
code); ``SelfTrainedCodes.additions`` is then applied to any chunk of answers.

The "very confident" cut-off is set without labels: the lowest score at which the
classifier's *cross-validated* precision on its own pseudo-labels still reaches
``target_precision`` (pseudo-negatives contain the very misses we hope to find, so that
precision under-states the true one).

Measured on the dev labels this did **not** raise macro-F1 beyond noise (docs/EVALUATION.md,
"Self-training on the unlabelled corpus"), so ``code_corpus`` does not call it; it is kept
so the result can be re-run (``scripts/coding_experiments.py``) and re-checked when the
codebook or embedding model changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class SelfTrainSettings:
    """Knobs of the self-training; none of them was fitted to dev labels."""

    positive_confidence: float = 0.6
    """A lexical hit at or above this confidence is a pseudo-positive answer."""
    min_positives: int = 20
    """Codes with fewer pseudo-positives get no classifier (too little to learn from)."""
    folds: int = 3
    """Folds of the cross-validation that sets the cut-off (rows assigned round-robin)."""
    target_precision: float = 0.7
    """Cross-validated precision on pseudo-labels the add cut-off must keep."""
    shrinkage: float = 0.1
    """Ridge added to the covariance, as a share of its mean variance."""


@dataclass(frozen=True, slots=True)
class SelfTrainedCodes:
    """Per-code linear classifiers learned on one corpus (rows follow ``code_ids``).

    ``cut`` is a probability; ``inf`` for codes that got no classifier.
    """

    code_ids: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    cut: np.ndarray

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Probability that each answer (row) carries each code (column)."""
        logits = np.asarray(vectors, dtype=np.float32) @ self.weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def additions(self, vectors: np.ndarray, has_hit: np.ndarray) -> list[tuple[int, str, float]]:
        """(row, code, probability) for answers the cues missed but the classifier is sure of.

        ``has_hit`` (answers x codes, bool): the code already fired lexically in that answer
        (any confidence), so nothing is added twice and no cue verdict is overridden.
        """
        if not len(vectors):
            return []
        probs = self.scores(vectors)
        rows, cols = np.nonzero((probs >= self.cut) & ~np.asarray(has_hit, dtype=bool))
        return [
            (int(r), self.code_ids[c], float(probs[r, c])) for r, c in zip(rows, cols, strict=True)
        ]


def pseudo_labels(
    n_rows: int,
    hits: Sequence[tuple[int, str, float]],
    code_ids: Sequence[str],
    positive_confidence: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(positive, any_hit) boolean matrices (answers x codes) from lexical (row, code, conf)."""
    position = {code: i for i, code in enumerate(code_ids)}
    positive = np.zeros((n_rows, len(code_ids)), dtype=bool)
    any_hit = np.zeros_like(positive)
    for row, code, confidence in hits:
        column = position.get(code)
        if column is None:
            continue
        any_hit[row, column] = True
        if confidence >= positive_confidence:
            positive[row, column] = True
    return positive, any_hit


def precision_cut(scores: np.ndarray, labels: np.ndarray, target: float) -> float:
    """Lowest score whose top-ranked set (score >= it) still has precision >= ``target``.

    ``inf`` when not even the top-scored answer is a pseudo-positive.
    """
    order = np.argsort(-scores, kind="stable")
    ranked = np.asarray(labels, dtype=bool)[order]
    true_hits = np.cumsum(ranked)
    false_hits = np.cumsum(~ranked)
    precision = true_hits / np.maximum(true_hits + false_hits, 1e-12)
    good = np.nonzero(precision >= target)[0]
    return float(scores[order][good[-1]]) if len(good) else float("inf")


def _shared_precision(vectors: np.ndarray, shrinkage: float) -> np.ndarray:
    """Inverse of the corpus covariance, shrunk toward its mean variance (stable in 384-d)."""
    centred = vectors - vectors.mean(axis=0)
    covariance = centred.T @ centred / max(len(vectors) - 1, 1)
    dim = covariance.shape[0]
    ridge = shrinkage * float(np.trace(covariance)) / dim
    return np.linalg.inv(covariance + ridge * np.eye(dim, dtype=covariance.dtype))


def _discriminant(
    vectors: np.ndarray, pos_rows: np.ndarray, neg_rows: np.ndarray, precision: np.ndarray
) -> tuple[np.ndarray, float]:
    """Linear discriminant (shared covariance, equal priors): weights and bias of the logit."""
    mean_pos = vectors[pos_rows].mean(axis=0)
    mean_neg = vectors[neg_rows].mean(axis=0)
    weights = precision @ (mean_pos - mean_neg)
    return weights, float(-0.5 * weights @ (mean_pos + mean_neg))


def fit_self_training(
    vectors: np.ndarray,
    hits: Sequence[tuple[int, str, float]],
    code_ids: Sequence[str],
    settings: SelfTrainSettings | None = None,
) -> SelfTrainedCodes:
    """Train one classifier per code on the whole corpus' pseudo-labels; deterministic.

    ``vectors``: L2-normalised answer embeddings (rows = answers); ``hits``: every lexical
    hit as (row, code, confidence) after any similarity re-weighing.
    """
    settings = settings or SelfTrainSettings()
    vectors = np.asarray(vectors, dtype=np.float32)
    n_rows, dim = vectors.shape
    positive, any_hit = pseudo_labels(n_rows, hits, code_ids, settings.positive_confidence)
    weights = np.zeros((len(code_ids), dim), dtype=np.float32)
    bias = np.zeros(len(code_ids), dtype=np.float32)
    cut = np.full(len(code_ids), np.inf)
    fold_of = np.arange(n_rows) % settings.folds
    precision = _shared_precision(vectors, settings.shrinkage)
    for column in range(len(code_ids)):
        pos_rows = np.nonzero(positive[:, column])[0]
        neg_rows = np.nonzero(~any_hit[:, column])[0]
        if len(pos_rows) < settings.min_positives or len(neg_rows) < settings.min_positives:
            continue
        rows = np.concatenate([pos_rows, neg_rows])
        y = np.concatenate([np.ones(len(pos_rows), bool), np.zeros(len(neg_rows), bool)])
        out_of_fold = np.zeros(len(rows))
        for fold in range(settings.folds):
            test = fold_of[rows] == fold
            train_pos = pos_rows[fold_of[pos_rows] != fold]
            train_neg = neg_rows[fold_of[neg_rows] != fold]
            if not test.any() or not len(train_pos) or not len(train_neg):
                continue
            w, b = _discriminant(vectors, train_pos, train_neg, precision)
            out_of_fold[test] = vectors[rows[test]] @ w + b
        w, b = _discriminant(vectors, pos_rows, neg_rows, precision)
        weights[column], bias[column] = w, b
        logit_cut = precision_cut(out_of_fold, y, settings.target_precision)
        cut[column] = 1.0 / (1.0 + np.exp(-logit_cut)) if np.isfinite(logit_cut) else np.inf
    return SelfTrainedCodes(tuple(code_ids), weights, bias, cut)
