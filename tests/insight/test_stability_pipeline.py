"""Stability, question groups and saturation through run_pipeline and the CLI outputs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import ingest_paths
from analysis.outputs import write_outputs
from analysis.pipeline import recode_project, run_pipeline
from analysis.saturation import SATURATION_COLUMNS
from analysis.store import Store
from tests.engine.conftest import ENGINE_CORPUS
from tests.engine.conftest import HASHING as FAST

HASHING = replace(FAST, stability_runs=3)

STABILITY_KEYS = {"ari_median", "ari_min", "topics_recurring_share", "runs", "sample_size",
                  "seconds"}


@pytest.fixture(scope="module")
def ingest():
    return ingest_paths([ENGINE_CORPUS])


@pytest.mark.slow
def test_stability_is_stored_with_the_fit_and_reused(ingest, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        first = run_pipeline(ingest, project="p", store=store, config=HASHING)
        stability = first.run["stability"]
        assert stability is not None and set(stability) >= STABILITY_KEYS
        assert stability["runs"] == 3
        assert -1.0 <= stability["ari_min"] <= stability["ari_median"] <= 1.0
        assert "stability" in first.run["stages"]
        assert "question_group" in first.segments.columns

        import analysis.pipeline as pipeline

        def no_refit(*_args, **_kwargs):
            raise AssertionError("stability must not be recomputed when topics are kept")

        monkeypatch.setattr(pipeline, "topic_stability", no_refit)
        again = run_pipeline(ingest, project="p", store=store, config=HASHING)
        # warm: loaded with the saved result ("reused"), or carried over when another
        # engineer's edit to the coding code forces a recode ("reused_topics")
        assert {k: again.run["stability"][k] for k in STABILITY_KEYS} == {
            k: stability[k] for k in STABILITY_KEYS}
        recoded = run_pipeline(ingest, project="p", store=store, config=HASHING,
                               codebook_yaml=_small_codebook())
        assert recoded.run["mode"] == "reused_topics"
        carried = recoded.run["stability"]
        assert carried["carried_over"] == "reused_topics"
        assert {k: carried[k] for k in STABILITY_KEYS} == {k: stability[k] for k in STABILITY_KEYS}
        again_recoded = recode_project(store, "p", _small_codebook())
        assert "question_group" in again_recoded.segments.columns


def test_switched_off(ingest) -> None:
    result = run_pipeline(ingest, project="p", config=replace(HASHING, stability_runs=0))
    assert result.run["stability"] is None


def test_outputs_add_question_group_and_saturation(ingest, tmp_path: Path) -> None:
    result = run_pipeline(ingest, project="p", config=replace(HASHING, stability_runs=0))
    write_outputs(result, tmp_path)
    segments = pd.read_csv(tmp_path / "segments.csv")
    assert list(segments.columns[:9]) == ["transcript_id", "segment_index", "question", "answer",
                                          "topic_id", "topic_label", "x", "y", "codes"]
    assert "question_group" in segments.columns and segments["question_group"].notna().all()
    saturation = pd.read_csv(tmp_path / "saturation.csv")
    assert list(saturation.columns) == SATURATION_COLUMNS
    n = len(result.participants)
    everyone = saturation[(saturation["cohort"] == "All participants")
                          & (saturation["kind"] == "code") & (saturation["threshold"] == 1)]
    assert everyone["n_interviews"].tolist() == list(range(1, n + 1))
    assert everyone["median_cumulative"].iloc[-1] == everyone["total"].iloc[0]
    run = json.loads((tmp_path / "run.json").read_text())
    assert "stability" in run


def _small_codebook() -> str:
    return """
version: 1
facets:
  outcome: What AI does for them
codes:
  - id: outcome.saves_time
    facet: outcome
    label: Saves time
    description: The participant says AI saves them time.
    cues: ["saves? (me )?time", "faster"]
"""
