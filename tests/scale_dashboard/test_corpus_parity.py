"""The SQL aggregates equal the pandas ones on the 1,250 real transcripts (14.5k answers).

Real text exercises the keyword filter on what people wrote (case, punctuation, non-ASCII);
codes are keyword rules so the participant flags follow from the assignments, as in the
scale tables. Skips when the shared corpus is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.filters import FilterSpec
from analysis.results import AnalysisResult
from analysis.scale.convert import write_result_tables
from analysis.store import Store
from tests.analysis.test_aggregates_corpus import _answers
from tests.scale_dashboard.parity import check_all

pytestmark = pytest.mark.corpus

RULES = {
    "trigger.time_pressure": "deadline",
    "trigger.wording": "email",
    "pattern.verification": "check",
    "pattern.iteration": "back and forth",
    "culture.restricted": "not allowed",
    "outcome.saves_time": "faster",
    "outcome.job_concern": "replace",
}


@pytest.fixture(scope="module")
def corpus_store(corpus_dir: Path):
    rng = np.random.default_rng(0)
    segments = _answers(corpus_dir)
    participants = segments.groupby("transcript_id", sort=False)["cohort"].first().reset_index()
    participants["occupation"] = ""
    participants["occupation_group"] = rng.choice(
        ["Management", "Legal", "Computer and Mathematical", "Unclear", ""], len(participants))
    segments = segments.drop(columns="cohort")
    segments["topic_id"] = rng.integers(-1, 12, len(segments))
    segments["topic_label"] = [f"topic {t}" for t in segments["topic_id"]]
    segments["x"], segments["y"] = rng.normal(size=len(segments)), rng.normal(size=len(segments))
    lowered = segments["answer"].str.lower()
    rows = []
    for code, word in RULES.items():
        hit = segments[lowered.str.contains(word, regex=False)]
        rows.append(hit[["transcript_id", "segment_index"]].assign(
            code=code, confidence=np.round(rng.random(len(hit)), 3), evidence=word))
    assignments = pd.concat(rows, ignore_index=True)
    owned = assignments.drop_duplicates(["transcript_id", "code"])
    for code in RULES:
        participants[code] = participants["transcript_id"].isin(
            owned.loc[owned["code"] == code, "transcript_id"]).astype(int)
    codebook = pd.DataFrame({"code": list(RULES), "facet": [c.split(".")[0] for c in RULES],
                             "label": list(RULES.values()), "description": ""})
    topics = pd.DataFrame({"topic_id": range(-1, 12), "label": [f"topic {t}" for t in
                                                               range(-1, 12)],
                           "size": 0, "top_words": "", "representative_quotes": [[]] * 13})
    result = AnalysisResult(files=pd.DataFrame(), transcripts=participants[["transcript_id",
                                                                            "cohort"]],
                            turns=pd.DataFrame(), segments=segments, topics=topics,
                            participants=participants, assignments=assignments,
                            codebook=codebook)
    with Store(":memory:") as store:
        write_result_tables(store, "corpus", result)
        yield store, result


@pytest.mark.parametrize("spec", [
    FilterSpec(keyword="AI—I"),  # non-ASCII punctuation in what people wrote
    FilterSpec(keyword="DEADLINE", cohorts=("workforce",), occupation_groups=("Legal", "")),
], ids=str)
def test_corpus_tables_equal_pandas(corpus_store, spec: FilterSpec) -> None:
    store, result = corpus_store
    n = check_all(store, "corpus", result, spec)
    assert n > 0
