"""``analyze --streaming`` writes the in-memory run's files with the same columns and rows."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import cli_analyze
from analysis.export import escape_cell
from analysis.outputs import SEGMENTS_ADDED
from tests.engine.conftest import ENGINE_CORPUS

CONTRACT_FILES = (
    "files.csv",
    "transcripts.csv",
    "segments.csv",
    "topics.csv",
    "participants.csv",
    "assignments.csv",
)


def _analyze(out: Path, store: Path, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    cli_analyze.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(
        [
            "analyze",
            str(ENGINE_CORPUS),
            "--out",
            str(out),
            "--store",
            str(store),
            "--embedding-backend",
            "hashing",
            "--no-progress",
            *extra,
        ]
    )
    return int(args.func(args))


def test_streaming_outputs_match_the_in_memory_outputs(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    assert _analyze(tmp_path / "memory", store, "--project", "small") == 0
    assert _analyze(tmp_path / "streaming", store, "--project", "big", "--streaming") == 0
    for name in CONTRACT_FILES:
        memory = pd.read_csv(tmp_path / "memory" / name, keep_default_na=False)
        streamed = pd.read_csv(tmp_path / "streaming" / name, keep_default_na=False)
        assert list(streamed.columns) == list(memory.columns), name
        expected = memory[list(streamed.columns)].map(escape_cell)  # streamed cells are escaped
        assert streamed.astype(str).equals(expected.astype(str)), name
    segments = pd.read_csv(tmp_path / "streaming" / "segments.csv", keep_default_na=False)
    assert set(SEGMENTS_ADDED) <= set(segments.columns)
    run = json.loads((tmp_path / "streaming" / "run.json").read_text(encoding="utf-8"))
    assert set(run["stages"]) == {"ingest", "embed", "topics", "coding"}
    assert run["peak_rss_mb"] > 0 and run["mode"] == "streaming"
