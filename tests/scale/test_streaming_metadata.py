"""``analyze --streaming --metadata FILE`` equals the in-memory run with the same file.

The metadata file exercises every rule of the in-memory join: a role-like column (beats
role inference), a ``cohort`` column (replaces the folder cohort, also on every answer), a
free attribute, an id in another case, a row that matches nothing, and a formula-looking
value (escaped in the CSVs).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.export import escape_cell
from analysis.outputs import write_outputs
from analysis.pipeline import run_pipeline
from analysis.scale.db import query_frame
from analysis.scale.metadata import apply_streaming_metadata
from analysis.scale.run import run_scale
from analysis.store import Store
from tests.engine.conftest import ENGINE_CORPUS, HASHING
from tests.scale.conftest import SMALL_CHUNKS
from tests.scale.test_cli_streaming import CONTRACT_FILES, _analyze

METADATA = (
    "transcript_id,occupation,cohort,team\n"
    "office_000,Registered nurse,clinic,=SUM(A1)\n"
    "OFFICE_004,Carpenter,,north\n"
    "studio_003,,,south\n"
    "ghost_999,Astronaut,,east\n"
)

META_ROWS = "SELECT * FROM scale_transcript_meta WHERE project = ? ORDER BY position"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


def test_streaming_with_metadata_matches_the_in_memory_files(tmp_path: Path) -> None:
    metadata = tmp_path / "participants_meta.csv"
    metadata.write_text(METADATA, encoding="utf-8")
    store = tmp_path / "store.duckdb"
    with Store(store) as opened:  # in memory (no stability re-runs: they change no file here)
        result = run_pipeline(
            [ENGINE_CORPUS], project="small", store=opened, config=HASHING, metadata=metadata
        )
    write_outputs(result, tmp_path / "memory")
    # streaming through the CLI, as a user runs it
    assert (
        _analyze(
            tmp_path / "streaming",
            store,
            "--project",
            "big",
            "--streaming",
            "--metadata",
            str(metadata),
        )
        == 0
    )
    for name in CONTRACT_FILES:
        memory = _read(tmp_path / "memory" / name)
        streamed = _read(tmp_path / "streaming" / name)
        assert list(streamed.columns) == list(memory.columns), name
        expected = memory[list(streamed.columns)].map(escape_cell)
        assert streamed.astype(str).equals(expected.astype(str)), name
    transcripts = _read(tmp_path / "streaming" / "transcripts.csv").set_index("transcript_id")
    assert transcripts.loc["office_000", "attr.role"] == "Registered nurse"
    assert transcripts.loc["office_000", "attr.team"] == "'=SUM(A1)"
    assert transcripts.loc["office_004", "attr.role"] == "Carpenter"  # matched case-blind
    assert transcripts.loc["office_000", "cohort"] == "clinic"
    people = _read(tmp_path / "streaming" / "participants.csv").set_index("transcript_id")
    assert people.loc["office_000", "occupation"] == "Registered nurse"  # beats inference
    assert people.loc["office_000", "cohort"] == "clinic"
    assert people.loc["office_004", "occupation"] == "Carpenter"
    segments = _read(tmp_path / "streaming" / "segments.csv")
    assert set(segments["transcript_id"]) >= {"office_000"}
    run = json.loads((tmp_path / "streaming" / "run.json").read_text(encoding="utf-8"))
    assert run["stage_details"]["ingest"]["metadata_unmatched"] == 1
    assert any("matched no transcript id: ghost_999" in m for m in run["messages"])


def test_answers_take_the_metadata_cohort_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    metadata = tmp_path / "meta.csv"
    metadata.write_text(METADATA, encoding="utf-8")
    store = Store(tmp_path / "store.duckdb")
    try:
        run_scale(
            [ENGINE_CORPUS],
            project="big",
            store=store,
            config=SMALL_CHUNKS,
            metadata=metadata,
            stop_after="ingest",
        )
        cohorts = query_frame(
            store,
            "SELECT DISTINCT cohort FROM scale_segments WHERE project = ? "
            "AND transcript_id = 'office_000'",
            ["big"],
        )
        assert cohorts["cohort"].tolist() == ["clinic"]
        table = {"office_000": {"role": "Registered nurse", "cohort": "clinic", "team": "=SUM(A1)"}}
        before = query_frame(store, META_ROWS, ["big"])
        unmatched, _warnings = apply_streaming_metadata(store, "big", table)
        after = query_frame(store, META_ROWS, ["big"])
        assert unmatched == [] and before.equals(after)
    finally:
        store.close()


def test_an_unreadable_metadata_file_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.duckdb")
    try:
        run = run_scale(
            [ENGINE_CORPUS],
            project="big",
            store=store,
            config=SMALL_CHUNKS,
            metadata=tmp_path / "absent.csv",
            stop_after="ingest",
        )
    finally:
        store.close()
    assert run["stage_details"]["ingest"]["transcripts"] == 12
    assert any("metadata file absent.csv not used" in m for m in run["messages"])
