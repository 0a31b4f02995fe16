"""Run-to-run stability of the topic model: the number a researcher needs before trusting it.

BERTopic users' first complaint is that topics change between runs. We re-run the topic
clustering (exact k-NN -> 5-D UMAP -> HDBSCAN -> outlier reassignment, the same steps and
settings as ``analysis.topics``) ``runs`` times, each with its own seed and a shuffled input
order, and compare the runs on the answers they share:
- ``ari``: adjusted Rand index of the topic assignments between every pair of runs (1 =
  identical partitions, ~0 = no better than chance). A run that finds fewer than two topics
  has no structure to reproduce and scores 0 against any run, so noise never looks stable
  just because every run put everything in one bucket;
- ``topics_recurring_share``: of all topics of all runs, the share that recur in every
  other run, i.e. the other run has a topic whose member set has Jaccard >= 0.5 with it.

Cost: the refits use a seeded subsample of at most ``sample_size`` answers (3,000 by
default), not the corpus. On 3,000 answers one run is an exact k-NN product plus a UMAP
and an HDBSCAN of a few seconds, so three runs stay within the ~30 s the cold pipeline may
spend on this; nothing is embedded (the pipeline's cached vectors are reused). The pipeline
stores the result in ``run.json`` with the topic fit, so a warm re-run costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from analysis.config import PipelineConfig
from analysis.small_talk import small_talk_mask
from analysis.tables import OUTLIER_TOPIC_ID

RECUR_JACCARD = 0.5


@dataclass(frozen=True, slots=True)
class StabilityReport:
    """What ``run.json`` keeps under ``stability`` (see ``as_dict``)."""

    ari_median: float
    ari_min: float
    topics_recurring_share: float
    runs: int
    sample_size: int
    seconds: float
    topics_per_run: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "ari_median": round(self.ari_median, 4),
            "ari_min": round(self.ari_min, 4),
            "topics_recurring_share": round(self.topics_recurring_share, 4),
            "runs": self.runs,
            "sample_size": self.sample_size,
            "seconds": round(self.seconds, 2),
            "topics_per_run": list(self.topics_per_run),
        }


def cluster_once(embeddings: np.ndarray, config: PipelineConfig, seed: int) -> np.ndarray:
    """Topic ids of one clustering run (before naming), as ``analysis.topics`` computes them."""
    from analysis.topics import _umap, cluster_reduced, exact_knn, reassign_outliers

    n = len(embeddings)
    n_neighbors = min(config.umap_n_neighbors, n - 1)
    reduced = _umap(
        embeddings,
        exact_knn(embeddings, n_neighbors),
        n_components=min(config.umap_n_components, n - 2),
        n_neighbors=n_neighbors,
        min_dist=config.umap_min_dist,
        random_state=seed,
    )
    raw = cluster_reduced(reduced, config)
    if not (raw >= 0).any():
        return raw
    return reassign_outliers(embeddings, raw, config.outlier_threshold)


def _n_topics(labels: np.ndarray) -> int:
    return len(set(labels.tolist()) - {OUTLIER_TOPIC_ID})


def pair_ari(a: np.ndarray, b: np.ndarray) -> float:
    """ARI of two runs; 0 when either run found fewer than two topics (nothing to match)."""
    from sklearn.metrics import adjusted_rand_score

    if _n_topics(a) < 2 or _n_topics(b) < 2:
        return 0.0
    return float(adjusted_rand_score(a, b))


def recurring(a: np.ndarray, b: np.ndarray, jaccard: float = RECUR_JACCARD) -> list[bool]:
    """For each real topic of run ``a``: does run ``b`` have a topic with Jaccard >= cut?"""
    out = []
    b_sets = {t: set(np.flatnonzero(b == t).tolist()) for t in set(b.tolist()) - {-1}}
    for topic in sorted(set(a.tolist()) - {OUTLIER_TOPIC_ID}):
        members = set(np.flatnonzero(a == topic).tolist())
        best = max(
            (len(members & other) / len(members | other) for other in b_sets.values()),
            default=0.0,
        )
        out.append(best >= jaccard)
    return out


def compare_runs(labels: Sequence[np.ndarray]) -> tuple[list[float], float]:
    """Pairwise ARIs and the share of topics (over all runs) recurring in every other run."""
    aris = [pair_ari(labels[i], labels[j])
            for i in range(len(labels)) for j in range(i + 1, len(labels))]
    in_all: dict[int, list[bool]] = {}
    for i, j in permutations(range(len(labels)), 2):
        flags = recurring(labels[i], labels[j])
        previous = in_all.setdefault(i, [True] * len(flags))
        in_all[i] = [p and f for p, f in zip(previous, flags, strict=True)]
    flags = [f for run in in_all.values() for f in run]
    share = float(np.mean(flags)) if flags else 0.0
    return aris, share


def topic_stability(
    docs: Sequence[str],
    embeddings: np.ndarray,
    config: PipelineConfig,
    *,
    runs: int = 3,
    sample_size: int = 3000,
) -> StabilityReport | None:
    """Re-cluster a seeded subsample ``runs`` times (seed and input order vary per run).

    Small talk is left out, as in ``fit_topics``. Returns None when there are too few
    answers to fit topics at all (the pipeline then reports no stability).
    """
    started = time.perf_counter()
    keep = np.flatnonzero(~small_talk_mask(list(docs)))
    if runs < 2 or len(keep) < max(config.min_answers_for_topics, 3 * config.min_topic_size):
        return None
    rng = np.random.default_rng(config.random_state)
    if len(keep) > sample_size:
        keep = np.sort(rng.choice(keep, size=sample_size, replace=False))
    vectors = np.ascontiguousarray(embeddings[keep], dtype=np.float32)
    labels: list[np.ndarray] = []
    for run in range(runs):
        order = np.arange(len(keep)) if run == 0 else rng.permutation(len(keep))
        ids = cluster_once(vectors[order], config, seed=config.random_state + run)
        back = np.empty_like(ids)
        back[order] = ids  # into the sample's own order, so runs compare answer by answer
        labels.append(back)
    aris, share = compare_runs(labels)
    return StabilityReport(
        ari_median=float(np.median(aris)),
        ari_min=float(np.min(aris)),
        topics_recurring_share=share,
        runs=runs,
        sample_size=len(keep),
        seconds=time.perf_counter() - started,
        topics_per_run=tuple(_n_topics(lab) for lab in labels),
    )
