"""A million answers from 86,000 participants, built with SQL: every query answers right.

Expected numbers come from the generator's closed formulas (``expected_arrays``, numpy),
never from reading the tables back, so a wrong join or a lost filter shows up as a count
that differs.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis.filters import FilterSpec
from analysis.scale import queries
from analysis.scale.synthetic_tables import (
    CODES,
    COHORTS,
    GROUPS,
    KEYWORD,
    expected_arrays,
    participant_id,
    write_synthetic_project,
)
from analysis.store import Store

N_ANSWERS = 1_000_000
N_PEOPLE = 86_000
PROJECT = "synthetic"


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "store.duckdb"
    with Store(path) as store:
        started = time.perf_counter()
        write_synthetic_project(store, PROJECT, N_ANSWERS, N_PEOPLE)
        built = time.perf_counter() - started
        yield store, expected_arrays(N_ANSWERS, N_PEOPLE), built


def _flags(x: dict) -> tuple[np.ndarray, np.ndarray]:
    """Participant-code flags (a participant has a code if any answer carries it)."""
    pairs = np.unique(x["participant"][x["code_answer"]] * len(CODES) + x["code_index"])
    return pairs // len(CODES), pairs % len(CODES)


def _kept(x: dict, *, cohort: int | None = None, keyword: bool = False,
          codes: tuple[int, ...] = ()) -> np.ndarray:
    """Boolean mask over participants for a cohort / keyword / all-of-codes filter."""
    people = np.arange(N_PEOPLE)
    mask = np.ones(N_PEOPLE, dtype=bool)
    if cohort is not None:
        mask &= people % 3 == cohort
    if keyword:
        mask &= np.bincount(x["participant"][x["keyword"]], minlength=N_PEOPLE) > 0
    if codes:
        who, which = _flags(x)
        for code in codes:
            mask &= np.bincount(who[which == code], minlength=N_PEOPLE) > 0
    return mask


def test_built_in_seconds_with_the_intended_shape(big) -> None:
    store, _, built = big
    assert built < 60  # SQL, not a pipeline run (about 4 s on an idle 2-core machine)
    over = queries.overview(store, PROJECT, FilterSpec())
    assert (over.n_participants, over.n_answers) == (N_PEOPLE, N_ANSWERS)
    assert over.n_total_participants == N_PEOPLE
    assert over.n_topics == 10
    assert over.n_known_role == int((np.arange(N_PEOPLE) % 7 != 6).sum())
    listed = queries.scale_projects(store)
    assert listed.loc[0, "project"] == PROJECT and listed.loc[0, "n_segments"] == N_ANSWERS


@pytest.mark.parametrize(
    ("spec", "mask_args"),
    [
        (FilterSpec(), {}),
        (FilterSpec(cohorts=(COHORTS[1],)), {"cohort": 1}),
        (FilterSpec(keyword=KEYWORD.upper()), {"keyword": True}),
        (FilterSpec(codes=(CODES[1], CODES[14]), cohorts=(COHORTS[2],)),
         {"codes": (1, 14), "cohort": 2}),
    ],
    ids=["all", "cohort", "keyword", "codes+cohort"],
)
def test_prevalence_and_groups_match_the_formulas(big, spec, mask_args) -> None:
    store, x, _ = big
    kept = _kept(x, **mask_args)
    who, which = _flags(x)
    in_view = kept[who]
    table = queries.code_prevalence(store, PROJECT, spec)
    expected = np.bincount(which[in_view], minlength=len(CODES))
    assert table["code"].tolist() == list(CODES)
    assert table["n"].tolist() == expected.tolist()
    assert (table["total"] == kept.sum()).all()

    grouped = queries.prevalence_by_group(store, PROJECT, spec, "occupation_group",
                                          min_group_size=1)
    group_of = np.arange(N_PEOPLE) % 7
    sizes = np.bincount(group_of[kept], minlength=7)
    got = grouped.table.set_index(["group", "code"])["n"]
    for g in np.flatnonzero(sizes):
        counts = np.bincount(which[in_view & (group_of[who] == g)], minlength=len(CODES))
        assert [int(got[(GROUPS[g], c)]) for c in CODES] == counts.tolist()
    assert grouped.groups == [GROUPS[g] for g in sorted(np.flatnonzero(sizes),
                                                        key=lambda g: (-sizes[g], GROUPS[g]))]

    over = queries.overview(store, PROJECT, spec)
    assert over.n_participants == int(kept.sum())
    assert over.n_answers == int(kept[x["participant"]].sum())


def test_topics_match_the_formulas(big) -> None:
    store, x, _ = big
    spec = FilterSpec(cohorts=(COHORTS[0],), topics=(3,))
    kept = _kept(x, cohort=0) & (np.bincount(x["participant"][x["topic"] == 3],
                                             minlength=N_PEOPLE) > 0)
    answers = kept[x["participant"]]
    sizes = queries.topic_sizes(store, PROJECT, spec)
    expected = np.bincount(x["topic"][answers] + 1, minlength=11)
    assert sizes["topic_id"].tolist() == [t - 1 for t in np.flatnonzero(expected)]
    assert sizes["size"].tolist() == expected[expected > 0].tolist()
    by_cohort = queries.topic_by_group(store, PROJECT, FilterSpec(), "cohort")
    cohort_of = x["participant"] % 3
    row = by_cohort.set_index(["topic_id", "group"]).loc[(5, COHORTS[2])]
    hit = (x["topic"] == 5) & (cohort_of == 2)
    assert row["n_answers"] == int(hit.sum())
    assert row["n_participants"] == len(np.unique(x["participant"][hit]))
    assert row["total"] == int((np.arange(N_PEOPLE) % 3 == 2).sum())
    assert -1 not in set(by_cohort["topic_id"])


def test_cooccurrence_matches_the_formulas(big) -> None:
    store, x, _ = big
    table = queries.cooccurrence(store, PROJECT, FilterSpec(), "trigger")
    who, which = _flags(x)
    a, b = 1, 2  # trigger.c1 and trigger.c2
    both = np.intersect1d(who[which == a], who[which == b]).size
    row = table.set_index(["code_a", "code_b"]).loc[(CODES[a], CODES[b])]
    assert row["n_both"] == both and row["n_a"] == int((which == a).sum())
    assert len(table) == 4 * 3


def test_evidence_pages_follow_confidence_then_ids(big) -> None:
    store, x, _ = big
    code = 7
    spec = FilterSpec(cohorts=(COHORTS[1],))
    chosen = (x["code_index"] == code) & (x["participant"][x["code_answer"]] % 3 == 1)
    answers = x["code_answer"][chosen]
    ids = np.array([participant_id(i) for i in answers % N_PEOPLE])
    seg = answers // N_PEOPLE
    conf = x["confidence"][chosen]
    order = np.lexsort((seg, ids, -conf))
    assert queries.count_evidence(store, PROJECT, spec, CODES[code]) == len(answers)
    for offset in (0, 20, 20_000):
        page = queries.evidence_for_code(store, PROJECT, spec, CODES[code], limit=20,
                                         offset=offset)
        want = order[offset:offset + 20]
        assert page["transcript_id"].tolist() == ids[want].tolist()
        assert page["segment_index"].tolist() == seg[want].tolist()
        assert page["answer"].tolist() == [f"Answer {j}" + (f" before a {KEYWORD}" if j % 50 == 0
                                           else " about routine work") for j in answers[want]]
        assert (page["cohort"] == COHORTS[1]).all()
        assert page["occupation_group"].tolist() == [GROUPS[(j % N_PEOPLE) % 7]
                                                     for j in answers[want]]


def test_answer_and_topic_pages(big) -> None:
    store, x, _ = big
    spec = FilterSpec(keyword=KEYWORD)
    total = queries.count_answers(store, PROJECT, spec, code=CODES[3])
    keyword_answers = np.flatnonzero(x["keyword"])
    carries = np.zeros(N_ANSWERS, dtype=bool)
    carries[x["code_answer"][x["code_index"] == 3]] = True
    assert total == int(carries[keyword_answers].sum())
    page = queries.answers_page(store, PROJECT, spec, code=CODES[3], limit=10, offset=10)
    assert len(page) == 10 and page["answer"].str.contains(KEYWORD).all()
    assert page["codes"].str.contains("Label 3").all()
    assert page["evidence"].str.startswith("evidence ").all()
    quotes = queries.topic_quotes(store, PROJECT, FilterSpec(), 4, limit=5, offset=5)
    assert len(quotes) == 5 and queries.count_topic_answers(
        store, PROJECT, FilterSpec(), 4) == int((x["topic"] == 4).sum())
    options = queries.filter_options(store, PROJECT)
    assert options["cohort"]["n"].sum() == N_PEOPLE
    assert options["topic"]["n"].sum() == N_ANSWERS
