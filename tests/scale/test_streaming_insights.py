"""``analyze --streaming`` writes the in-memory run's insight files with the same numbers.

The session's two runs of the fixture corpus (``both_runs``: smaller than the topic
sample, so the streaming topics and codes equal the in-memory ones) are written out the
way each ``analyze`` writes them (``write_outputs`` / ``write_scale_outputs``, which the
CLI calls), and every insight file must match.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.insight_outputs import ECON_FILE, FINDINGS_FILE, PARITY_FILE
from analysis.outputs import write_outputs
from analysis.scale.export import write_scale_outputs

INSIGHT_TABLES = ("saturation.csv", ECON_FILE)


@pytest.fixture(scope="module")
def runs(both_runs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("insights")
    write_outputs(both_runs.in_memory, root / "memory")
    written = write_scale_outputs(both_runs.store, "big", root / "streaming",
                                  both_runs.streaming)
    names = {path.name for path in written}
    assert {"saturation.csv", FINDINGS_FILE, ECON_FILE} <= names
    return root


@pytest.mark.parametrize("name", INSIGHT_TABLES)
def test_insight_tables_have_the_in_memory_columns_and_values(runs: Path, name: str) -> None:
    memory = pd.read_csv(runs / "memory" / name, keep_default_na=False)
    streamed = pd.read_csv(runs / "streaming" / name, keep_default_na=False)
    assert list(streamed.columns) == list(memory.columns)
    assert len(streamed) == len(memory) > 0
    pd.testing.assert_frame_equal(streamed, memory, check_dtype=False)


def test_saturation_counts_codes_and_topics(runs: Path) -> None:
    table = pd.read_csv(runs / "streaming" / "saturation.csv")
    assert set(table["kind"]) == {"code", "topic"}
    assert (table.groupby(["cohort", "kind", "threshold"])["total"].max() > 0).any()


def test_findings_markdown_equals_the_in_memory_one(runs: Path) -> None:
    memory = (runs / "memory" / FINDINGS_FILE).read_text(encoding="utf-8").splitlines()
    streamed = (runs / "streaming" / FINDINGS_FILE).read_text(encoding="utf-8").splitlines()
    assert memory[0] == "# Findings\\: small" and streamed[0] == "# Findings\\: big"
    assert streamed[1:] == memory[1:]  # same sentences, numbers, quotes and trace lines
    assert any(line.startswith("> “") for line in streamed)  # quotes were found


def test_parity_file_follows_detection_like_the_in_memory_run(runs: Path) -> None:
    # The fixture corpus's ids are not the public dataset's: neither run writes parity.csv.
    assert not (runs / "memory" / PARITY_FILE).exists()
    assert not (runs / "streaming" / PARITY_FILE).exists()
