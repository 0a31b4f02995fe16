"""The dashboard's questions about a large project, answered by DuckDB over the scale tables.

Why SQL and not pandas: a large project holds a million answers; the pages only ever need
counts per code, group or topic and one page of quotes, so every function here filters,
joins and counts in the database and returns a DataFrame of at most a few thousand rows.
Each table has the SAME columns and numbers as its in-memory counterpart in
``analysis.aggregates`` (the tests check that), so the chart builders of ``ui.charts``
draw both kinds of project unchanged.

The filter is ``analysis.filters.FilterSpec`` with the same meaning: the unit is the
participant; cohorts and occupation groups are OR-ed within a dimension, codes AND-ed (a
participant has a code when any of their answers carries it: ``SELECT DISTINCT
transcript_id, code FROM scale_assignments``), and the answer-level criteria (topics,
keyword) keep a participant with ANY matching answer and mark those answers ``match``.
A spec with metadata attribute values is refused (the sidebar of a large project offers
no attribute filters); charts can still be split by an attribute (``attr.<name>``), whose
value is read from ``scale_transcript_meta`` (``analysis.scale.attributes``).

Every statement uses bound parameters; the only identifiers spliced into SQL text come
from fixed allow-lists (group columns), never from the caller's strings (attribute names
are bound as JSON pointer parameters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.aggregates import (
    COOCCURRENCE_COLUMNS,
    EVIDENCE_COLUMNS,
    GROUPED_COLUMNS,
    MISSING_GROUP,
    PREVALENCE_COLUMNS,
    TOPIC_GROUP_COLUMNS,
    GroupedPrevalence,
    cooccurrence_from_counts,
    wilson_arrays,
)
from analysis.filters import FilterSpec
from analysis.scale import attributes

GROUP_COLUMNS = ("cohort", "occupation_group")
"""Participant columns of ``scale_participants`` a large project can be split by (and any
``attr.<name>`` metadata attribute, see ``_grouped_cte``)."""
UNKNOWN_ROLES = ("", "Unclear", MISSING_GROUP)
"""Occupation groups that mean "role not known" (as on the Overview page)."""
TOPIC_COLUMNS = ["topic_id", "label", "size", "top_words", "representative_quotes"]
TOPIC_SIZE_COLUMNS = [*TOPIC_COLUMNS, "n_participants"]
TOPIC_QUOTE_COLUMNS = ["transcript_id", "segment_index", "cohort", "occupation",
                       "occupation_group", "question", "answer", "match"]
ANSWER_COLUMNS = ["transcript_id", "segment_index", "cohort", "occupation", "occupation_group",
                  "question", "answer", "codes", "topic", "evidence"]
OPTION_COLUMNS = ["value", "label", "n"]


@dataclass(frozen=True, slots=True)
class Overview:
    """Headline counts of the participants in view (the Overview page's metrics)."""

    n_participants: int
    n_total_participants: int
    n_answers: int
    n_topics: int
    """Real topics (not the outlier bucket) with at least one answer in view."""
    n_known_role: int

    @property
    def share_unclear(self) -> float:
        """Share of participants in view whose occupation group is unknown."""
        if not self.n_participants:
            return 0.0
        return 1.0 - self.n_known_role / self.n_participants


# --- SQL building blocks ---------------------------------------------------------------


def _group_expr(column: str, alias: str = "k", params: dict[str, Any] | None = None) -> str:
    """The group label SQL of ``aggregates._group_labels``: trimmed, empty -> "Unknown".

    An ``attr.<name>`` column (with ``params`` to bind its JSON pointer in) reads the
    attribute from the metadata row aliased ``m`` (``_grouped_cte`` joins it).
    """
    if params is not None and attributes.is_attribute(column):
        value = attributes.value_sql(column, params)
    elif column in GROUP_COLUMNS:
        value = f"{alias}.{column}"
    else:
        raise KeyError(f"large projects cannot be split by {column!r}")
    trimmed = f"regexp_replace(coalesce({value}, ''), '^\\s+|\\s+$', '', 'g')"
    return f"CASE WHEN {trimmed} = '' THEN '{MISSING_GROUP}' ELSE {trimmed} END"


def _grouped_cte(group_col: str, params: dict[str, Any]) -> str:
    """``g AS (...)``: each participant in view (``kept``) with its group label ``grp``."""
    if attributes.is_attribute(group_col):
        return (f"g AS (SELECT k.transcript_id, {_group_expr(group_col, params=params)} AS grp "
                f"FROM kept k {attributes.meta_join()})")
    return f"g AS (SELECT k.transcript_id, {_group_expr(group_col)} AS grp FROM kept k)"


def _match_sql(spec: FilterSpec, params: dict[str, Any], alias: str = "s") -> str | None:
    """The answer-level criterion (topic, keyword) as SQL over segments; None when inactive."""
    parts = []
    if spec.topics:
        params["topics"] = sorted({int(t) for t in spec.topics})
        parts.append(f"list_contains($topics, {alias}.topic_id)")
    keyword = spec.keyword.strip()
    if keyword:
        params["keyword"] = keyword.lower()
        parts.append(f"contains(lower({alias}.answer), $keyword)")
    return " AND ".join(parts) if parts else None


def kept_cte(project: str, spec: FilterSpec) -> tuple[str, dict[str, Any]]:
    """``kept AS (...)``: the participants in view, with their role columns.

    Returns the CTE text and the bound parameters it uses (DuckDB refuses unused names,
    so each statement collects exactly the parameters it mentions).
    """
    params: dict[str, Any] = {"project": project}
    where = ["p.project = $project", *attributes.filter_clause(spec.attributes, params)]
    if spec.cohorts:
        params["cohorts"] = [str(c) for c in spec.cohorts]
        where.append("list_contains($cohorts, p.cohort)")
    if spec.occupation_groups:
        params["groups"] = [str(g) for g in spec.occupation_groups]
        where.append("list_contains($groups, p.occupation_group)")
    if spec.codes:
        codes = sorted({str(c) for c in spec.codes})
        params["codes"] = codes
        params["n_codes"] = len(codes)
        where.append(
            "p.transcript_id IN (SELECT transcript_id FROM scale_assignments "
            "WHERE project = $project AND list_contains($codes, code) "
            "GROUP BY transcript_id HAVING count(DISTINCT code) = $n_codes)"
        )
    match = _match_sql(spec, params)
    if match:
        where.append(
            "p.transcript_id IN (SELECT DISTINCT s.transcript_id FROM scale_segments s "
            f"WHERE s.project = $project AND {match})"
        )
    cte = (
        "kept AS (SELECT p.transcript_id, p.cohort, p.occupation, p.occupation_group "
        f"FROM scale_participants p WHERE {' AND '.join(where)})"
    )
    return cte, params


def _frame(store: Any, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    with store.locked_connection() as con:
        return con.execute(sql, params).df()


def _rows(store: Any, sql: str, params: dict[str, Any]) -> list[tuple]:
    with store.locked_connection() as con:
        return con.execute(sql, params).fetchall()


# --- projects ---------------------------------------------------------------------------


def has_scale_tables(store: Any) -> bool:
    """True once this store file has held a large project (the tables exist)."""
    rows = _rows(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = $name",
                 {"name": "scale_projects"})
    return bool(rows and rows[0][0])


def scale_projects(store: Any) -> pd.DataFrame:
    """Large projects, most recently updated first: name, status, sizes, update time."""
    columns = ["project", "status", "n_transcripts", "n_segments", "n_topics", "updated_at"]
    if not has_scale_tables(store):
        return pd.DataFrame(columns=columns)
    return _frame(store, f"SELECT {', '.join(columns)} FROM scale_projects "
                  "ORDER BY updated_at DESC, project", {})


def project_revision(store: Any, project: str) -> str | None:
    """The project's ``updated_at`` as text (None when it is not a large project).

    Caches key on it, so a re-run of the pipeline invalidates every cached table.
    """
    if not has_scale_tables(store):
        return None
    rows = _rows(store, "SELECT CAST(updated_at AS VARCHAR) FROM scale_projects "
                 "WHERE project = $project", {"project": project})
    return str(rows[0][0]) if rows else None


def codebook(store: Any, project: str) -> pd.DataFrame:
    """``code, facet, label, description`` in display order."""
    return _frame(store, "SELECT code, facet, label, description FROM scale_codebook "
                  "WHERE project = $project ORDER BY position, code", {"project": project})


def topics(store: Any, project: str) -> pd.DataFrame:
    """Every topic (``size`` = all its answers), quotes as a list, by topic id."""
    frame = _frame(store, "SELECT topic_id, label, n_answers AS size, top_words, quotes_json "
                   "FROM scale_topics WHERE project = $project ORDER BY topic_id",
                   {"project": project})
    frame["representative_quotes"] = [list(json.loads(q or "[]")) for q in frame["quotes_json"]]
    frame["topic_id"] = frame["topic_id"].astype(int)
    frame["size"] = frame["size"].astype(int)
    return frame[TOPIC_COLUMNS]


# --- filter options and overview ------------------------------------------------------------


def filter_options(store: Any, project: str) -> dict[str, pd.DataFrame]:
    """Sidebar options with their counts over the whole project (``value, label, n``).

    ``cohort``/``occupation_group``/``code``: participants; ``topic``: answers. Values are
    sorted like the in-memory sidebar (alphabetically; topics and codes by id/position).
    """
    params = {"project": project}
    options: dict[str, pd.DataFrame] = {}
    for column in GROUP_COLUMNS:
        frame = _frame(store, f"SELECT trim({column}) AS value, count(*) AS n "
                       f"FROM scale_participants WHERE project = $project AND trim({column}) <> '' "
                       "GROUP BY 1 ORDER BY 1", params)
        frame["label"] = frame["value"]
        options[column] = frame[OPTION_COLUMNS]
    topic = _frame(store, "SELECT t.topic_id AS value, t.label, coalesce(c.n, 0) AS n "
                   "FROM scale_topics t LEFT JOIN (SELECT topic_id, count(*) AS n "
                   "FROM scale_segments WHERE project = $project GROUP BY topic_id) c "
                   "USING (topic_id) WHERE t.project = $project ORDER BY t.topic_id", params)
    topic["value"] = topic["value"].astype(int)
    options["topic"] = topic[OPTION_COLUMNS]
    code = _frame(store, "SELECT b.code AS value, b.label, coalesce(c.n, 0) AS n, b.facet "
                  "FROM scale_codebook b LEFT JOIN (SELECT code, count(DISTINCT transcript_id) "
                  "AS n FROM scale_assignments WHERE project = $project GROUP BY code) c "
                  "USING (code) WHERE b.project = $project ORDER BY b.position, b.code", params)
    options["code"] = code[[*OPTION_COLUMNS, "facet"]]
    for frame in options.values():
        frame["n"] = frame["n"].astype(int)
    return options


def overview(store: Any, project: str, spec: FilterSpec) -> Overview:
    """Participants, answers, topics and known roles in view, in one statement."""
    kept, params = kept_cte(project, spec)
    params["unknown"] = list(UNKNOWN_ROLES)
    sql = (
        f"WITH {kept}, seg AS (SELECT s.topic_id FROM scale_segments s "
        "JOIN kept USING (transcript_id) WHERE s.project = $project) "
        "SELECT (SELECT count(*) FROM kept), "
        "(SELECT count(*) FROM scale_participants WHERE project = $project), "
        "(SELECT count(*) FROM seg), "
        "(SELECT count(DISTINCT topic_id) FROM seg WHERE topic_id <> -1), "
        "(SELECT count(*) FROM kept WHERE NOT list_contains($unknown, "
        "trim(coalesce(occupation_group, ''))))"
    )
    row = _rows(store, sql, params)[0]
    return Overview(*(int(v or 0) for v in row))


# --- code prevalence --------------------------------------------------------------------------


def _codebook_rows(store: Any, project: str, facet: str | None) -> pd.DataFrame:
    rows = codebook(store, project)
    if facet is not None:
        rows = rows[rows["facet"] == facet]
    return rows[["code", "facet", "label"]].reset_index(drop=True)


def _prevalence_table(rows: pd.DataFrame, counts: pd.Series, total: int) -> pd.DataFrame:
    n = rows["code"].map(counts).fillna(0).astype(int).to_numpy()
    low, high = wilson_arrays(n, total)
    table = rows.copy()
    table["n"] = n
    table["total"] = int(total)
    table["share"] = n / total if total else np.zeros(len(rows))
    table["ci_low"] = low
    table["ci_high"] = high
    return table[PREVALENCE_COLUMNS]


def code_prevalence(
    store: Any, project: str, spec: FilterSpec, facet: str | None = None
) -> pd.DataFrame:
    """``aggregates.code_prevalence`` in SQL: share of participants in view with each code."""
    rows = _codebook_rows(store, project, facet)
    kept, params = kept_cte(project, spec)
    counts = _frame(
        store,
        f"WITH {kept} SELECT a.code, count(DISTINCT a.transcript_id) AS n, "
        "(SELECT count(*) FROM kept) AS total FROM kept "
        "LEFT JOIN scale_assignments a ON a.transcript_id = kept.transcript_id "
        "AND a.project = $project GROUP BY a.code",
        params,
    )
    total = int(counts["total"].iloc[0]) if len(counts) else 0
    counts = counts.dropna(subset=["code"]).set_index("code")["n"]
    return _prevalence_table(rows, counts, total)


def _group_counts(store: Any, project: str, spec: FilterSpec, group_col: str
                  ) -> tuple[pd.DataFrame, pd.Series]:
    """(group, code, n) participant counts and the group sizes, largest group first."""
    kept, params = kept_cte(project, spec)
    grouped = _grouped_cte(group_col, params)
    counts = _frame(
        store,
        f"WITH {kept}, {grouped} SELECT g.grp, a.code, count(DISTINCT a.transcript_id) AS n "
        "FROM g JOIN scale_assignments a ON a.transcript_id = g.transcript_id "
        "AND a.project = $project GROUP BY g.grp, a.code",
        params,
    )
    return counts, group_sizes(store, project, spec, group_col)


def prevalence_by_group(
    store: Any,
    project: str,
    spec: FilterSpec,
    group_col: str,
    facet: str | None = None,
    min_group_size: int = 5,
) -> GroupedPrevalence:
    """``aggregates.prevalence_by_group`` in SQL (same groups, order, hidden groups)."""
    rows = _codebook_rows(store, project, facet)
    counts, sizes = _group_counts(store, project, spec, group_col)
    frames, hidden = [], []
    for group, size in sizes.items():
        if size < min_group_size:
            hidden.append((str(group), int(size)))
            continue
        mine = counts[counts["grp"] == group].set_index("code")["n"]
        table = _prevalence_table(rows, mine, int(size))
        table.insert(0, "group", str(group))
        frames.append(table)
    table = (pd.concat(frames, ignore_index=True)[GROUPED_COLUMNS] if frames
             else pd.DataFrame(columns=GROUPED_COLUMNS))
    return GroupedPrevalence(table=table, hidden=hidden, min_group_size=min_group_size)


def cooccurrence(
    store: Any, project: str, spec: FilterSpec, facet: str | None = None
) -> pd.DataFrame:
    """``aggregates.cooccurrence`` in SQL: participants in view with both codes of a pair."""
    rows = _codebook_rows(store, project, facet)
    if rows.empty:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    kept, params = kept_cte(project, spec)
    params["facet_codes"] = list(rows["code"])
    pairs = _frame(
        store,
        f"WITH {kept}, f AS (SELECT DISTINCT a.transcript_id, a.code FROM scale_assignments a "
        "JOIN kept USING (transcript_id) WHERE a.project = $project "
        "AND list_contains($facet_codes, a.code)) "
        "SELECT x.code AS code_a, y.code AS code_b, count(*) AS n FROM f x JOIN f y "
        "USING (transcript_id) GROUP BY x.code, y.code",
        params,
    )
    index = {code: i for i, code in enumerate(rows["code"])}
    both = np.zeros((len(rows), len(rows)), dtype=np.int64)
    for a, b, n in pairs.itertuples(index=False):
        both[index[a], index[b]] = int(n)
    return cooccurrence_from_counts(rows, both)


# --- topics -------------------------------------------------------------------------------


def topic_sizes(store: Any, project: str, spec: FilterSpec) -> pd.DataFrame:
    """Topics with ``size`` = answers in view and ``n_participants`` = people in view.

    Like ``ui.topics_view.topic_sizes``: every answer of a participant in view counts, and
    topics with no answer in view are left out.
    """
    kept, params = kept_cte(project, spec)
    counts = _frame(
        store,
        f"WITH {kept} SELECT s.topic_id, count(*) AS size, "
        "count(DISTINCT s.transcript_id) AS n_participants FROM scale_segments s "
        "JOIN kept USING (transcript_id) WHERE s.project = $project "
        "AND s.topic_id IS NOT NULL GROUP BY s.topic_id",
        params,
    ).set_index("topic_id")
    table = topics(store, project)
    table["size"] = table["topic_id"].map(counts["size"]).fillna(0).astype(int)
    table["n_participants"] = (
        table["topic_id"].map(counts["n_participants"]).fillna(0).astype(int))
    return table[table["size"] > 0].reset_index(drop=True)[TOPIC_SIZE_COLUMNS]


def topic_by_group(
    store: Any,
    project: str,
    spec: FilterSpec,
    group_col: str,
    *,
    include_outliers: bool = False,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """``aggregates.topic_by_group`` in SQL: per topic and group, participants and answers."""
    kept, params = kept_cte(project, spec)
    grouped = _grouped_cte(group_col, params)
    outliers = "" if include_outliers else "AND s.topic_id <> -1"
    counts = _frame(
        store,
        f"WITH {kept}, {grouped} SELECT s.topic_id, g.grp AS \"group\", "
        "count(DISTINCT s.transcript_id) AS n_participants, count(*) AS n_answers "
        "FROM scale_segments s JOIN g ON s.transcript_id = g.transcript_id "
        f"WHERE s.project = $project AND s.topic_id IS NOT NULL {outliers} "
        "GROUP BY s.topic_id, g.grp",
        params,
    )
    sizes = group_sizes(store, project, spec, group_col)
    kept_groups = [str(g) for g, size in sizes.items() if size >= min_group_size]
    if counts.empty or not kept_groups:
        return pd.DataFrame(columns=TOPIC_GROUP_COLUMNS)
    labels = topics(store, project).set_index("topic_id")["label"]
    grid = pd.MultiIndex.from_product(
        [sorted(int(t) for t in counts["topic_id"].unique()), kept_groups],
        names=["topic_id", "group"],
    ).to_frame(index=False)
    counts["topic_id"] = counts["topic_id"].astype(int)
    table = grid.merge(counts, on=["topic_id", "group"], how="left")
    table[["n_participants", "n_answers"]] = (
        table[["n_participants", "n_answers"]].fillna(0).astype(int))
    table["label"] = table["topic_id"].map(labels).astype(str)
    table["total"] = table["group"].map(sizes).astype(int)
    table["share"] = table["n_participants"] / table["total"]
    return table[TOPIC_GROUP_COLUMNS]


# --- pages of quotes ------------------------------------------------------------------------


def _matching_keys(spec: FilterSpec, params: dict[str, Any]) -> str:
    """SQL boolean: is the answer (``a.transcript_id``, ``a.segment_index``) a match?"""
    match = _match_sql(spec, params)
    if match is None:
        return "TRUE"
    return ("(a.transcript_id, a.segment_index) IN (SELECT (s.transcript_id, s.segment_index) "
            f"FROM scale_segments s JOIN kept USING (transcript_id) "
            f"WHERE s.project = $project AND {match})")


def with_segments(store: Any, project: str, page: pd.DataFrame) -> pd.DataFrame:
    """The question and answer text of a page of (transcript_id, segment_index) keys.

    Text is fetched for the page's rows only, by row id: a join on the keys would read
    every answer's text of the table (DuckDB scans the columns it projects). A page that
    comes from ``scale_segments`` carries its ``_rowid`` already; otherwise the keys are
    matched first (key columns only). The final merge on the keys keeps the result right
    even if the table changed in between (a row that moved just has no text).
    """
    if page.empty:
        out = page.assign(question=pd.Series(dtype=str), answer=pd.Series(dtype=str))
        return out.drop(columns="_rowid", errors="ignore")
    page = page.assign(segment_index=page["segment_index"].astype(int))
    params: dict[str, Any] = {"project": project}
    with store.locked_connection() as con:
        if "_rowid" in page.columns:
            rowids = [int(r) for r in page["_rowid"]]
        else:
            params.update(ids=page["transcript_id"].astype(str).tolist(),
                          idx=page["segment_index"].tolist())
            rowids = [int(r[0]) for r in con.execute(
                "SELECT s.rowid FROM scale_segments s JOIN (SELECT unnest($ids) AS "
                "transcript_id, unnest($idx) AS segment_index) k ON s.transcript_id = "
                "k.transcript_id AND s.segment_index = k.segment_index "
                "WHERE s.project = $project", params).fetchall()]
        text = con.execute(
            "SELECT transcript_id, segment_index, question, answer FROM scale_segments "
            "WHERE rowid = ANY($rowids) AND project = $project",
            {"project": project, "rowids": rowids}).df()
    text["segment_index"] = text["segment_index"].astype(int)
    page = page.drop(columns="_rowid", errors="ignore")
    return page.merge(text, on=["transcript_id", "segment_index"], how="left")


def count_evidence(store: Any, project: str, spec: FilterSpec, code: str) -> int:
    """How many answers of participants in view carry ``code`` (for the pager)."""
    kept, params = kept_cte(project, spec)
    params["code"] = code
    return int(_rows(store, f"WITH {kept} SELECT count(*) FROM scale_assignments a "
                     "JOIN kept USING (transcript_id) "
                     "WHERE a.project = $project AND a.code = $code", params)[0][0])


def evidence_for_code(
    store: Any, project: str, spec: FilterSpec, code: str, limit: int = 50, offset: int = 0
) -> pd.DataFrame:
    """``aggregates.evidence_for_code`` in SQL, one page at a time (``LIMIT``/``OFFSET``).

    Same order: answers matching the topic/keyword filter first, then higher confidence,
    then transcript and answer order, so consecutive pages are disjoint and stable.
    """
    kept, params = kept_cte(project, spec)
    params.update(code=code, limit=int(limit), offset=int(offset))
    match = _matching_keys(spec, params)
    page = _frame(
        store,
        f"WITH {kept} SELECT a.transcript_id, k.cohort, k.occupation, k.occupation_group, "
        f"a.segment_index, a.code, a.evidence, CAST(a.confidence AS DOUBLE) AS confidence, "
        f"{match} AS match FROM scale_assignments a JOIN kept k USING (transcript_id) "
        "WHERE a.project = $project AND a.code = $code "
        "ORDER BY match DESC, a.confidence DESC, a.transcript_id, a.segment_index "
        "LIMIT $limit OFFSET $offset",
        params,
    )
    return with_segments(store, project, page)[EVIDENCE_COLUMNS]


def count_topic_answers(store: Any, project: str, spec: FilterSpec, topic_id: int) -> int:
    """Answers in view in one topic (for the pager)."""
    kept, params = kept_cte(project, spec)
    params["topic_id"] = int(topic_id)
    return int(_rows(store, f"WITH {kept} SELECT count(*) FROM scale_segments s "
                     "JOIN kept USING (transcript_id) WHERE s.project = $project "
                     "AND s.topic_id = $topic_id", params)[0][0])


def topic_quotes(
    store: Any, project: str, spec: FilterSpec, topic_id: int, limit: int = 5, offset: int = 0
) -> pd.DataFrame:
    """One page of the answers in view of a topic: matching answers first, then in
    transcript and answer order; with the speaker's cohort and role."""
    kept, params = kept_cte(project, spec)
    params.update(topic_id=int(topic_id), limit=int(limit), offset=int(offset))
    match = _match_sql(spec, params) or "TRUE"
    page = _frame(
        store,
        f"WITH {kept} SELECT s.transcript_id, s.segment_index, k.cohort, k.occupation, "
        f"k.occupation_group, {match} AS match, s.rowid AS _rowid FROM scale_segments s "
        "JOIN kept k USING (transcript_id) WHERE s.project = $project "
        "AND s.topic_id = $topic_id ORDER BY match DESC, s.transcript_id, s.segment_index "
        "LIMIT $limit OFFSET $offset",
        params,
    )
    page["match"] = page["match"].astype(bool)
    return with_segments(store, project, page)[TOPIC_QUOTE_COLUMNS]


def _answers_where(spec: FilterSpec, params: dict[str, Any], search: str,
                   code: str | None, only_coded: bool) -> str:
    """Which answers of the participants in view the Quotes list shows."""
    where = ["s.project = $project"]
    match = _match_sql(spec, params)
    if match:
        where.append(match)  # with a topic/keyword filter only matching answers are listed
    if search.strip():
        params["search"] = search.strip().lower()
        where.append("contains(lower(s.answer || ' ' || s.question), $search)")
    if code:
        params["code"] = code
        where.append("(s.transcript_id, s.segment_index) IN (SELECT (transcript_id, "
                     "segment_index) FROM scale_assignments WHERE project = $project "
                     "AND code = $code)")
    elif only_coded:
        where.append("(s.transcript_id, s.segment_index) IN (SELECT (transcript_id, "
                     "segment_index) FROM scale_assignments WHERE project = $project)")
    return " AND ".join(where)


def count_answers(store: Any, project: str, spec: FilterSpec, *, search: str = "",
                  code: str | None = None, only_coded: bool = False) -> int:
    """How many answers ``answers_page`` pages through."""
    kept, params = kept_cte(project, spec)
    where = _answers_where(spec, params, search, code, only_coded)
    return int(_rows(store, f"WITH {kept} SELECT count(*) FROM scale_segments s "
                     f"JOIN kept USING (transcript_id) WHERE {where}", params)[0][0])


def answers_page(
    store: Any, project: str, spec: FilterSpec, *, search: str = "", code: str | None = None,
    only_coded: bool = False, limit: int = 20, offset: int = 0,
) -> pd.DataFrame:
    """One page of the Quotes list (``ui.quotes_view.answers_in_view`` for large projects).

    ``codes`` holds the answer's code labels in codebook order; ``evidence`` its
    highest-confidence evidence sentence (for ``code`` when one is chosen); ``topic`` the
    topic label. Ordered by transcript and answer, so pages are disjoint.
    """
    kept, params = kept_cte(project, spec)
    where = _answers_where(spec, params, search, code, only_coded)
    params.update(limit=int(limit), offset=int(offset))
    page = _frame(
        store,
        f"WITH {kept} SELECT s.transcript_id, s.segment_index, k.cohort, k.occupation, "
        "k.occupation_group, s.topic_id, s.rowid AS _rowid FROM scale_segments s "
        "JOIN kept k USING (transcript_id) "
        f"WHERE {where} ORDER BY s.transcript_id, s.segment_index LIMIT $limit OFFSET $offset",
        params,
    )
    page = with_segments(store, project, page)
    if page.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    detail = {"project": project, "ids": sorted(set(page["transcript_id"].astype(str)))}
    coded = _frame(
        store,
        "SELECT a.transcript_id, a.segment_index, a.code, b.label, a.confidence, a.evidence, "
        "coalesce(b.position, 2147483647) AS position FROM scale_assignments a "
        "LEFT JOIN scale_codebook b ON b.project = a.project AND b.code = a.code "
        "WHERE a.project = $project AND list_contains($ids, a.transcript_id)",
        detail,
    )
    coded["segment_index"] = coded["segment_index"].astype(int)
    coded["label"] = coded["label"].fillna(coded["code"])
    keys = ["transcript_id", "segment_index"]
    labels = (coded.sort_values(["position", "code"], kind="mergesort")
              .groupby(keys)["label"].agg("; ".join))
    chosen = coded if not code else coded[coded["code"] == code]
    evidence = (chosen.sort_values("confidence", ascending=False, kind="mergesort")
                .drop_duplicates(keys).set_index(keys)["evidence"])
    index = pd.MultiIndex.from_frame(page[keys])
    page["codes"] = labels.reindex(index).fillna("").astype(str).to_numpy()
    page["evidence"] = evidence.reindex(index).fillna("").astype(str).to_numpy()
    topic_labels = topics(store, project).set_index("topic_id")["label"]
    page["topic"] = [str(topic_labels.get(int(t), "")) if pd.notna(t) else ""
                     for t in page["topic_id"]]
    return page[ANSWER_COLUMNS].reset_index(drop=True)


MAP_OVERSAMPLE = 8
"""The map's thinning keeps about this many times the sample size before sorting."""
MAP_COLUMNS = ["transcript_id", "segment_index", "question", "answer", "topic_id",
               "topic_label", "x", "y"]


def map_sample(store: Any, project: str, spec: FilterSpec, n: int = 3000) -> pd.DataFrame:
    """A fixed pseudo-random sample of ``n`` mapped answers in view, for the topic map.

    Ordered by a hash of the answer's key, so the same filter always draws the same
    points (no seed state, no dependence on thread scheduling).
    """
    kept, params = kept_cte(project, spec)
    params["n"] = int(n)
    sql = (f"WITH {kept} SELECT s.transcript_id, s.segment_index, s.topic_id, "
           "CAST(s.x AS DOUBLE) AS x, CAST(s.y AS DOUBLE) AS y, s.rowid AS _rowid "
           "FROM scale_segments s "
           "JOIN kept USING (transcript_id) WHERE s.project = $project "
           "AND s.x IS NOT NULL AND s.y IS NOT NULL AND s.topic_id IS NOT NULL {thin} "
           "ORDER BY hash(s.transcript_id, s.segment_index), s.transcript_id, "
           "s.segment_index LIMIT $n")
    # First a cheap thinning (every k-th answer by hash) so the sort sees a few times n
    # rows, not a million; when a narrow filter leaves too few, the full set is used.
    total = _rows(store, "SELECT coalesce(max(n_segments), 0) FROM scale_projects "
                  "WHERE project = $project", {"project": project})[0][0]
    k = int(total) // (int(n) * MAP_OVERSAMPLE)
    page = pd.DataFrame()
    if k > 1:
        page = _frame(store, sql.format(thin="AND hash(s.transcript_id, s.segment_index) "
                                             "% CAST($k AS UBIGINT) = 0"), {**params, "k": k})
    if len(page) < n:
        page = _frame(store, sql.format(thin=""), params)
    page = with_segments(store, project, page)
    labels = topics(store, project).set_index("topic_id")["label"]
    page["topic_label"] = page["topic_id"].map(labels).fillna("").astype(str)
    return page.reindex(columns=MAP_COLUMNS)


def group_sizes(store: Any, project: str, spec: FilterSpec, group_col: str) -> pd.Series:
    """Participants in view per group (labels as ``aggregates``), largest group first."""
    kept, params = kept_cte(project, spec)
    grouped = _grouped_cte(group_col, params)
    sizes = _frame(store, f"WITH {kept}, {grouped} SELECT grp, count(*) AS size FROM g "
                   "GROUP BY grp ORDER BY size DESC, grp", params)
    return sizes.set_index("grp")["size"].astype(int)
