"""Participant-level tables of a large project, in the in-memory shapes, built with SQL.

Why: Compare groups, Findings, Paper parity, the Economic Index lens and Saturation are
statistics over *participants* (who has which code, in which group). A large project has
up to ~100k participants, so the participant table (``PARTICIPANTS_BASE_COLUMNS`` + one
0/1 column per code id, as ``AnalysisResult.participants``) is a small aggregate of the
million answers and may be loaded: the builders of ``analysis.aggregates``,
``analysis.findings``, ``analysis.parity``, ``analysis.econ_index`` and
``analysis.saturation`` then run unchanged on it, so a large project shows the same numbers
as the same project in memory.

Answer rows are never loaded whole. What the builders need from the answers comes in one
of three bounded forms:
- aggregates of the answers (answers per topic, the distinct (participant, topic) pairs
  for saturation, one feedback/iteration flag per ``pattern.iteration`` answer for the
  Economic Index, streamed a chunk at a time);
- the answers of one participant (``transcript_answers``);
- a few candidate answers for a quote (``SqlAnswers``): SQL ranks each participant's best
  answer by the in-memory order (short evidence last, then confidence, or representative
  answers first, then mid-length answers), keeps ``QUOTE_CANDIDATES`` participants, and
  ``analysis.findings`` picks the quotes from those rows with the in-memory code. The SQL
  ranking approximates two details (whitespace trimming, word counts from ``n_words``), so
  it keeps ten times more participants than quotes are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import findings as findings_mod
from analysis.aggregates import group_differences
from analysis.econ_index import (
    ITERATION_CODE,
    ITERATION_KIND_COLUMNS,
    econ_table,
    is_feedback,
)
from analysis.embedding import text_key
from analysis.filters import FilteredView, FilterSpec
from analysis.findings import Findings, Quote, build_findings
from analysis.parity import is_anthropic_interviewer, parity_table
from analysis.saturation import saturation_table
from analysis.scale import attributes, queries
from analysis.scale.db import stream_frames
from analysis.tables import OUTLIER_TOPIC_ID, PARTICIPANTS_BASE_COLUMNS

QUOTE_CANDIDATES = 10 * findings_mod.QUOTES_PER_FINDING
"""Participants whose answers are fetched to choose one finding's quotes from."""
ITERATION_CHUNK_ROWS = 20_000
"""Iteration answers classified per chunk (the Economic Index's feedback-loop split)."""
SEGMENT_KEY_COLUMNS = ["transcript_id", "segment_index", "question", "answer", "topic_id"]
TRANSCRIPT_COLUMNS = ["transcript_id", "segment_index", "question", "answer", "topic_id",
                      "topic_label", "codes"]
_TRIMMED_EVIDENCE = "length(regexp_replace(a.evidence, '^\\s+|\\s+$', '', 'g'))"


def _frame(store: Any, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    with store.locked_connection() as con:
        return con.execute(sql, params).df()


# --- the participant table ------------------------------------------------------------


def participant_frame(store: Any, project: str, spec: FilterSpec) -> pd.DataFrame:
    """The participants in view: ``PARTICIPANTS_BASE_COLUMNS``, one 0/1 column per code id
    in codebook order, then one ``attr.<name>`` column per metadata attribute ("" when a
    participant has none), in ingest order (as ``AnalysisResult.participants``)."""
    kept, params = queries.kept_cte(project, spec)
    names = attributes.attribute_names(store, project)
    people_params = dict(params)  # the attribute pointers are bound in this query only
    values, renames = attributes.value_columns(names, people_params)
    people = _frame(
        store,
        f"WITH {kept} SELECT k.transcript_id, k.cohort, k.occupation, k.occupation_group"
        f"{values} FROM kept k JOIN scale_participants p ON p.project = $project "
        "AND p.transcript_id = k.transcript_id LEFT JOIN scale_transcript_meta m "
        "ON m.project = $project AND m.transcript_id = k.transcript_id "
        "ORDER BY m.position NULLS LAST, p.rowid",
        people_params,
    )
    flags = _frame(
        store,
        f"WITH {kept} SELECT DISTINCT a.transcript_id, a.code FROM scale_assignments a "
        "JOIN kept USING (transcript_id) WHERE a.project = $project",
        params,
    )
    codes = list(queries.codebook(store, project)["code"])
    row_of = pd.Series(np.arange(len(people)), index=people["transcript_id"].astype(str))
    col_of = pd.Series(np.arange(len(codes)), index=pd.Index(codes, dtype=object))
    flags = flags[flags["code"].isin(col_of.index)]
    matrix = np.zeros((len(people), len(codes)), dtype=np.int64)
    matrix[row_of[flags["transcript_id"].astype(str)].to_numpy(),
           col_of[flags["code"]].to_numpy()] = 1
    table = people[PARTICIPANTS_BASE_COLUMNS].reset_index(drop=True)
    extras = people.rename(columns=renames)[list(renames.values())].reset_index(drop=True)
    return pd.concat([table, pd.DataFrame(matrix, columns=codes), extras], axis=1)


def n_total_participants(store: Any, project: str) -> int:
    rows = _frame(store, "SELECT count(*) AS n FROM scale_participants WHERE project = $project",
                  {"project": project})
    return int(rows["n"].iloc[0])


def participant_view(store: Any, project: str, spec: FilterSpec,
                     participants: pd.DataFrame | None = None) -> FilteredView:
    """A ``FilteredView`` with the participants in view and NO answers (empty frames):
    for builders that read only ``view.participants``. ``participants``: the frame of
    ``participant_frame`` for ``spec`` when the caller has it already."""
    if participants is None:
        participants = participant_frame(store, project, spec)
    return FilteredView(
        participants=participants,
        segments=pd.DataFrame(columns=["transcript_id", "segment_index", "question", "answer",
                                       "topic_id", "topic_label", "match"]),
        assignments=pd.DataFrame(columns=["transcript_id", "segment_index", "code",
                                          "confidence", "evidence"]),
        n_participants=len(participants),
        n_total_participants=n_total_participants(store, project),
    )


# --- Compare groups ---------------------------------------------------------------------


def differences(store: Any, project: str, spec: FilterSpec, group_col: str, group_a: str,
                group_b: str, facet: str | None = None) -> pd.DataFrame:
    """``aggregates.group_differences`` over the participants in view."""
    participants = participant_frame(store, project, spec)
    return group_differences(participants, queries.codebook(store, project), group_col,
                             group_a, group_b, facet)


# --- Findings ---------------------------------------------------------------------------


@dataclass
class SqlAnswers:
    """``analysis.findings.AnswerSource`` for a large project (see the module docstring)."""

    store: Any
    project: str
    spec: FilterSpec
    participants: pd.DataFrame
    n_total: int
    topic_labels: dict[int, str] | None = None
    """Topic names to write (the app's redacted shell); None: the stored labels."""
    _n_answers: int | None = field(default=None, repr=False)

    def _params(self) -> tuple[str, dict[str, Any]]:
        return queries.kept_cte(self.project, self.spec)

    def n_answers(self) -> int:
        if self._n_answers is None:
            kept, params = self._params()
            rows = _frame(self.store, f"WITH {kept} SELECT count(*) AS n FROM scale_segments s "
                          "JOIN kept USING (transcript_id) WHERE s.project = $project", params)
            self._n_answers = int(rows["n"].iloc[0])
        return self._n_answers

    def topic_sizes(self) -> pd.DataFrame:
        kept, params = self._params()
        params["outlier"] = OUTLIER_TOPIC_ID
        sizes = _frame(
            self.store,
            f"WITH {kept} SELECT s.topic_id, count(*) AS answers, "
            "count(DISTINCT s.transcript_id) AS people FROM scale_segments s "
            "JOIN kept USING (transcript_id) WHERE s.project = $project "
            "AND s.topic_id IS NOT NULL AND s.topic_id <> $outlier "
            "GROUP BY s.topic_id ORDER BY answers DESC, s.topic_id",
            params,
        )
        labels = (pd.Series(self.topic_labels) if self.topic_labels is not None else
                  queries.topics(self.store, self.project).set_index("topic_id")["label"])
        sizes["topic_id"] = sizes["topic_id"].astype(int)
        sizes["answers"] = sizes["answers"].astype(int)
        sizes["people"] = sizes["people"].astype(int)
        sizes["label"] = sizes["topic_id"].map(labels)
        return sizes[findings_mod.TOPIC_SIZE_COLUMNS]

    def _bounded_view(self, ids: list[str], segments: pd.DataFrame,
                      assignments: pd.DataFrame) -> FilteredView:
        people = self.participants[self.participants["transcript_id"].astype(str).isin(ids)]
        return FilteredView(participants=people.reset_index(drop=True), segments=segments,
                            assignments=assignments, n_participants=len(self.participants),
                            n_total_participants=self.n_total)

    def code_quotes(self, code: str, among: set[str] | None) -> tuple[Quote, ...]:
        kept, params = self._params()
        params.update(code=code, n=QUOTE_CANDIDATES, min_chars=findings_mod.MIN_QUOTE_CHARS)
        restrict = ""
        if among is not None and not among:
            return ()
        if among is not None:
            params["among"] = sorted(among)
            restrict = "AND a.transcript_id IN (SELECT unnest($among))"
        # Empty evidence falls back to the answer in memory: ranked as not short here.
        short = f"({_TRIMMED_EVIDENCE} BETWEEN 1 AND $min_chars - 1)"
        ranked = _frame(
            self.store,
            f"WITH {kept}, c AS (SELECT a.transcript_id, a.segment_index, "
            f"CAST(a.confidence AS DOUBLE) AS confidence, {short} AS short "
            "FROM scale_assignments a JOIN kept USING (transcript_id) "
            f"WHERE a.project = $project AND a.code = $code {restrict}), "
            "best AS (SELECT * FROM c QUALIFY row_number() OVER (PARTITION BY transcript_id "
            "ORDER BY short, confidence DESC, segment_index) = 1) "
            "SELECT transcript_id FROM best ORDER BY short, confidence DESC, transcript_id, "
            "segment_index LIMIT $n",
            params,
        )
        ids = ranked["transcript_id"].astype(str).tolist()
        if not ids:
            return ()
        rows = _frame(
            self.store,
            "SELECT transcript_id, segment_index, code, CAST(confidence AS DOUBLE) AS confidence, "
            "evidence FROM scale_assignments WHERE project = $project AND code = $code "
            "AND list_contains($ids, transcript_id)",
            {"project": self.project, "code": code, "ids": ids},
        )
        segments = queries.with_segments(
            self.store, self.project, rows[["transcript_id", "segment_index"]].drop_duplicates())
        view = self._bounded_view(ids, segments, rows)
        return findings_mod.code_quotes(view, code, among=among)

    def topic_quotes(self, topic_id: int, representative: list[str]) -> tuple[Quote, ...]:
        kept, params = self._params()
        hashes = [text_key(str(text)) for text in representative]
        params.update(topic_id=int(topic_id), n=QUOTE_CANDIDATES, hashes=hashes,
                      n_reps=len(hashes))
        # In memory a representative answer ranks by its place in the list; here by the
        # place of its text key (the exact text is compared again on the candidates).
        ranked = _frame(
            self.store,
            f"WITH {kept}, c AS (SELECT s.transcript_id, s.segment_index, "
            "coalesce(list_position($hashes, s.text_hash), $n_reps + 1) AS rep, "
            "NOT (s.n_words BETWEEN 12 AND 80) AS off_length FROM scale_segments s "
            "JOIN kept USING (transcript_id) WHERE s.project = $project "
            "AND s.topic_id = $topic_id), "
            "best AS (SELECT * FROM c QUALIFY row_number() OVER (PARTITION BY transcript_id "
            "ORDER BY rep, off_length, segment_index) = 1) "
            "SELECT transcript_id FROM best ORDER BY rep, off_length, transcript_id, "
            "segment_index LIMIT $n",
            params,
        )
        ids = ranked["transcript_id"].astype(str).tolist()
        if not ids:
            return ()
        keys = _frame(
            self.store,
            "SELECT transcript_id, segment_index, topic_id, rowid AS _rowid FROM scale_segments "
            "WHERE project = $project AND topic_id = $topic_id "
            "AND list_contains($ids, transcript_id)",
            {"project": self.project, "topic_id": int(topic_id), "ids": ids},
        )
        segments = queries.with_segments(self.store, self.project, keys)
        view = self._bounded_view(ids, segments, pd.DataFrame(columns=["transcript_id"]))
        return findings_mod.topic_quotes(view, int(topic_id), representative)


def large_findings(store: Any, project: str, spec: FilterSpec, *,
                   filters: str = "All participants", min_group_size: int = 5,
                   topic_labels: dict[int, str] | None = None,
                   participants: pd.DataFrame | None = None) -> Findings:
    """``analysis.findings.build_findings`` for the participants in view of a large project.

    ``topic_labels``: names to write for topics (the app's redacted ones); the stored
    representative answers still pick the quotes.
    """
    view = participant_view(store, project, spec, participants)
    answers = SqlAnswers(store, project, spec, view.participants, view.n_total_participants,
                         topic_labels=topic_labels)
    return build_findings(view, queries.codebook(store, project), queries.topics(store, project),
                          filters=filters, min_group_size=min_group_size, answers=answers)


# --- Economic Index ---------------------------------------------------------------------


def iteration_kinds(store: Any, project: str, spec: FilterSpec,
                    chunk_rows: int = ITERATION_CHUNK_ROWS) -> pd.DataFrame:
    """``econ_index.iteration_kinds`` for the participants in view, reduced per chunk to
    distinct (participant, feedback) pairs: at most two rows per participant."""
    kept, params = queries.kept_cte(project, spec)
    params["code"] = ITERATION_CODE
    sql = (f"WITH {kept} SELECT a.transcript_id, s.answer FROM scale_assignments a "
           "JOIN kept USING (transcript_id) LEFT JOIN scale_segments s "
           "ON s.project = a.project AND s.transcript_id = a.transcript_id "
           "AND s.segment_index = a.segment_index "
           "WHERE a.project = $project AND a.code = $code")
    parts = [pd.DataFrame(columns=ITERATION_KIND_COLUMNS).astype({"feedback": bool})]
    for chunk in stream_frames(store, sql, params, chunk_rows):
        kinds = pd.DataFrame({"transcript_id": chunk["transcript_id"].astype(str).to_numpy(),
                              "feedback": is_feedback(chunk["answer"]).to_numpy(dtype=bool)})
        parts.append(kinds.drop_duplicates())
    return pd.concat(parts, ignore_index=True).drop_duplicates().reset_index(drop=True)


def econ(store: Any, project: str, spec: FilterSpec, *, min_group_size: int = 5,
         participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """``econ_index.econ_table`` for the participants in view."""
    if participants is None:
        participants = participant_frame(store, project, spec)
    empty = pd.DataFrame()
    return econ_table(participants, empty, empty, min_group_size=min_group_size,
                      kinds=iteration_kinds(store, project, spec))


# --- Paper parity ---------------------------------------------------------------------


def detected(store: Any, project: str) -> bool:
    """True when the project's ids are those of the public Anthropic Interviewer dataset."""
    ids = _frame(store, "SELECT transcript_id FROM scale_participants WHERE project = $project",
                 {"project": project})["transcript_id"]
    return is_anthropic_interviewer(ids)


def parity(store: Any, project: str) -> pd.DataFrame:
    """``parity.parity_table`` over every participant of the project (not the filter)."""
    return parity_table(participant_frame(store, project, FilterSpec()))


# --- Saturation -----------------------------------------------------------------------


def topic_presence(store: Any, project: str, spec: FilterSpec) -> pd.DataFrame:
    """Distinct (transcript_id, topic_id) of the participants in view, outliers left out:
    all that ``saturation.presence_matrices`` reads from the answers."""
    kept, params = queries.kept_cte(project, spec)
    params["outlier"] = OUTLIER_TOPIC_ID
    pairs = _frame(
        store,
        f"WITH {kept} SELECT DISTINCT s.transcript_id, s.topic_id FROM scale_segments s "
        "JOIN kept USING (transcript_id) WHERE s.project = $project "
        "AND s.topic_id IS NOT NULL AND s.topic_id <> $outlier ORDER BY 1, 2",
        params,
    )
    pairs["topic_id"] = pairs["topic_id"].astype(int)
    return pairs


def saturation(store: Any, project: str, spec: FilterSpec, *, n_orders: int = 20,
               participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """``saturation.saturation_table`` over the participants in view."""
    if participants is None:
        participants = participant_frame(store, project, spec)
    codes: Sequence[str] = list(queries.codebook(store, project)["code"])
    return saturation_table(participants, topic_presence(store, project, spec), codes,
                            n_orders=n_orders)


CURVE_POINTS = 3000
"""Points drawn per saturation chart of a large project, shared by its cohorts' curves (a
chart of 100k points per cohort would be megabytes of Vega-Lite data for a line that
looks the same; Altair refuses more than 5,000 rows)."""


def thin_curves(table: pd.DataFrame, points: int = CURVE_POINTS, keep_last: int = 10
                ) -> pd.DataFrame:
    """Each (cohort, kind, threshold) curve of a saturation table at evenly spaced
    interview counts (``points`` shared by the cohorts of one chart), plus its first and
    last ``keep_last`` rows (the page's "last 10 interviews" figure reads those). Values
    are not changed."""
    if table.empty:
        return table
    per_curve = max(2 * keep_last, points // max(1, table["cohort"].nunique()) - keep_last)
    keep = np.zeros(len(table), dtype=bool)
    for rows in table.groupby(["cohort", "kind", "threshold"], sort=False).indices.values():
        step = max(1, -(-len(rows) // per_curve))  # ceil: at most per_curve rows
        mine = np.zeros(len(rows), dtype=bool)
        mine[::step] = True
        mine[-keep_last:] = True
        keep[rows] = mine
    return table[keep].reset_index(drop=True)


def saturation_curves(store: Any, project: str, spec: FilterSpec, *, n_orders: int = 20
                      ) -> pd.DataFrame:
    """``saturation`` thinned for a chart (``thin_curves``)."""
    return thin_curves(saturation(store, project, spec, n_orders=n_orders))


# --- Participants page ------------------------------------------------------------------


def transcript_answers(store: Any, project: str, transcript_id: str) -> pd.DataFrame:
    """One participant's answers in order (``TRANSCRIPT_COLUMNS``), with topic label and
    code labels: a large project keeps no turns, so this is how a transcript is read."""
    params = {"project": project, "tid": str(transcript_id)}
    answers = _frame(
        store,
        "SELECT s.transcript_id, s.segment_index, s.question, s.answer, s.topic_id, "
        "coalesce(t.label, '') AS topic_label FROM scale_segments s "
        "LEFT JOIN scale_topics t ON t.project = s.project AND t.topic_id = s.topic_id "
        "WHERE s.project = $project AND s.transcript_id = $tid ORDER BY s.segment_index",
        params,
    )
    codes = _frame(
        store,
        "SELECT a.segment_index, string_agg(coalesce(b.label, a.code), '; ' "
        "ORDER BY coalesce(b.position, 2147483647), a.code) AS codes "
        "FROM (SELECT DISTINCT segment_index, code FROM scale_assignments "
        "WHERE project = $project AND transcript_id = $tid) a "
        "LEFT JOIN scale_codebook b ON b.project = $project AND b.code = a.code "
        "GROUP BY a.segment_index",
        params,
    ).set_index("segment_index")["codes"]
    answers["codes"] = answers["segment_index"].map(codes).fillna("").astype(str)
    return answers[TRANSCRIPT_COLUMNS]
