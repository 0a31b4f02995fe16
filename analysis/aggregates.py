"""Tidy aggregate tables the dashboard charts: shares of participants with intervals.

Every share here is a share of PARTICIPANTS (one interview = one vote), never of answers,
because a talkative participant must not count ten times. Shares come with Wilson 95%
intervals: unlike the normal approximation they stay inside [0, 1] and behave at k = 0 or
k = n, which is exactly where small qualitative samples live. Groups smaller than
``min_group_size`` are dropped and reported, so a group of two never shows up as "100%".

All functions are pure (DataFrames in, DataFrames out) so the pages, the CLI and the tests
share one implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

if TYPE_CHECKING:
    from analysis.filters import FilteredView

MISSING_GROUP = "Unknown"
"""Label for participants whose grouping column is empty, so they stay visible as a group."""

PREVALENCE_COLUMNS = ["code", "facet", "label", "n", "total", "share", "ci_low", "ci_high"]
GROUPED_COLUMNS = ["group", "code", "label", "facet", "n", "total", "share", "ci_low", "ci_high"]
COOCCURRENCE_COLUMNS = [
    "code_a",
    "code_b",
    "label_a",
    "label_b",
    "facet_a",
    "facet_b",
    "n_a",
    "n_b",
    "n_both",
    "share_of_a",
    "jaccard",
]
DIFFERENCE_COLUMNS = [
    "code",
    "label",
    "facet",
    "n_a",
    "total_a",
    "share_a",
    "n_b",
    "total_b",
    "share_b",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "p_value",
    "q_value",
]
TOPIC_GROUP_COLUMNS = [
    "topic_id",
    "label",
    "group",
    "n_participants",
    "n_answers",
    "total",
    "share",
]
EVIDENCE_COLUMNS = [
    "transcript_id",
    "cohort",
    "occupation",
    "occupation_group",
    "segment_index",
    "code",
    "question",
    "answer",
    "evidence",
    "confidence",
]


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for k successes out of n (95% with the default z).

    Returns (0.0, 1.0) when n is 0: with no participants nothing is known, and an empty
    group must never look like a precise 0%.
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def wilson_arrays(
    k: np.ndarray, n: np.ndarray | int, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray]:
    """``wilson_interval`` over arrays of counts (same edge rules), for whole tables at once."""
    k = np.asarray(k, dtype=float)
    n = np.broadcast_to(np.asarray(n, dtype=float), k.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / n, 0.0)
        z2 = z * z
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
        low = np.where(k == 0, 0.0, np.maximum(0.0, centre - half))
        high = np.where(k == n, 1.0, np.minimum(1.0, centre + half))
    empty = n == 0
    return np.where(empty, 0.0, low), np.where(empty, 1.0, high)


def newcombe_difference_interval(
    k_a: int, n_a: int, k_b: int, n_b: int, z: float = 1.96
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p_a - p_b (his method 10).

    It is built from the two Wilson intervals, so it inherits their good behaviour at 0%
    and 100% where the Wald interval for a difference collapses to a point.
    """
    p_a = k_a / n_a if n_a else 0.0
    p_b = k_b / n_b if n_b else 0.0
    low_a, high_a = wilson_interval(k_a, n_a, z)
    low_b, high_b = wilson_interval(k_b, n_b, z)
    diff = p_a - p_b
    low = diff - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = diff + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return max(-1.0, low), min(1.0, high)


def benjamini_hochberg(p_values: list[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order.

    Comparing two groups on thirty codes makes thirty tests; BH keeps the expected share
    of false discoveries among the reported gaps at the chosen level. NaN inputs stay NaN
    and do not count as tests.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    valid = ~np.isnan(p)
    m = int(valid.sum())
    if m == 0:
        return q
    p_valid = p[valid]
    order = np.argsort(p_valid, kind="mergesort")
    ranked = p_valid[order] * m / np.arange(1, m + 1)
    # Step-up: each q is the smallest adjusted value at its rank or any larger rank.
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    q[valid] = adjusted
    return q


def _codebook_rows(codebook: pd.DataFrame, facet: str | None) -> pd.DataFrame:
    rows = codebook if facet is None else codebook[codebook["facet"] == facet]
    return rows[["code", "facet", "label"]].reset_index(drop=True)


def _code_matrix(participants: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Participants × codes boolean matrix; codes missing from the frame count as absent."""
    if not codes:
        return np.zeros((len(participants), 0), dtype=bool)
    frame = participants.reindex(columns=codes)
    if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes):
        frame = frame.apply(pd.to_numeric, errors="coerce")
    return frame.fillna(0).to_numpy(dtype=float) > 0


def _prevalence_from_matrix(rows: pd.DataFrame, matrix: np.ndarray, total: int) -> pd.DataFrame:
    counts = matrix.sum(axis=0).astype(int) if matrix.size else np.zeros(len(rows), dtype=int)
    low, high = wilson_arrays(counts, total)
    table = rows.copy()
    table["n"] = counts
    table["total"] = total
    table["share"] = counts / total if total else np.zeros(len(rows))
    table["ci_low"] = low
    table["ci_high"] = high
    return table[PREVALENCE_COLUMNS]


def _group_labels(participants: pd.DataFrame, group_col: str) -> pd.Series:
    if group_col not in participants.columns:
        raise KeyError(f"participants have no column {group_col!r}")
    labels = participants[group_col].astype("string").str.strip()
    return labels.mask(labels.isna() | (labels == ""), MISSING_GROUP).astype(str)


def _ordered_groups(labels: pd.Series) -> list[str]:
    """Groups largest first (ties alphabetically), so charts lead with the solid evidence."""
    counts = labels.value_counts()
    return sorted(counts.index, key=lambda g: (-int(counts[g]), str(g)))


def code_prevalence(
    participants: pd.DataFrame, codebook: pd.DataFrame, facet: str | None = None
) -> pd.DataFrame:
    """Share of participants with each code, in codebook order, with Wilson intervals."""
    rows = _codebook_rows(codebook, facet)
    matrix = _code_matrix(participants, list(rows["code"]))
    return _prevalence_from_matrix(rows, matrix, len(participants))


@dataclass
class GroupedPrevalence:
    """Per-group code shares plus the groups too small to show.

    ``hidden`` lists (group, size) for groups below the minimum size; the page states them
    in a note instead of charting shares that rest on one or two people.
    """

    table: pd.DataFrame
    hidden: list[tuple[str, int]] = field(default_factory=list)
    min_group_size: int = 5

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(self.table["group"])) if len(self.table) else []


def prevalence_by_group(
    participants: pd.DataFrame,
    codebook: pd.DataFrame,
    group_col: str,
    facet: str | None = None,
    min_group_size: int = 5,
) -> GroupedPrevalence:
    """Code shares within each group of ``group_col`` (largest group first)."""
    labels = _group_labels(participants, group_col)
    rows = _codebook_rows(codebook, facet)
    matrix = _code_matrix(participants, list(rows["code"]))
    label_values = labels.to_numpy()
    frames = []
    hidden: list[tuple[str, int]] = []
    for group in _ordered_groups(labels):
        members = label_values == group
        size = int(members.sum())
        if size < min_group_size:
            hidden.append((group, size))
            continue
        table = _prevalence_from_matrix(rows, matrix[members], size)
        table.insert(0, "group", group)
        frames.append(table)
    table = (
        pd.concat(frames, ignore_index=True)[GROUPED_COLUMNS]
        if frames
        else pd.DataFrame(columns=GROUPED_COLUMNS)
    )
    return GroupedPrevalence(table=table, hidden=hidden, min_group_size=min_group_size)


def cooccurrence(
    participants: pd.DataFrame, codebook: pd.DataFrame, facet: str | None = None
) -> pd.DataFrame:
    """Every ordered pair of distinct codes with the participants who have both.

    ``share_of_a`` is P(b | a): of the participants with code a, the share who also have
    b (NaN when nobody has a). ``jaccard`` is symmetric: both / either. Both orders of each
    pair are listed so the table draws directly as a square matrix.
    """
    rows = _codebook_rows(codebook, facet)
    if rows.empty:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    matrix = _code_matrix(participants, list(rows["code"])).astype(np.int64)
    return cooccurrence_from_counts(rows, matrix.T @ matrix)


def cooccurrence_from_counts(rows: pd.DataFrame, both: np.ndarray) -> pd.DataFrame:
    """COOCCURRENCE_COLUMNS from ``both[i, j]`` = participants with codes i and j (diagonal:
    participants with code i), codes in ``rows`` order. Shared by the in-memory table and
    the SQL one (``analysis.scale.queries``), which only differ in how they count."""
    singles = np.diag(both).astype(float)
    a_idx, b_idx = np.nonzero(~np.eye(len(rows), dtype=bool))
    n_both = both[a_idx, b_idx]
    either = singles[a_idx] + singles[b_idx] - n_both
    with np.errstate(divide="ignore", invalid="ignore"):
        share_of_a = np.where(singles[a_idx] > 0, n_both / singles[a_idx], np.nan)
        jaccard = np.where(either > 0, n_both / either, 0.0)
    codes, labels, facets = (rows[c].to_numpy() for c in ("code", "label", "facet"))
    return pd.DataFrame(
        {
            "code_a": codes[a_idx],
            "code_b": codes[b_idx],
            "label_a": labels[a_idx],
            "label_b": labels[b_idx],
            "facet_a": facets[a_idx],
            "facet_b": facets[b_idx],
            "n_a": singles[a_idx].astype(int),
            "n_b": singles[b_idx].astype(int),
            "n_both": n_both.astype(int),
            "share_of_a": share_of_a,
            "jaccard": jaccard,
        },
        columns=COOCCURRENCE_COLUMNS,
    )


def group_differences(
    participants: pd.DataFrame,
    codebook: pd.DataFrame,
    group_col: str,
    group_a: str,
    group_b: str,
    facet: str | None = None,
) -> pd.DataFrame:
    """Codes ranked by the gap in share between two groups, with intervals and tests.

    ``diff`` = share_a - share_b with Newcombe's 95% interval; ``p_value`` is a two-sided
    Fisher exact test per code and ``q_value`` its Benjamini–Hochberg adjustment across
    the codes compared. Rows are sorted by the absolute gap, biggest first.
    """
    labels = _group_labels(participants, group_col)
    rows = _codebook_rows(codebook, facet)
    matrix = _code_matrix(participants, list(rows["code"]))
    in_a = (labels == str(group_a)).to_numpy()
    in_b = (labels == str(group_b)).to_numpy()
    total_a, total_b = int(in_a.sum()), int(in_b.sum())
    counts_a = matrix[in_a].sum(axis=0).astype(int)
    counts_b = matrix[in_b].sum(axis=0).astype(int)
    records = []
    for i, row in enumerate(rows.itertuples(index=False)):
        n_a, n_b = int(counts_a[i]), int(counts_b[i])
        share_a = n_a / total_a if total_a else 0.0
        share_b = n_b / total_b if total_b else 0.0
        if total_a and total_b:
            low, high = newcombe_difference_interval(n_a, total_a, n_b, total_b)
            table = [[n_a, total_a - n_a], [n_b, total_b - n_b]]
            p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
        else:
            low, high, p_value = -1.0, 1.0, float("nan")
        records.append(
            {
                "code": row.code,
                "label": row.label,
                "facet": row.facet,
                "n_a": n_a,
                "total_a": total_a,
                "share_a": share_a,
                "n_b": n_b,
                "total_b": total_b,
                "share_b": share_b,
                "diff": share_a - share_b,
                "diff_ci_low": low,
                "diff_ci_high": high,
                "p_value": p_value,
            }
        )
    table = pd.DataFrame(records, columns=DIFFERENCE_COLUMNS[:-1])
    table["q_value"] = benjamini_hochberg(table["p_value"]) if len(table) else []
    order = table["diff"].abs().sort_values(ascending=False, kind="mergesort").index
    return table.loc[order].reset_index(drop=True)[DIFFERENCE_COLUMNS]


def topic_by_group(
    segments: pd.DataFrame,
    participants: pd.DataFrame,
    group_col: str,
    *,
    include_outliers: bool = False,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """How many participants of each group gave at least one answer in each topic.

    ``share`` = n_participants / total, where total is the group's participant count, so
    groups of different sizes compare fairly. The outlier topic (-1) is left out unless
    asked for: it is "no topic", not a theme.
    """
    labels = _group_labels(participants, group_col)
    group_of = pd.Series(labels.to_numpy(), index=participants["transcript_id"].astype(str))
    group_sizes = labels.value_counts()
    kept_groups = [g for g in _ordered_groups(labels) if group_sizes[g] >= min_group_size]
    seg = segments[["transcript_id", "topic_id", "topic_label"]].copy()
    seg["transcript_id"] = seg["transcript_id"].astype(str)
    seg = seg[seg["transcript_id"].isin(group_of.index)]
    if not include_outliers:
        seg = seg[seg["topic_id"] != -1]
    if seg.empty or not kept_groups:
        return pd.DataFrame(columns=TOPIC_GROUP_COLUMNS)
    seg["group"] = seg["transcript_id"].map(group_of)
    n_answers = seg.groupby(["topic_id", "group"], sort=False).size().rename("n_answers")
    n_people = (
        seg.drop_duplicates(["topic_id", "transcript_id"])
        .groupby(["topic_id", "group"], sort=False)
        .size()
        .rename("n_participants")
    )
    counts = pd.concat([n_people, n_answers], axis=1).reset_index()
    topic_labels = seg.drop_duplicates("topic_id").set_index("topic_id")["topic_label"]
    grid = pd.MultiIndex.from_product(
        [sorted(seg["topic_id"].unique()), kept_groups], names=["topic_id", "group"]
    ).to_frame(index=False)
    table = grid.merge(counts, on=["topic_id", "group"], how="left")
    table[["n_participants", "n_answers"]] = (
        table[["n_participants", "n_answers"]].fillna(0).astype(int)
    )
    table["label"] = table["topic_id"].map(topic_labels).astype(str)
    table["total"] = table["group"].map(group_sizes).astype(int)
    table["share"] = table["n_participants"] / table["total"]
    return table[TOPIC_GROUP_COLUMNS]


def evidence_for_code(
    view: FilteredView, code: str, participants: pd.DataFrame, limit: int = 50
) -> pd.DataFrame:
    """The answers coded with ``code`` among the filtered participants, best evidence first.

    Answers that match the active keyword/topic filter (``match``) come first, then higher
    confidence; ties break on transcript and answer order so the list is stable.
    """
    assigned = view.assignments[view.assignments["code"] == code]
    if assigned.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    segment_cols = ["transcript_id", "segment_index", "question", "answer"]
    if "match" in view.segments.columns:
        segment_cols.append("match")
    merged = assigned.merge(
        view.segments[segment_cols], on=["transcript_id", "segment_index"], how="inner"
    )
    role_cols = [
        c
        for c in ("transcript_id", "cohort", "occupation", "occupation_group")
        if c in participants.columns
    ]
    merged = merged.merge(participants[role_cols], on="transcript_id", how="left")
    for column in EVIDENCE_COLUMNS:
        if column not in merged.columns:
            merged[column] = ""
    if "match" not in merged.columns:
        merged["match"] = True
    merged = merged.sort_values(
        ["match", "confidence", "transcript_id", "segment_index"],
        ascending=[False, False, True, True],
        kind="mergesort",
    )
    return merged[EVIDENCE_COLUMNS].head(limit).reset_index(drop=True)
