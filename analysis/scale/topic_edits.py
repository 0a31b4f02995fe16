"""Rename and merge topics of a large project, in the database, in one transaction.

Why not the small projects' way (``Store.rename_topic``/``merge_topics`` record an edit that
``analysis.topics.apply_topic_edits`` replays on every load): a large project is never
loaded, so there is no load to replay an edit on. The edit is applied to the scale tables
instead, with the same rules, so the pages (which read only SQL) show it at once:

- a rename sets one topic's label;
- a merge keeps the lowest id, sums the sizes, interleaves keywords and quotes biggest topic
  first, takes the given label or the biggest topic's, and deletes the other rows. The new
  row is computed by ``apply_topic_edits`` itself over the project's topic list (a few
  hundred rows), so both kinds of project merge identically by construction;
- every answer of a merged topic takes the kept id, in every scale table holding a per-answer
  ``topic_id`` (found in the catalog, so a table added later is covered too);
- the project row gets its new topic count and a new ``updated_at`` (the dashboard's cache
  key: every cached table of the project is recomputed). ``run_json`` is left alone: it
  records what the run found, as an in-memory project's ``run`` does after an edit.

Validation follows the Store methods (same messages): unknown ids, the outlier topic -1, an
empty label or fewer than two topics raise ``ValueError`` before anything is written; an
unknown project raises ``KeyError``. A project whose streaming run has not finished its
topic stage is refused too: that stage rewrites the topic tables when it ends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pandas as pd

from analysis.scale.db import transaction
from analysis.store import Store, TopicEdit
from analysis.tables import OUTLIER_TOPIC_ID
from analysis.topics import apply_topic_edits

EDITABLE = ("coding", "done")
"""Project states whose topics are final (coding never touches them)."""
TOPIC_TABLE = "scale_topics"


def rename_topic(store: Store, project: str, topic_id: int, label: str) -> None:
    """Give a topic of large ``project`` a researcher's name."""
    label = str(label or "").strip()
    if not label:
        raise ValueError("a topic label cannot be empty")
    _apply(store, project, TopicEdit("rename", (int(topic_id),), label))


def merge_topics(
    store: Store, project: str, topic_ids: Sequence[int], label: str | None = None
) -> None:
    """Merge topics of large ``project`` into the lowest id among them; optional new label."""
    ids = tuple(sorted({int(t) for t in topic_ids}))
    if len(ids) < 2:
        raise ValueError("choose at least two topics to merge")
    _apply(store, project, TopicEdit("merge", ids, (label.strip() or None) if label else None))


def answer_topic_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Scale tables holding a per-answer ``topic_id`` (every one but the topic list)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_columns() WHERE table_name LIKE 'scale\\_%' ESCAPE '\\' "
        "AND column_name IN ('project', 'topic_id') "
        "AND table_name IN (SELECT table_name FROM duckdb_tables()) GROUP BY table_name "
        "HAVING count(DISTINCT column_name) = 2 ORDER BY table_name").fetchall()
    return [str(r[0]) for r in rows if r[0] != TOPIC_TABLE]


def _topics(con: duckdb.DuckDBPyConnection, project: str) -> pd.DataFrame:
    """The project's topics in ``apply_topic_edits``' shape (``size``, quotes as lists)."""
    frame = con.execute(
        "SELECT topic_id, label, n_answers AS size, top_words, quotes_json FROM scale_topics "
        "WHERE project = ? ORDER BY topic_id", [project]).df()
    frame["topic_id"] = frame["topic_id"].astype(int)
    frame["size"] = frame["size"].astype(int)
    frame["representative_quotes"] = [list(json.loads(q or "[]")) for q in frame["quotes_json"]]
    return frame.drop(columns="quotes_json")


def _check(con: duckdb.DuckDBPyConnection, project: str, topics: pd.DataFrame,
           edit: TopicEdit) -> None:
    row = con.execute("SELECT status FROM scale_projects WHERE project = ?", [project]).fetchone()
    if row is None:
        raise KeyError(f"no large project named {project!r}")
    if str(row[0]) not in EDITABLE:
        raise ValueError(f"the project is still being analysed ({row[0]}); edit its topics "
                         "after")
    known = set(topics["topic_id"]) - {OUTLIER_TOPIC_ID}
    unknown = [t for t in edit.topic_ids if t not in known]
    if unknown:
        raise ValueError(f"unknown topic ids {unknown} (the outlier topic -1 cannot be edited)")


def _apply(store: Store, project: str, edit: TopicEdit) -> None:
    with transaction(store) as con:
        topics = _topics(con, project)
        _check(con, project, topics, edit)
        target = min(edit.topic_ids)
        params = {"project": project, "target": target}
        if edit.kind == "rename":
            con.execute("UPDATE scale_topics SET label = $label WHERE project = $project "
                        "AND topic_id = $target", {**params, "label": edit.label})
        else:
            _merge(con, params, topics, edit)
        _touch_project(con, project)


def _merge(con: duckdb.DuckDBPyConnection, params: dict[str, object], topics: pd.DataFrame,
           edit: TopicEdit) -> None:
    """The kept topic's new row, the others deleted, their answers moved to the kept id."""
    _, edited = apply_topic_edits(pd.DataFrame({"topic_id": []}), topics, [edit])
    row = edited.set_index("topic_id").loc[params["target"]]
    con.execute(
        "UPDATE scale_topics SET label = $label, top_words = $words, n_answers = $size, "
        "quotes_json = $quotes WHERE project = $project AND topic_id = $target",
        {**params, "label": str(row["label"]), "words": str(row["top_words"]),
         "size": int(row["size"]),
         "quotes": json.dumps([str(q) for q in row["representative_quotes"]])})
    merged = [t for t in edit.topic_ids if t != params["target"]]
    con.execute("DELETE FROM scale_topics WHERE project = $project "
                "AND list_contains($merged, topic_id)",
                {"project": params["project"], "merged": merged})
    moved = {**params, "merged": merged}
    for table in answer_topic_tables(con):
        con.execute(f"UPDATE {table} SET topic_id = $target WHERE project = $project "
                    "AND list_contains($merged, topic_id)", moved)


def _touch_project(con: duckdb.DuckDBPyConnection, project: str) -> None:
    """New topic count and revision (strictly later, so the cache key always moves)."""
    params = {"project": project}
    n_topics = int(con.execute("SELECT count(*) FROM scale_topics WHERE project = $project "
                               "AND topic_id >= 0", params).fetchone()[0])
    con.execute(
        "UPDATE scale_projects SET n_topics = $n, "
        "updated_at = greatest($now, updated_at + INTERVAL 1 MICROSECOND) "
        "WHERE project = $project",
        {**params, "n": n_topics, "now": datetime.now(UTC).replace(tzinfo=None)})
