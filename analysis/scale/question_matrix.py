"""Question × theme for a large project: ``analysis.questions.question_by_code`` /
``question_by_topic`` and the question-groups table, counted by DuckDB.

Why SQL: the in-memory functions read every answer in view (its question group, codes and
topic). Here the database joins each answer in view to its group through
``scale_question_groups`` (keyed by ``normalise_question``), counts answers per group and
per (group, code) or (group, topic), and returns only the matrix: groups × themes rows.

The question key is computed in SQL with the same rule as ``normalise_question`` (runs of
whitespace to one space, trimmed, lower-cased). Python's whitespace class is spelled out
(RE2's ``\\s`` is ASCII only); lower-casing can still differ for a few scripts (Python's
``"İ".lower()`` is two characters), so the distinct questions whose SQL key finds no group
— none in practice, at most ``MAX_UNMATCHED`` — are looked up again in Python.

Same columns, order and numbers as the in-memory tables for a project written by
``analysis.scale.convert.write_result_tables`` (the tests check that); the filter has the
meaning of ``analysis.scale.queries``: answers of the participants in view.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.filters import FilterSpec
from analysis.questions import MATRIX_COLUMNS, NO_QUESTION, OTHER_GROUP, normalise_question
from analysis.scale.queries import codebook, kept_cte, topics

GROUPS_TABLE_COLUMNS = ["question_group", "answers", "interviews", "most asked wording"]
"""``ui.research_view.question_groups_table``'s columns."""
MAX_UNMATCHED = 10_000
"""Distinct questions re-keyed in Python when the SQL key finds no group (a safety net)."""
PY_SPACE = (
    "[\\t\\n\\x{0B}\\f\\r\\x{1C}-\\x{1F} \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
    "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+"
)
"""RE2 class of the characters Python's ``str.isspace`` (and ``re``'s ``\\s``) accepts."""


def question_key_sql(column: str = "s.question") -> str:
    """SQL for ``normalise_question(column)`` (``column`` is a fixed identifier, never input)."""
    return f"lower(trim(regexp_replace(coalesce({column}, ''), '{PY_SPACE}', ' ', 'g')))"


def _run(store: Any, sql: str, params: dict[str, Any],
         extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """One statement; ``extra`` (question -> group, the Python-keyed rest) as ``extra_groups``."""
    with store.locked_connection() as con:
        if extra is None:
            return con.execute(sql, params).df()
        con.register("extra_groups", extra)
        try:
            return con.execute(sql, params).df()
        finally:
            con.unregister("extra_groups")


def has_question_groups(store: Any, project: str) -> bool:
    """True when the project's questions were grouped (the streaming run, or a converted
    result that had ``question_group``)."""
    with store.locked_connection() as con:
        row = con.execute("SELECT count(*) FROM scale_question_groups WHERE project = ?",
                          [project]).fetchone()
    return bool(row and row[0])


def _grouped_cte(project: str, spec: FilterSpec, store: Any
                 ) -> tuple[str, dict[str, Any], pd.DataFrame | None]:
    """``kept`` and ``seg``: every answer in view with its ``question_group``.

    Returns the CTE text, its parameters and the Python-keyed extra groups (None when the
    SQL keys found a group for every question in view).
    """
    kept, params = kept_cte(project, spec)
    keyed = (
        f"{kept}, keyed AS (SELECT s.transcript_id, s.segment_index, s.topic_id, s.question, "
        f"{question_key_sql()} AS qkey FROM scale_segments s JOIN kept USING (transcript_id) "
        "WHERE s.project = $project)"
    )
    missing = _run(store, f"WITH {keyed} SELECT DISTINCT k.question FROM keyed k "
                   "ANTI JOIN (SELECT question_key FROM scale_question_groups "
                   "WHERE project = $project) g ON g.question_key = k.qkey "
                   f"LIMIT {MAX_UNMATCHED}", params)
    extra = None
    source = "g.question_group"
    join = ""
    if len(missing):
        stored = _run(store, "SELECT question_key, question_group FROM scale_question_groups "
                      "WHERE project = $project AND list_contains($keys, question_key)",
                      {"project": project,
                       "keys": sorted({normalise_question(q) for q in missing["question"]})})
        group_of = dict(zip(stored["question_key"], stored["question_group"], strict=True))
        extra = pd.DataFrame({
            "question": missing["question"].astype(str),
            "question_group": [group_of.get(normalise_question(q), OTHER_GROUP)
                               for q in missing["question"]],
        })
        join = "LEFT JOIN extra_groups x ON x.question = k.question "
        source = "coalesce(g.question_group, x.question_group)"
    cte = (
        f"{keyed}, seg AS (SELECT k.transcript_id, k.segment_index, k.topic_id, k.question, "
        f"{source} AS question_group FROM keyed k LEFT JOIN scale_question_groups g "
        f"ON g.project = $project AND g.question_key = k.qkey {join})"
    )
    return cte, params, extra


def _group_order(totals: pd.Series) -> list[str]:
    """``analysis.questions._group_order``: most answers first, the catch-all groups last."""
    last = [g for g in (OTHER_GROUP, NO_QUESTION) if g in totals.index]
    first = [g for g in totals.index if g not in last]
    return sorted(first, key=lambda g: (-int(totals[g]), g)) + last


def _totals(store: Any, cte: str, params: dict[str, Any], extra: pd.DataFrame | None
            ) -> pd.Series:
    frame = _run(store, f"WITH {cte} SELECT question_group, count(*) AS n FROM seg "
                 "GROUP BY question_group", params, extra)
    return frame.set_index("question_group")["n"].astype(int)


def _matrix(rows: list[list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)


def question_by_code(store: Any, project: str, spec: FilterSpec,
                     facet: str | None = None) -> pd.DataFrame:
    """Share of the answers in view in each question group that carry each code.

    Codes of the facet (all with None) in codebook order; codes no answer in view carries
    are left out; ``n`` answers with the code, ``total`` answers in the group.
    """
    cte, params, extra = _grouped_cte(project, spec, store)
    totals = _totals(store, cte, params, extra)
    if totals.empty:
        return _matrix([])
    counts = _run(store, f"WITH {cte}, coded AS (SELECT DISTINCT transcript_id, segment_index, "
                  "code FROM scale_assignments WHERE project = $project) "
                  "SELECT seg.question_group, coded.code, count(*) AS n FROM seg "
                  "JOIN coded USING (transcript_id, segment_index) "
                  "GROUP BY seg.question_group, coded.code", params, extra)
    per = {(str(g), str(c)): int(n) for g, c, n in
           zip(counts["question_group"], counts["code"], counts["n"], strict=True)}
    present = set(counts["code"].astype(str))
    book = codebook(store, project)
    if facet is not None:
        book = book[book["facet"] == facet]
    order = _group_order(totals)
    rows = []
    for code, label in zip(book["code"], book["label"], strict=True):
        if code not in present:
            continue
        for group in order:
            n, total = per.get((group, code), 0), int(totals[group])
            rows.append([group, code, label, n, total, n / total])
    return _matrix(rows)


def question_by_topic(store: Any, project: str, spec: FilterSpec,
                      max_topics: int | None = None) -> pd.DataFrame:
    """Share of the answers in view in each question group that fall in each topic.

    The outlier bucket is left out; topics ordered by answers in view, the largest
    ``max_topics`` kept; labels ``"#id label"`` as the in-memory table names them.
    """
    cte, params, extra = _grouped_cte(project, spec, store)
    totals = _totals(store, cte, params, extra)
    if totals.empty:
        return _matrix([])
    counts = _run(store, f"WITH {cte} SELECT question_group, topic_id, count(*) AS n FROM seg "
                  "WHERE topic_id >= 0 GROUP BY question_group, topic_id", params, extra)
    counts["topic_id"] = counts["topic_id"].astype(int)
    sizes = counts.groupby("topic_id")["n"].sum()
    ids = sorted(sizes.index, key=lambda t: (-int(sizes[t]), int(t)))[:max_topics]
    per = {(str(g), int(t)): int(n) for g, t, n in
           zip(counts["question_group"], counts["topic_id"], counts["n"], strict=True)}
    table = topics(store, project)
    names = dict(zip(table["topic_id"], table["label"], strict=False))
    order = _group_order(totals)
    rows = []
    for topic in ids:
        label = f"#{int(topic)} {names.get(topic, '')}".strip()
        for group in order:
            n, total = per.get((group, int(topic)), 0), int(totals[group])
            rows.append([group, str(int(topic)), label, n, total, n / total])
    return _matrix(rows)


def question_groups_table(store: Any, project: str, spec: FilterSpec) -> pd.DataFrame:
    """Question groups in view: answers, interviews and the most-asked wording.

    The wording is the group's most frequent question text; ties go to the wording asked
    first in (transcript, answer) order, as ``value_counts`` keeps first-seen order.
    """
    cte, params, extra = _grouped_cte(project, spec, store)
    table = _run(
        store,
        f"WITH {cte}, worded AS (SELECT question_group, question, count(*) AS n, "
        "min((transcript_id, segment_index)) AS first FROM seg GROUP BY question_group, "
        "question), best AS (SELECT question_group, arg_min(question, (-n, first)) AS wording "
        "FROM worded GROUP BY question_group), sized AS (SELECT question_group, "
        "count(*) AS answers, count(DISTINCT transcript_id) AS interviews FROM seg "
        "GROUP BY question_group) SELECT sized.question_group, sized.answers, "
        "sized.interviews, best.wording AS \"most asked wording\" FROM sized "
        "JOIN best USING (question_group) ORDER BY sized.answers DESC, sized.question_group",
        params, extra,
    )
    if table.empty:
        return pd.DataFrame(columns=GROUPS_TABLE_COLUMNS)
    table[["answers", "interviews"]] = table[["answers", "interviews"]].astype(int)
    return table[GROUPS_TABLE_COLUMNS].reset_index(drop=True)
