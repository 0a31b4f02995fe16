"""Saturation: how many new codes and topics each additional interview brings.

A researcher asks "would more interviews add themes?". The answer depends on the order the
interviews were read in, so the curve is computed over ``n_orders`` seeded random orders
and reported as the median with a 10–90 % band (the novelqualcodes idea, per cohort).

Definitions (documented in the page and the CSV):
- a *code* is discovered at the interview where the ``threshold``-th participant having it
  is read (``threshold=1``: first mention; ``threshold=2``: a second participant confirms
  it, so one idiosyncratic interview does not count as a theme);
- a *topic* is the same for participants with at least one answer in the topic (the
  "no clear topic" bucket, -1, is not a theme);
- ``new`` is the number of items discovered at that interview, ``cumulative`` the number
  discovered so far; ``total`` is what all the cohort's interviews reach.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.tables import OUTLIER_TOPIC_ID

ALL_COHORTS = "All participants"
SATURATION_COLUMNS = [
    "cohort",
    "kind",
    "threshold",
    "n_interviews",
    "median_new",
    "low_new",
    "high_new",
    "median_cumulative",
    "low_cumulative",
    "high_cumulative",
    "total",
    "orders",
]
LOW_Q, HIGH_Q = 0.10, 0.90


def presence_matrices(
    participants: pd.DataFrame, segments: pd.DataFrame, code_ids: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """participant × item 0/1 frames for ``code`` and ``topic`` (index: transcript_id)."""
    people = participants["transcript_id"].astype(str)
    codes = [c for c in code_ids if c in participants.columns]
    code_frame = (
        participants[codes].apply(pd.to_numeric, errors="coerce").fillna(0).gt(0).astype(int)
    )
    code_frame.index = people.to_numpy()
    topic_frame = pd.DataFrame(index=people.to_numpy())
    if len(segments) and "topic_id" in segments:
        real = segments[(segments["topic_id"] != OUTLIER_TOPIC_ID) & segments["topic_id"].notna()]
        if len(real):
            # A 0/1 crosstab built by position: pd.crosstab aggregates in Python (25 s for
            # 86k participants); topics in ascending id order as crosstab sorts them.
            topic_ids = np.sort(real["topic_id"].unique())
            rows = pd.Index(people.to_numpy()).get_indexer(real["transcript_id"].astype(str))
            cols = pd.Index(topic_ids).get_indexer(real["topic_id"])
            matrix = np.zeros((len(people), len(topic_ids)), dtype=int)
            matrix[rows[rows >= 0], cols[rows >= 0]] = 1
            topic_frame = pd.DataFrame(matrix, index=people.to_numpy(), columns=topic_ids)
    return {"code": code_frame, "topic": topic_frame}


def saturation_curve(
    presence: np.ndarray, *, n_orders: int = 20, threshold: int = 1, seed: int = 42
) -> pd.DataFrame:
    """Median and 10–90 % band of new/cumulative discoveries after 1..n interviews.

    ``presence`` is participants × items (0/1). Order ``0`` is the given order; the others
    are permutations from ``numpy.random.default_rng(seed)``, so the result is reproducible.
    """
    presence = np.asarray(presence, dtype=np.int32)
    n = presence.shape[0]
    columns = SATURATION_COLUMNS[3:]
    if n == 0:
        return pd.DataFrame(columns=columns)
    rng = np.random.default_rng(seed)
    orders = [np.arange(n)] + [rng.permutation(n) for _ in range(max(n_orders, 1) - 1)]
    cumulative = np.empty((len(orders), n), dtype=np.int32)
    for k, order in enumerate(orders):
        seen = np.cumsum(presence[order], axis=0) >= threshold  # interviews × items
        cumulative[k] = seen.sum(axis=1)
    new = np.diff(cumulative, axis=1, prepend=0)
    total = int((presence.sum(axis=0) >= threshold).sum())

    def q(values: np.ndarray, level: float) -> np.ndarray:
        return np.quantile(values, level, axis=0, method="linear")

    return pd.DataFrame(
        {
            "n_interviews": np.arange(1, n + 1),
            "median_new": q(new, 0.5),
            "low_new": q(new, LOW_Q),
            "high_new": q(new, HIGH_Q),
            "median_cumulative": q(cumulative, 0.5),
            "low_cumulative": q(cumulative, LOW_Q),
            "high_cumulative": q(cumulative, HIGH_Q),
            "total": total,
            "orders": len(orders),
        },
        columns=columns,
    )


def saturation_table(
    participants: pd.DataFrame,
    segments: pd.DataFrame,
    code_ids: Sequence[str],
    *,
    n_orders: int = 20,
    thresholds: Sequence[int] = (1, 2),
    seed: int = 42,
) -> pd.DataFrame:
    """SATURATION_COLUMNS for every cohort and for all participants together.

    Participants are taken in ``transcript_id`` order before permuting, so the result does
    not depend on how the tables happen to be sorted.
    """
    if not len(participants):
        return pd.DataFrame(columns=SATURATION_COLUMNS)
    participants = participants.sort_values("transcript_id", kind="mergesort")
    matrices = presence_matrices(participants, segments, code_ids)
    cohorts = participants["cohort"].fillna("").astype(str).replace("", "Unknown")
    groups: list[tuple[str, np.ndarray]] = [(ALL_COHORTS, np.ones(len(cohorts), dtype=bool))]
    if cohorts.nunique() > 1:
        groups += [(c, (cohorts == c).to_numpy()) for c in sorted(cohorts.unique())]
    parts = []
    for cohort, mask in groups:
        for kind, frame in matrices.items():
            for threshold in thresholds:
                curve = saturation_curve(
                    frame.to_numpy()[mask], n_orders=n_orders, threshold=threshold, seed=seed
                )
                curve.insert(0, "threshold", threshold)
                curve.insert(0, "kind", kind)
                curve.insert(0, "cohort", cohort)
                parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=SATURATION_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SATURATION_COLUMNS]


def last_new_share(curve: pd.DataFrame, last: int = 10) -> float:
    """Median new items per interview over the last ``last`` interviews, as a share of
    the total found: a plain "is it still growing?" figure for a caption."""
    if curve.empty or not curve["total"].iloc[0]:
        return 0.0
    tail = curve.sort_values("n_interviews").tail(last)
    return float(tail["median_new"].sum() / curve["total"].iloc[0])
