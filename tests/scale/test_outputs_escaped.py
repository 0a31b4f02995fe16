"""The in-memory CLI's CSVs are formula-escaped like the streaming run's (one contract)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from analysis.outputs import write_outputs
from analysis.scale.export import write_scale_outputs

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def test_a_formula_answer_is_escaped_in_both_modes_alike(both_runs, tmp_path: Path) -> None:
    result = both_runs.in_memory
    segments = result.segments.copy()
    segments.loc[0, "answer"] = HOSTILE
    write_outputs(dataclasses.replace(result, segments=segments), tmp_path / "memory")
    memory = pd.read_csv(tmp_path / "memory" / "segments.csv", keep_default_na=False)
    assert memory.loc[0, "answer"] == "'" + HOSTILE
    assert not memory["answer"].str.startswith(("=", "+", "@")).any()

    write_scale_outputs(both_runs.store, "big", tmp_path / "streaming", both_runs.streaming)
    for name in ("segments.csv", "assignments.csv", "transcripts.csv", "participants.csv"):
        streamed = pd.read_csv(tmp_path / "streaming" / name, keep_default_na=False)
        original = pd.read_csv(tmp_path / "memory" / name, keep_default_na=False)
        text = [c for c in streamed.columns if streamed[c].dtype == object and c in original]
        for column in text:  # escaped the same way: no cell starts with a trigger in either
            for frame in (streamed, original):
                assert not frame[column].astype(str).str.match(r"[=+@\t\r]").any(), column
