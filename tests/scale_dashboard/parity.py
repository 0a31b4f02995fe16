"""Compare every SQL aggregate of ``analysis.scale.queries`` with its pandas counterpart.

Shared by the fixture, demo and corpus tests: the same result is written into the scale
tables (``write_result_tables``) and every table is checked under the given filter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import aggregates
from analysis.filters import FilterSpec, apply_filters
from analysis.results import AnalysisResult
from analysis.scale import queries

FACETS = (None, "culture")
"""All codes, and one facet (a facet is a subset of the codebook rows: one is enough)."""


def _same(sql: pd.DataFrame, mem: pd.DataFrame, keys: list[str]) -> None:
    """Same columns, same row order, same values (floats to 1e-9, counts exactly)."""
    assert list(sql.columns) == list(mem.columns)
    assert len(sql) == len(mem)
    sql, mem = sql.reset_index(drop=True), mem.reset_index(drop=True)
    for column in mem.columns:
        left, right = sql[column], mem[column]
        if pd.api.types.is_float_dtype(right) or pd.api.types.is_float_dtype(left):
            np.testing.assert_allclose(left.astype(float), right.astype(float), atol=1e-9,
                                       err_msg=column)
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column
    assert sql[keys].astype(str).equals(mem[keys].astype(str))


def same_frame(sql: pd.DataFrame, mem: pd.DataFrame) -> None:
    """Same columns and values (floats to 1e-12, dtypes may differ: SQL counts are int64)."""
    assert list(sql.columns) == list(mem.columns)
    pd.testing.assert_frame_equal(sql.reset_index(drop=True), mem.reset_index(drop=True),
                                  check_dtype=False, atol=1e-12)


def check_all(store, project: str, result: AnalysisResult, spec: FilterSpec) -> int:
    """Assert every table equal; returns the participants in view (callers check > 0)."""
    view = apply_filters(result, spec)
    over = queries.overview(store, project, spec)
    assert over.n_participants == view.n_participants
    assert over.n_total_participants == view.n_total_participants
    assert over.n_answers == len(view.segments)
    real = view.segments.loc[view.segments["topic_id"] != -1, "topic_id"]
    assert over.n_topics == real.nunique()
    groups = view.participants["occupation_group"].fillna("").astype(str).str.strip()
    assert over.n_known_role == int((~groups.isin(["", "Unclear", "Unknown"])).sum())

    for facet in FACETS:
        _same(queries.code_prevalence(store, project, spec, facet),
              aggregates.code_prevalence(view.participants, result.codebook, facet), ["code"])
    for facet in FACETS:
        _same(queries.cooccurrence(store, project, spec, facet),
              aggregates.cooccurrence(view.participants, result.codebook, facet),
              ["code_a", "code_b"])
    for column in queries.GROUP_COLUMNS:
        for min_size in (1, 5):
            sql = queries.prevalence_by_group(store, project, spec, column,
                                              min_group_size=min_size)
            mem = aggregates.prevalence_by_group(view.participants, result.codebook, column,
                                                 min_group_size=min_size)
            _same(sql.table, mem.table, ["group", "code"])
            assert sql.hidden == mem.hidden
        outliers = column == "cohort"
        _same(queries.topic_by_group(store, project, spec, column,
                                     include_outliers=outliers, min_group_size=2),
              aggregates.topic_by_group(view.segments, view.participants, column,
                                        include_outliers=outliers, min_group_size=2),
              ["topic_id", "group"])

    sizes = queries.topic_sizes(store, project, spec)
    counts = view.segments.groupby("topic_id").size()
    people = view.segments.groupby("topic_id")["transcript_id"].nunique()
    assert dict(zip(sizes["topic_id"], sizes["size"], strict=True)) == {
        int(t): int(n) for t, n in counts.items()}
    assert dict(zip(sizes["topic_id"], sizes["n_participants"], strict=True)) == {
        int(t): int(n) for t, n in people.items()}

    # Every sixth code plus the filter's own: enough orderings, half the statements.
    for code in dict.fromkeys([*result.code_ids[::6], *spec.codes]):
        full = aggregates.evidence_for_code(view, code, result.participants, limit=10_000)
        assert queries.count_evidence(store, project, spec, code) == len(full)
        sql = queries.evidence_for_code(store, project, spec, code, limit=10_000)
        _same(sql, full, ["transcript_id", "segment_index"])
    return view.n_participants
