"""The DuckDB project store: vectors, saved results, projects and topic edits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.pipeline import run_pipeline
from analysis.store import Store, default_store_path
from tests.engine.conftest import HASHING


def test_default_path_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(tmp_path / "mine.duckdb"))
    assert default_store_path() == tmp_path / "mine.duckdb"
    monkeypatch.delenv("INTERVIEW_LENS_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "interview-lens" / "store.duckdb"


def test_vectors_round_trip_exactly(store: Store) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((5, 8)).astype(np.float32)
    keys = [f"k{i}" for i in range(5)]
    store.put_vectors(keys, vectors, "m")
    store.put_vectors(keys[:2], vectors[:2] * 0, "m")  # already cached: kept, not replaced
    found = store.get_vectors([*keys, "missing"], "m")
    assert set(found) == set(keys)
    np.testing.assert_array_equal(np.vstack([found[k] for k in keys]), vectors)
    assert store.get_vectors(keys, "other-model") == {}


@pytest.fixture
def analysed(store: Store, corpus_ingest) -> Store:
    run_pipeline(corpus_ingest, project="fx", store=store, config=HASHING)
    return store


def test_saved_result_reloads_identically(analysed: Store, tmp_path: Path) -> None:
    first = analysed.load_result("fx")
    analysed.close()
    reopened = Store(tmp_path / "store.duckdb")
    again = reopened.load_result("fx")
    assert first is not None and again is not None
    pd.testing.assert_frame_equal(first.segments, again.segments)
    pd.testing.assert_frame_equal(first.participants, again.participants)
    assert isinstance(again.topics["representative_quotes"].iloc[-1], list)
    [info] = reopened.list_projects()
    assert (info.name, info.n_transcripts, info.n_segments) == ("fx", 12, 60)
    assert reopened.load_result("nope") is None
    reopened.close()


def test_rename_and_merge_survive_reopen(analysed: Store, tmp_path: Path) -> None:
    topics = analysed.load_result("fx").topics
    real = sorted(int(t) for t in topics["topic_id"] if t >= 0)
    assert len(real) >= 3, "the fixture corpus should give at least three topics"
    sizes = dict(zip(topics["topic_id"], topics["size"], strict=True))
    analysed.rename_topic("fx", real[0], "Email drafting")
    analysed.merge_topics("fx", [real[1], real[2]], label="Merged theme")
    with pytest.raises(ValueError):
        analysed.merge_topics("fx", [-1, real[0]])
    with pytest.raises(ValueError):
        analysed.rename_topic("fx", 999, "x")
    analysed.close()

    reopened = Store(tmp_path / "store.duckdb")
    result = reopened.load_result("fx")
    by_id = result.topics.set_index("topic_id")
    assert by_id.loc[real[0], "label"] == "Email drafting"
    assert by_id.loc[real[1], "label"] == "Merged theme"
    assert real[2] not in by_id.index
    assert by_id.loc[real[1], "size"] == sizes[real[1]] + sizes[real[2]]
    segs = result.segments
    assert not (segs["topic_id"] == real[2]).any()
    assert set(segs.loc[segs["topic_id"] == real[1], "topic_label"]) == {"Merged theme"}
    assert int(by_id["size"].sum()) == len(segs)
    reopened.close()


def test_delete_project_keeps_shared_vectors(analysed: Store) -> None:
    n_vectors = analysed.count_vectors()
    analysed.delete_project("fx")
    assert analysed.list_projects() == [] and analysed.load_result("fx") is None
    assert analysed.count_vectors() == n_vectors > 0


def test_queries_leave_the_connection_usable(store: Store) -> None:
    """duckdb 2 refuses new work while a result is unfinished: every read must complete."""
    store.put_vectors(["a", "b"], np.ones((2, 3), dtype=np.float32), "m")
    assert store.count_vectors("m") == 2 and not store.has_project("x")
    assert store.get_codebook("x") is None and store.get_state("x") is None
    store.delete_vectors(["a"], "m")
    assert store.count_vectors() == 1
