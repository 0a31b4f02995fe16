"""Streaming (``analysis.scale``) equals the in-memory pipeline on a corpus below the sample."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analysis.scale.db import query_frame
from tests.scale.conftest import BothRuns


def _frame(runs: BothRuns, sql: str) -> pd.DataFrame:
    return query_frame(runs.store, sql, ["big"])


def test_segments_and_cohorts_are_identical(both_runs: BothRuns) -> None:
    streamed = _frame(
        both_runs,
        "SELECT transcript_id, segment_index, question, answer, cohort FROM scale_segments "
        "WHERE project = ? ORDER BY transcript_id, segment_index",
    )
    memory = both_runs.in_memory.segments
    assert len(streamed) == len(memory) == 60
    for column in ("transcript_id", "segment_index", "question", "answer"):
        assert streamed[column].tolist() == memory[column].tolist(), column
    cohorts = dict(
        zip(
            both_runs.in_memory.transcripts["transcript_id"],
            both_runs.in_memory.transcripts["cohort"],
            strict=True,
        )
    )
    assert streamed["cohort"].tolist() == [cohorts[t] for t in memory["transcript_id"]]


def test_topics_and_map_are_identical(both_runs: BothRuns) -> None:
    streamed = _frame(
        both_runs,
        "SELECT topic_id, CAST(x AS DOUBLE) AS x, CAST(y AS DOUBLE) AS y FROM scale_segments "
        "WHERE project = ? ORDER BY transcript_id, segment_index",
    )
    memory = both_runs.in_memory.segments
    assert streamed["topic_id"].tolist() == memory["topic_id"].tolist()
    assert np.array_equal(streamed["x"].to_numpy(), memory["x"].to_numpy(dtype=float))
    assert np.array_equal(streamed["y"].to_numpy(), memory["y"].to_numpy(dtype=float))
    topics = _frame(
        both_runs,
        "SELECT topic_id, label, n_answers, top_words, quotes_json FROM scale_topics "
        "WHERE project = ? ORDER BY topic_id",
    )
    expected = both_runs.in_memory.topics
    assert len(expected) >= 3  # the fixture corpus has real topics, not only the outlier bucket
    assert topics["topic_id"].tolist() == expected["topic_id"].tolist()
    assert topics["label"].tolist() == expected["label"].tolist()
    assert topics["n_answers"].tolist() == expected["size"].tolist()
    assert topics["top_words"].tolist() == expected["top_words"].tolist()
    quotes = [json.loads(q) for q in topics["quotes_json"]]
    assert quotes == [list(q) for q in expected["representative_quotes"]]


def test_codes_and_roles_are_identical(both_runs: BothRuns) -> None:
    streamed = _frame(
        both_runs,
        "SELECT a.transcript_id, a.segment_index, a.code, a.confidence, a.evidence "
        "FROM scale_assignments a JOIN scale_codebook c ON c.project = a.project "
        "AND c.code = a.code WHERE a.project = ? ORDER BY a.transcript_id, a.segment_index, "
        "c.position",
    )
    memory = both_runs.in_memory.assignments
    assert len(streamed) == len(memory) > 20
    for column in ("transcript_id", "segment_index", "code", "evidence"):
        assert streamed[column].tolist() == memory[column].tolist(), column
    assert [round(float(c), 3) for c in streamed["confidence"]] == memory["confidence"].tolist()
    roles = _frame(
        both_runs,
        "SELECT transcript_id, cohort, occupation, occupation_group FROM scale_participants "
        "WHERE project = ? ORDER BY transcript_id",
    )
    people = both_runs.in_memory.participants.sort_values("transcript_id")
    for column in ("transcript_id", "cohort", "occupation", "occupation_group"):
        assert roles[column].tolist() == people[column].tolist(), column
    flags = _frame(
        both_runs, "SELECT DISTINCT transcript_id, code FROM scale_assignments WHERE project = ?"
    )
    have = set(zip(flags["transcript_id"], flags["code"], strict=True))
    codes = both_runs.in_memory.code_ids
    expected = {
        (t, c)
        for _, row in people.iterrows()
        for c in codes
        if row[c] == 1
        for t in [row["transcript_id"]]
    }
    assert have == expected


def test_run_record_and_status(both_runs: BothRuns) -> None:
    run = both_runs.streaming
    assert set(run["stages"]) == {"ingest", "embed", "topics", "coding"}
    assert all(run["stage_peak_rss_mb"][s] > 0 for s in run["stages"])
    status = _frame(
        both_runs, "SELECT status, n_transcripts, n_segments FROM scale_projects WHERE project = ?"
    )
    assert status.iloc[0].tolist() == ["done", 12, 60]
    chunks = _frame(
        both_runs, "SELECT stage, status FROM scale_stages WHERE project = ? ORDER BY stage"
    )
    assert set(chunks["status"]) == {"done"}
