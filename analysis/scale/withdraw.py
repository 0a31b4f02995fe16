"""Participant withdrawal from a large project: every scale row of theirs, in one transaction.

Why not ``analysis.withdraw.withdraw_participant``: that one rebuilds an in-memory result
and re-saves it; a large project is never loaded whole. Here the participant's rows are
deleted by ``transcript_id`` from every scale table that has one (found in the catalog, so
a table added later is covered too), and the derived places that can hold their words or
counts are updated in the same transaction, following the in-memory rules:

- topics: sizes drop by their answers; a real topic left empty is dropped; a representative
  quote that is one of their answers is replaced by the remaining member nearest the
  topic's centroid (vectors from the cache, over a fixed pool of ``QUOTE_POOL`` members in
  hash order: the centroid of a million-answer topic is estimated, not recomputed); a topic
  word that no remaining answer of the topic contains is dropped, and the label follows;
- question groups: a question only they were asked loses its row (a personal follow-up can
  quote them);
- files: one transcript fewer in their source file, a file left with none disappears;
- the project row: counts, ``run_json`` counts and ``withdrawals``, and ``updated_at`` (the
  dashboard's cache key, so every cached table of the project is recomputed);
- the vector cache: their answers' vectors, unless another remaining answer (any project,
  large or in-memory) has the identical text.

Finally the store file is rewritten (``Store.compact``) so the deleted text leaves no bytes.
The report is ``analysis.withdraw.WithdrawalReport``: the audit line is the same counts-only
sentence as for an in-memory project.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis.embedding.base import normalise_text
from analysis.embedding.units import DEFAULT_MAX_WORDS
from analysis.questions import normalise_question
from analysis.scale.db import transaction
from analysis.scale.question_matrix import question_key_sql
from analysis.store import Store
from analysis.topics import readable_label, representative_quotes
from analysis.withdraw import WithdrawalReport, text_keys_of

QUOTE_POOL = 2000
"""Remaining members of a topic a replacement quote is chosen from (fixed hash order)."""
OUTLIER = -1


def participant_tables(store: Store) -> list[str]:
    """Every scale table with ``project`` and ``transcript_id`` columns (catalog order)."""
    with store.locked_connection() as con:
        rows = con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE table_name LIKE 'scale\\_%' ESCAPE '\\' "
            "AND column_name IN ('project', 'transcript_id') GROUP BY table_name "
            "HAVING count(DISTINCT column_name) = 2 ORDER BY table_name").fetchall()
    return [str(r[0]) for r in rows]


def _frame(store: Store, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    with store.locked_connection() as con:
        return con.execute(sql, params).df()


def _split_words(value: object) -> list[str]:
    return [w.strip() for w in str(value or "").split(",") if w.strip()]


def _project(store: Store, project: str) -> dict[str, Any]:
    frame = _frame(store, "SELECT model_id, config_json, run_json FROM scale_projects "
                   "WHERE project = $project", {"project": project})
    if frame.empty:
        raise KeyError(f"no project named {project!r}")
    row = frame.iloc[0]
    config = json.loads(row["config_json"] or "{}")
    pipeline = config.get("pipeline") if isinstance(config.get("pipeline"), dict) else config
    return {"model_id": str(row["model_id"]), "run": json.loads(row["run_json"] or "{}"),
            "max_words": int(pipeline.get("unit_max_words") or 0)}


def _new_quotes(store: Store, project: str, tid: str, topic: int, quotes: list[str],
                gone_texts: set[str], model_id: str) -> list[str] | None:
    """The topic's quotes with each of the participant's answers replaced (None: unchanged)."""
    kept = [q for q in quotes if normalise_text(q).casefold() not in gone_texts]
    if len(kept) == len(quotes):
        return None
    pool = _frame(store, "SELECT answer, text_hash FROM scale_segments WHERE project = $project "
                  "AND topic_id = $topic AND transcript_id <> $tid "
                  "ORDER BY hash(transcript_id, segment_index), transcript_id, segment_index "
                  "LIMIT $n", {"project": project, "topic": topic, "tid": tid, "n": QUOTE_POOL})
    cached = store.get_vectors(list(dict.fromkeys(pool["text_hash"])), model_id)
    pool = pool[pool["text_hash"].isin(cached)].reset_index(drop=True)
    if pool.empty:
        return kept
    vectors = np.vstack([cached[h] for h in pool["text_hash"]]).astype(np.float32)
    mean = vectors.mean(axis=0)
    centroid = mean / (np.linalg.norm(mean) or 1.0)
    docs = list(pool["answer"].astype(str))
    taken = {normalise_text(q).casefold() for q in kept}
    ranked = representative_quotes(docs, vectors, np.arange(len(docs)), centroid, len(docs))
    fresh = [q for q in ranked if q.casefold() not in taken and q.casefold() not in gone_texts]
    return kept + fresh[: len(quotes) - len(kept)]


def _words_left(store: Store, project: str, tid: str, topic: int, words: list[str],
                gone_texts: list[str]) -> list[str] | None:
    """The topic's words without those no remaining answer contains (None: unchanged).

    Only a word found in the participant's answers can have gone, so only those are looked
    up, in one pass over the topic's remaining answers.
    """
    suspects = [w for w in words if any(w.casefold() in t for t in gone_texts)]
    if not suspects:
        return None
    found = _frame(store, "SELECT w FROM (SELECT unnest($words) AS w) ws WHERE EXISTS "
                   "(SELECT 1 FROM scale_segments s WHERE s.project = $project "
                   "AND s.topic_id = $topic AND s.transcript_id <> $tid "
                   "AND contains(lower(s.answer), ws.w))",
                   {"project": project, "topic": topic, "tid": tid,
                    "words": [w.casefold() for w in suspects]})
    present = set(found["w"])
    kept = [w for w in words if w not in suspects or w.casefold() in present]
    return kept if len(kept) != len(words) else None


def _topic_updates(store: Store, project: str, tid: str, gone: pd.DataFrame,
                   model_id: str) -> tuple[list[dict[str, Any]], int]:
    """New (topic_id, n_answers, label, top_words, quotes_json) rows, and how many topics
    were re-quoted (their quotes or words changed)."""
    topics = _frame(store, "SELECT topic_id, label, top_words, n_answers, quotes_json "
                    "FROM scale_topics WHERE project = $project ORDER BY topic_id",
                    {"project": project})
    lost = gone["topic_id"].dropna().astype(int).value_counts()
    gone_texts = [normalise_text(a).casefold() for a in gone["answer"].astype(str)]
    updates, requoted = [], 0
    for row in topics.to_dict("records"):
        topic = int(row["topic_id"])
        quotes = [str(q) for q in json.loads(row["quotes_json"] or "[]")]
        new_quotes = _new_quotes(store, project, tid, topic, quotes, set(gone_texts), model_id)
        words = (_words_left(store, project, tid, topic, _split_words(row["top_words"]),
                             gone_texts) if topic in lost.index else None)
        if new_quotes is None and words is None and topic not in lost.index:
            continue
        update = {"topic_id": topic, "n_answers": int(row["n_answers"]) - int(lost.get(topic, 0)),
                  "label": str(row["label"]), "top_words": str(row["top_words"]),
                  "quotes_json": json.dumps(new_quotes if new_quotes is not None else quotes)}
        if words is not None:
            update["top_words"] = ", ".join(words)
            if topic != OUTLIER:
                update["label"] = readable_label(words, max(1, len(update["label"].split(","))))
        if new_quotes is not None or words is not None:
            requoted += 1
        updates.append(update)
    return updates, requoted


def _questions_only_theirs(store: Store, params: dict[str, Any], gone: pd.DataFrame
                           ) -> list[str]:
    """Question keys (``normalise_question``) no remaining answer of the project was asked.

    Remaining answers are found by the SQL key, their questions re-keyed in Python, so the
    stored keys are compared the way they were made.
    """
    theirs = {normalise_question(q) for q in gone["question"]}
    if not theirs:
        return []
    sql_keys = _frame(store, f"SELECT DISTINCT {question_key_sql('q')} AS k FROM "
                      "(SELECT unnest($questions) AS q)",
                      {"questions": [str(q) for q in gone["question"]]})
    still = _frame(store, "SELECT DISTINCT question FROM scale_segments s WHERE project = "
                   f"$project AND transcript_id <> $tid AND list_contains($keys, "
                   f"{question_key_sql()})", {**params, "keys": list(sql_keys["k"])})
    return sorted(theirs - {normalise_question(q) for q in still["question"]})


def _keys_in_use(store: Store, candidates: set[str]) -> set[str]:
    """Candidate vector keys another remaining answer still has (any project)."""
    keys = sorted(candidates)
    if not keys:
        return set()
    rows = _frame(store, "SELECT DISTINCT text_hash FROM scale_segments "
                  "WHERE list_contains($keys, text_hash)", {"keys": keys})
    used = set(rows["text_hash"].astype(str))
    for info in store.list_projects():  # in-memory projects, as analysis.withdraw checks
        other = store.load_base_result(info.name)
        state = store.get_state(info.name)
        if other is None or state is None:
            continue
        max_words = int(state.config.get("unit_max_words") or DEFAULT_MAX_WORDS)
        used |= text_keys_of(list(other.segments["answer"].astype(str)), max_words) & candidates
    return used


def withdraw_large_participant(store: Store, project: str, transcript_id: str, *,
                               compact: bool = True) -> WithdrawalReport:
    """Remove ``transcript_id`` and everything derived from it from large ``project``.

    ``KeyError`` when the project or the participant is unknown; access is checked by the
    caller. Every write happens in one transaction (all or nothing); the vector cache is
    part of it, the file rewrite follows.
    """
    info = _project(store, project)
    tid = str(transcript_id)
    params = {"project": project, "tid": tid}
    gone = _frame(store, "SELECT answer, topic_id, question "
                  "FROM scale_segments s WHERE project = $project AND transcript_id = $tid",
                  params)
    known = _frame(store, "SELECT count(*) AS n FROM scale_transcripts WHERE project = $project "
                   "AND transcript_id = $tid", params)
    if gone.empty and not int(known["n"].iloc[0]):
        raise KeyError("no such participant in this project")
    counts = _frame(store, "SELECT (SELECT count(*) FROM scale_assignments WHERE project = "
                    "$project AND transcript_id = $tid) AS assignments, (SELECT coalesce("
                    "sum(n_turns), 0) FROM scale_transcript_meta WHERE project = $project AND "
                    "transcript_id = $tid) AS turns", params).iloc[0]
    files = _frame(store, "SELECT source_file, count(*) AS n FROM scale_transcripts "
                   "WHERE project = $project AND transcript_id = $tid GROUP BY source_file",
                   params)
    dropped_keys = _questions_only_theirs(store, params, gone)
    updates, requoted = _topic_updates(store, project, tid, gone, info["model_id"])
    candidates = text_keys_of(list(gone["answer"].astype(str)), info["max_words"])
    tables = participant_tables(store)

    with transaction(store) as con:
        for table in tables:
            con.execute(f"DELETE FROM {table} WHERE project = $project AND transcript_id = $tid",
                        params)
        for source, n in zip(files["source_file"], files["n"], strict=True):
            con.execute("UPDATE scale_files SET transcripts = transcripts - $n WHERE project = "
                        "$project AND file = $file", {"project": project, "file": str(source),
                                                      "n": int(n)})
        con.execute("DELETE FROM scale_files WHERE project = $project AND transcripts <= 0 "
                    "AND status = 'parsed'", {"project": project})
        if dropped_keys:
            con.execute("DELETE FROM scale_question_groups WHERE project = $project "
                        "AND list_contains($keys, question_key)",
                        {"project": project, "keys": dropped_keys})
        dropped = 0
        for update in updates:
            if update["topic_id"] != OUTLIER and update["n_answers"] <= 0:
                con.execute("DELETE FROM scale_topics WHERE project = $project AND topic_id = $t",
                            {"project": project, "t": update["topic_id"]})
                dropped += 1
                continue
            con.execute("UPDATE scale_topics SET n_answers = $n_answers, label = $label, "
                        "top_words = $top_words, quotes_json = $quotes_json "
                        "WHERE project = $project AND topic_id = $topic_id",
                        {"project": project, **update})
        # vectors still in use, decided inside the transaction (the deletes above count)
        in_use = _keys_in_use(store, candidates)
        doomed = sorted(candidates - in_use)
        if doomed:
            con.execute("DELETE FROM embeddings WHERE model_id = $model AND "
                        "list_contains($keys, text_hash)",
                        {"model": info["model_id"], "keys": doomed})
        sizes = con.execute(
            "SELECT (SELECT count(*) FROM scale_transcripts WHERE project = $project), "
            "(SELECT count(*) FROM scale_segments WHERE project = $project), "
            "(SELECT count(*) FROM scale_topics WHERE project = $project AND topic_id >= 0)",
            {"project": project}).fetchone()
        run = dict(info["run"])
        run["counts"] = {**dict(run.get("counts") or {}), "transcripts": int(sizes[0]),
                         "segments": int(sizes[1]), "topics": int(sizes[2])}
        run["withdrawals"] = int(run.get("withdrawals", 0)) + 1
        con.execute("UPDATE scale_projects SET n_transcripts = $t, n_segments = $s, "
                    "n_topics = $k, run_json = $run, updated_at = $now WHERE project = $project",
                    {"project": project, "t": int(sizes[0]), "s": int(sizes[1]),
                     "k": int(sizes[2]), "run": json.dumps(run, default=str),
                     "now": datetime.now(UTC).replace(tzinfo=None)})
    started = time.perf_counter()
    if compact:
        store.compact()
    return WithdrawalReport(
        turns=int(counts["turns"]),
        answers=len(gone),
        assignments=int(counts["assignments"]),
        vectors_deleted=len(doomed),
        vectors_kept_shared=len(candidates & in_use),
        topics_requoted=requoted,
        topics_dropped=dropped,
        compact_seconds=round(time.perf_counter() - started, 3),
    )


def participant_ids(store: Store, project: str, prefix: str = "", limit: int = 50
                    ) -> tuple[list[str], int]:
    """(the first ``limit`` transcript ids starting with ``prefix``, how many match).

    The Team page offers a large project's participants through this search: a
    selectbox of a hundred thousand ids would send them all to the browser.
    """
    params = {"project": project, "prefix": str(prefix), "limit": int(limit)}
    where = "project = $project AND starts_with(transcript_id, $prefix)"
    ids = _frame(store, f"SELECT transcript_id FROM scale_transcripts WHERE {where} "
                 "ORDER BY transcript_id LIMIT $limit", params)
    total = _frame(store, f"SELECT count(*) AS n FROM scale_transcripts WHERE {where}",
                   {k: v for k, v in params.items() if k != "limit"})
    return [str(t) for t in ids["transcript_id"]], int(total["n"].iloc[0])
