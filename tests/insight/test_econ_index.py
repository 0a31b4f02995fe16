"""Economic Index lens: the mapping of codes to collaboration subtypes, and the split."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.aggregates import wilson_interval
from analysis.econ_index import (
    ECON_COLUMNS,
    PUBLISHED,
    classify,
    econ_split,
    econ_table,
)

CODES = ["pattern.delegation", "pattern.iteration", "pattern.learning", "pattern.verification",
         "pattern.draft_then_edit", "trigger.quality_check"]

# id, cohort, codes, iteration answers (text)
PEOPLE = [
    ("p1", "alpha", ["pattern.delegation"], []),
    ("p2", "alpha", ["pattern.iteration"], ["I paste the error message back and it fixes it."]),
    ("p3", "alpha", ["pattern.iteration"], ["We go back and forth until the tone is right."]),
    ("p4", "alpha", ["pattern.iteration", "pattern.delegation"],
     ["It wrote the script, it didn't work, so I gave it the output.",
      "I keep refining the outline with it."]),
    ("p5", "alpha", ["pattern.verification"], []),
    ("p6", "beta", ["trigger.quality_check"], []),
    ("p7", "beta", ["pattern.learning", "pattern.draft_then_edit"], []),
    ("p8", "beta", [], []),
    ("p9", "beta", ["pattern.draft_then_edit"], []),
    ("p10", "beta", ["pattern.delegation", "pattern.learning"], []),
]


def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    participants, segments, assignments = [], [], []
    for tid, cohort, codes, iteration_answers in PEOPLE:
        row = {"transcript_id": tid, "cohort": cohort, "occupation": "",
               "occupation_group": "Unclear"}
        row.update({c: int(c in codes) for c in CODES})
        participants.append(row)
        for index, answer in enumerate(iteration_answers):
            segments.append({"transcript_id": tid, "segment_index": index, "answer": answer})
            assignments.append({"transcript_id": tid, "segment_index": index,
                                "code": "pattern.iteration", "confidence": 0.8,
                                "evidence": answer})
    return pd.DataFrame(participants), pd.DataFrame(segments), pd.DataFrame(assignments)


def test_each_code_lands_in_its_subtype() -> None:
    flags = classify(*frames()).set_index("transcript_id")
    assert flags.loc["p1", "directive"] and flags.loc["p1", "automation"]
    assert flags.loc["p2", "feedback_loop"] and not flags.loc["p2", "task_iteration"]
    assert flags.loc["p3", "task_iteration"] and not flags.loc["p3", "feedback_loop"]
    assert flags.loc["p4", ["directive", "feedback_loop", "task_iteration", "both"]].all()
    assert flags.loc["p6", "validation"] and flags.loc["p6", "augmentation"]
    assert flags.loc["p7", "learning"]


def test_verification_is_not_validation() -> None:
    """The user checking AI output is the opposite direction of the Index's Validation."""
    flags = classify(*frames()).set_index("transcript_id")
    assert not flags.loc["p5", ["validation", "augmentation", "automation"]].any()
    assert flags.loc["p5", "outside"] and flags.loc["p9", "outside"]
    assert not flags.loc["p7", "outside"]  # has an in-taxonomy pattern too
    assert not flags.loc["p8"].drop("transcript_id", errors="ignore").any()


def test_split_by_cohort_with_counts_and_intervals() -> None:
    table = econ_split(*frames(), min_group_size=5)
    assert list(table.columns) == ECON_COLUMNS

    def cell(group: str, measure: str) -> pd.Series:
        return table[(table["group"] == group) & (table["measure"] == measure)].iloc[0]

    assert (cell("All participants", "automation")["n"], cell("All participants", "automation")
            ["total"]) == (4, 10)  # p1 p2 p4 p10
    assert cell("All participants", "augmentation")["n"] == 5  # p3 p4 p6 p7 p10
    assert cell("All participants", "both")["n"] == 2  # p4 p10
    alpha = cell("alpha", "automation")
    assert (alpha["n"], alpha["total"], alpha["share"]) == (3, 5, pytest.approx(0.6))
    assert (alpha["ci_low"], alpha["ci_high"]) == pytest.approx(wilson_interval(3, 5))
    assert cell("beta", "augmentation")["n"] == 3
    assert "Unclear" in set(table["group"])  # occupation groups are split too
    assert set(econ_split(*frames(), min_group_size=6)["group"]) == {"All participants",
                                                                     "Unclear"}


def test_table_puts_published_shares_beside_ours() -> None:
    table = econ_table(*frames())
    published = table[table["dimension"] == "published"]
    assert len(published) == len(PUBLISHED)
    feb = published[published["source"] == "Economic Index, Feb 2025"].set_index("measure")
    assert feb.loc["augmentation", "share"] == pytest.approx(0.574)
    assert feb.loc["automation", "share"] == pytest.approx(0.426)
    assert feb.loc[["directive", "feedback_loop"], "share"].sum() == pytest.approx(0.426)
    assert feb.loc[["task_iteration", "learning", "validation"], "share"].sum() == (
        pytest.approx(0.574))
    assert published["n"].isna().all()
