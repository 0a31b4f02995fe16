"""Paper parity: corpus detection, and table values on participants with known code counts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.aggregates import wilson_interval
from analysis.parity import FIGURES, PARITY_COLUMNS, is_anthropic_interviewer, parity_table

CODES = ["culture.stigma", "outcome.job_concern", "outcome.keeps_human_tasks",
         "outcome.saves_time", "outcome.reliability_concern"]


def people(prefix: str, cohort: str, n: int, **counts: int) -> list[dict]:
    """``n`` participants; the first ``counts[code]`` of them have ``code`` (dots as __)."""
    rows = []
    for i in range(n):
        row = {"transcript_id": f"{prefix}_{i:04d}", "cohort": cohort, "occupation": "",
               "occupation_group": "Unclear"}
        row.update({code: int(i < counts.get(code.replace(".", "__"), 0)) for code in CODES})
        rows.append(row)
    return rows


@pytest.fixture
def corpus() -> pd.DataFrame:
    return pd.DataFrame(
        people("work", "workforce", 20, culture__stigma=14, outcome__job_concern=8,
               outcome__keeps_human_tasks=2, outcome__saves_time=11)
        # the cohort column says "misc": the id prefix still makes them creatives
        + people("creativity", "misc", 10, culture__stigma=7, outcome__saves_time=9)
        + people("science", "scientists", 8, outcome__reliability_concern=6)
    )


def row(table: pd.DataFrame, sample: str, start: str) -> pd.Series:
    hits = table[(table["sample"] == sample) & table["figure"].str.startswith(start)]
    assert len(hits) == 1, start
    return hits.iloc[0]


def test_detects_the_public_dataset_by_its_ids() -> None:
    assert is_anthropic_interviewer(["work_0000", "creativity_0124", "science_0007"])
    assert is_anthropic_interviewer(pd.Series([f"work_{i:04d}" for i in range(95)]
                                              + ["other"] * 5))
    assert not is_anthropic_interviewer([f"work_{i:04d}" for i in range(85)] + ["x"] * 15)
    assert not is_anthropic_interviewer(["work_001", "creat_001", "sci_001"])  # 3 digits
    assert not is_anthropic_interviewer(["interview 1", "P02"])
    assert not is_anthropic_interviewer([])


def test_measured_shares_on_known_counts(corpus: pd.DataFrame) -> None:
    table = parity_table(corpus)
    assert list(table.columns) == PARITY_COLUMNS and len(table) == len(FIGURES)
    stigma = row(table, "workforce", "mentioned the social stigma")
    assert (stigma["n"], stigma["total"], stigma["published_share"]) == (14, 20, 0.69)
    assert stigma["share"] == pytest.approx(0.7)
    assert (stigma["ci_low"], stigma["ci_high"]) == pytest.approx(wilson_interval(14, 20))
    assert stigma["codes"] == "culture.stigma" and stigma["match"] == "close"
    peer = row(table, "creatives", "mentioned trying to manage peer judgment")
    assert (peer["n"], peer["total"]) == (7, 10)
    time = row(table, "creatives", "AI saved them time")
    assert (time["n"], time["total"]) == (9, 10) and "lower bound" in time["note"]
    trust = row(table, "scientists", "trust and reliability")
    assert (trust["n"], trust["total"]) == (6, 8) and "primary barrier" in trust["note"]


def test_conditional_population_of_the_anxious(corpus: pd.DataFrame) -> None:
    bounds = row(parity_table(corpus), "workforce", "of the anxious: set boundaries")
    assert bounds["population"] == "workforce with outcome.job_concern"
    assert (bounds["n"], bounds["total"]) == (2, 8)  # participants 0-1 of the 0-7 anxious


def test_survey_figures_say_so_and_unmatched_figures_carry_no_number(
        corpus: pd.DataFrame) -> None:
    table = parity_table(corpus)
    saves = row(table, "workforce", "AI saves them time")
    assert saves["basis"] == "survey" and "survey" in saves["note"]
    assert (saves["n"], saves["total"]) == (11, 20)
    secure = row(table, "workforce", "felt secure")
    assert secure["match"] == "none" and secure["codes"] == ""
    assert pd.isna(secure["n"]) and math.isnan(secure["share"])
    unmatched = table[table["match"] == "none"]
    assert unmatched["share"].isna().all() and (unmatched["note"] != "").all()


def test_codes_missing_from_the_codebook_are_flagged(corpus: pd.DataFrame) -> None:
    satisfied = row(parity_table(corpus), "workforce", "satisfied with the role")
    assert pd.isna(satisfied["n"]) and math.isnan(satisfied["share"])
    assert satisfied["note"].startswith("a code of this row is not in this project's codebook")


def test_cohort_names_place_participants_when_ids_do_not(corpus: pd.DataFrame) -> None:
    renamed = corpus.assign(transcript_id=[f"p{i}" for i in range(len(corpus))])
    table = parity_table(renamed)
    assert row(table, "workforce", "mentioned the social stigma")["total"] == 20
    assert row(table, "scientists", "trust and reliability")["total"] == 8
    # "misc" is not a sample name: without the ids nobody is a creative
    peer = row(table, "creatives", "mentioned trying to manage peer judgment")
    assert peer["total"] == 0 and peer["note"].startswith("nobody in creatives")
