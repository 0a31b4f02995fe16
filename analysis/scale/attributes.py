"""Metadata attributes of a large project, read in SQL from ``scale_transcript_meta``.

Why JSON in SQL: a large project keeps each transcript's metadata (``--metadata`` columns,
dataset columns) as one JSON object per transcript (``attributes_json``), where the
in-memory pipeline has one ``attr.<name>`` column per attribute on its participants. The
pages split charts by those columns, so the SQL aggregates need the value of one attribute
per participant: ``json_extract_string`` with a JSON pointer bound as a parameter, never
an attribute name spliced into SQL text (names come from users' spreadsheets).

Values mean what they mean in memory: missing and empty are the same ("" in the
participant table, the "Unknown" group in charts), and values are trimmed when grouped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.filters import ATTRIBUTE_PREFIX

STATS_COLUMNS = ["column", "n_values", "n_rows"]
TRIM = "regexp_replace({value}, '^\\s+|\\s+$', '', 'g')"
"""SQL that trims whitespace as ``str.strip`` does for the ASCII whitespace of metadata."""


def is_attribute(column: str) -> bool:
    """True for an ``attr.<name>`` participant column."""
    return str(column).startswith(ATTRIBUTE_PREFIX) and len(str(column)) > len(ATTRIBUTE_PREFIX)


def json_pointer(column: str) -> str:
    """The JSON pointer (RFC 6901) of ``attr.<name>``'s key: any name, quoted safely."""
    name = str(column).removeprefix(ATTRIBUTE_PREFIX)
    return "/" + name.replace("~", "~0").replace("/", "~1")


def value_sql(column: str, params: dict[str, Any], *, alias: str = "m",
              param: str = "attr_path") -> str:
    """SQL for the raw value of ``column`` in ``{alias}.attributes_json`` (NULL when absent).

    Binds the pointer as ``$param`` in ``params`` (DuckDB refuses unused parameters, so
    only statements that use the expression get it).
    """
    if not is_attribute(column):
        raise KeyError(f"{column!r} is not a metadata attribute column")
    params[param] = json_pointer(column)
    return f"json_extract_string({alias}.attributes_json, ${param})"


def meta_join(alias: str = "m", on: str = "k.transcript_id") -> str:
    """``LEFT JOIN`` of the participants' metadata rows (one per transcript)."""
    return (f"LEFT JOIN scale_transcript_meta {alias} ON {alias}.project = $project "
            f"AND {alias}.transcript_id = {on}")


def _frame(store: Any, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    with store.locked_connection() as con:
        return con.execute(sql, params).df()


def attribute_names(store: Any, project: str) -> list[str]:
    """Every attribute name of the project's transcripts, sorted (as ``transcripts.csv``
    and the in-memory tables order their ``attr.*`` columns)."""
    names = _frame(store, "SELECT DISTINCT unnest(json_keys(attributes_json)) AS name "
                   "FROM scale_transcript_meta WHERE project = $project", {"project": project})
    return sorted(str(n) for n in names["name"])


def attribute_stats(store: Any, project: str) -> pd.DataFrame:
    """Per ``attr.<name>`` column: distinct non-empty trimmed values (``n_values``) and the
    participants with a non-empty value (``n_rows``), by column name.

    What ``ui.sidebar.attribute_columns`` counts on an in-memory participant table, so a
    large project offers the same attributes as groups without loading their values.
    """
    trimmed = TRIM.format(value="json_extract_string(e.value, '$')")
    stats = _frame(
        store,
        f"WITH v AS (SELECT e.key AS name, {trimmed} AS value FROM scale_participants p "
        "JOIN scale_transcript_meta m ON m.project = p.project "
        "AND m.transcript_id = p.transcript_id, json_each(m.attributes_json) e "
        "WHERE p.project = $project) "
        "SELECT name, count(DISTINCT value) AS n_values, count(*) AS n_rows FROM v "
        "WHERE coalesce(value, '') <> '' GROUP BY name ORDER BY name",
        {"project": project},
    )
    out = pd.DataFrame({"column": [ATTRIBUTE_PREFIX + str(n) for n in stats["name"]],
                        "n_values": stats["n_values"].astype(int),
                        "n_rows": stats["n_rows"].astype(int)})
    return out[STATS_COLUMNS]


def value_columns(names: list[str], params: dict[str, Any], *, alias: str = "m"
                  ) -> tuple[str, dict[str, str]]:
    """SQL select items for ``attr.<name>`` of each name ("" when absent), and the renames
    from their SQL aliases (``a0``, ``a1``...) to the column names. Binds ``$a0``..."""
    items = "".join(
        f", coalesce({value_sql(ATTRIBUTE_PREFIX + n, params, alias=alias, param=f'a{i}')}, "
        f"'') AS a{i}" for i, n in enumerate(names))
    return items, {f"a{i}": ATTRIBUTE_PREFIX + n for i, n in enumerate(names)}


def attribute_values(store: Any, project: str, column: str) -> list[str]:
    """The distinct non-empty trimmed values of ``attr.<name>`` among the project's
    participants, sorted: the options of its sidebar filter (as ``ui.sidebar``'s)."""
    params: dict[str, Any] = {"project": project}
    value = TRIM.format(value=value_sql(column, params))
    frame = _frame(
        store,
        f"SELECT DISTINCT value FROM (SELECT {value} AS value FROM scale_participants p JOIN "
        "scale_transcript_meta m ON m.project = p.project AND m.transcript_id = p.transcript_id "
        "WHERE p.project = $project) WHERE coalesce(value, '') <> ''",
        params,
    )
    return sorted(str(v) for v in frame["value"])


def filter_clause(spec_attributes: Any, params: dict[str, Any]) -> list[str]:
    """WHERE conditions on ``p.transcript_id`` for a FilterSpec's attribute filters: the
    participant's trimmed value is one of the chosen ones (as ``analysis.filters``); binds
    ``$f_path<i>``/``$f_values<i>``."""
    clauses = []
    for i, (column, allowed) in enumerate(a for a in spec_attributes if a[1]):
        value = TRIM.format(value=value_sql(column, params, param=f"f_path{i}"))
        params[f"f_values{i}"] = [str(v) for v in allowed]
        clauses.append(
            "p.transcript_id IN (SELECT m.transcript_id FROM scale_transcript_meta m "
            f"WHERE m.project = $project AND list_contains($f_values{i}, {value}))"
        )
    return clauses
