"""The CLI's insight files: findings.md and econ_index.csv always, parity.csv only when detected."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.econ_index import ECON_COLUMNS
from analysis.insight_outputs import write_insight_outputs
from analysis.parity import PARITY_COLUMNS
from tests.app.fixture_result import build_result


def test_other_corpus_gets_findings_and_econ_but_no_parity(tmp_path: Path) -> None:
    (tmp_path / "parity.csv").write_text("stale from an earlier run", encoding="utf-8")
    written = write_insight_outputs(build_result(), tmp_path)
    assert [p.name for p in written] == ["findings.md", "econ_index.csv"]
    assert not (tmp_path / "parity.csv").exists()
    text = (tmp_path / "findings.md").read_text(encoding="utf-8")
    assert text.startswith("# Findings\\: fixture\n") and "## Largest topics" in text
    econ = pd.read_csv(tmp_path / "econ_index.csv")
    assert list(econ.columns) == ECON_COLUMNS
    assert {"measured", "Economic Index, Feb 2025"} <= set(econ["source"])


def test_public_dataset_ids_get_parity_csv(tmp_path: Path) -> None:
    result = build_result()
    ids = {tid: f"science_{i:04d}" for i, tid in enumerate(result.participants["transcript_id"])}
    result = replace(result, participants=result.participants.replace({"transcript_id": ids}))
    written = write_insight_outputs(result, tmp_path)
    assert [p.name for p in written] == ["findings.md", "econ_index.csv", "parity.csv"]
    parity = pd.read_csv(tmp_path / "parity.csv")
    assert list(parity.columns) == PARITY_COLUMNS
    trust = parity[parity["figure"].str.startswith("trust and reliability")].iloc[0]
    assert (trust["n"], trust["total"]) == (3, 12)  # work_002, work_005, sci_001
