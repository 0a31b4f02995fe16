"""Load the hand-written 12-participant project in ``tests/fixtures/charts/project.json``.

Three cohorts (6 workforce, 4 creatives, 2 scientists), six codes over the four facets,
21 answers in four topics plus outliers, and a few answers that start with spreadsheet
formula triggers or contain HTML, so filters, aggregates, exports and charts are tested on
numbers that can be counted by hand.
"""

from __future__ import annotations

import json

import pandas as pd

from analysis.results import AnalysisResult
from tests.conftest import FIXTURES

PROJECT_JSON = FIXTURES / "charts" / "project.json"


def load_fixture_result() -> AnalysisResult:
    """A fresh ``AnalysisResult`` built from the fixture file (callers may mutate it)."""
    tables = json.loads(PROJECT_JSON.read_text(encoding="utf-8"))
    frames = {name: pd.DataFrame(rows) for name, rows in tables.items()}
    files = pd.DataFrame(
        [{"file": "fixture.json", "status": "parsed", "transcripts": 12, "reason": ""}]
    )
    return AnalysisResult(
        files=files,
        transcripts=frames["transcripts"],
        turns=frames["turns"],
        segments=frames["segments"],
        topics=frames["topics"],
        participants=frames["participants"],
        assignments=frames["assignments"],
        codebook=frames["codebook"],
    )
