"""The AppTest fixture project with question groups and a stability record (part B pages)."""

from __future__ import annotations

import copy

import pandas as pd
import pyarrow as pa
import pytest

from analysis.questions import group_questions
from analysis.results import AnalysisResult
from tests.app.conftest import (  # noqa: F401 - fixtures used by the page tests
    _isolated_store,
    fixture_result,
    open_app,
)
from tests.app.fixture_result import build_result

STABILITY = {"ari_median": 0.83, "ari_min": 0.79, "topics_recurring_share": 0.7, "runs": 3,
             "sample_size": 3000, "seconds": 21.4, "topics_per_run": [30, 31, 29]}


def research_result() -> AnalysisResult:
    result = build_result()
    segments = result.segments.copy()
    segments["question_group"] = group_questions(segments["question"],
                                                 segments["transcript_id"]).labels
    result.segments = segments
    result.run = {**copy.deepcopy(result.run), "stability": dict(STABILITY)}
    return result


@pytest.fixture(scope="session")
def research_fixture() -> AnalysisResult:
    return research_result()


def chart_data(at, index: int = 0) -> pd.DataFrame:
    """The rows a drawn Vega-Lite chart received (Streamlit ships them as Arrow)."""
    element = at.get("vega_lite_chart")[index]
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in element.proto.datasets]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
