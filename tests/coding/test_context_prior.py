"""Question-context prior: counts add up, shrinkage, shift direction, chunked == whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.coding import code_segments, load_codebook
from analysis.coding.coder import question_hit_counts
from analysis.coding.context_prior import (
    PRIOR_CLIP,
    PRIOR_WEIGHT,
    QuestionPrior,
    count_group_hits,
)


def _groups_and_hits():
    """200 answers in 2 question groups; code 0 fires in 40 of the 100 'culture' answers
    and in 2 of the 100 'workday' answers; code 1 never fires confidently."""
    groups = ["culture"] * 100 + ["workday"] * 100
    hits = [(row, 0, 0.7) for row in range(40)] + [(100, 0, 0.6), (101, 0, 0.6)]
    hits += [(150, 1, 0.55), (0, 0, 0.9)]  # weak hit; a second hit in a counted answer
    return groups, hits


def test_counts_confident_hits_once_per_answer_and_group():
    groups, hits = _groups_and_hits()
    counts = count_group_hits(groups, hits, n_codes=2)
    assert counts.answers == {"culture": 100, "workday": 100}
    assert counts.hits["culture"].tolist() == [40, 0]
    assert counts.hits["workday"].tolist() == [2, 0]


def test_chunk_counts_add_up_to_the_whole():
    groups, hits = _groups_and_hits()
    whole = count_group_hits(groups, hits, 2)
    first = count_group_hits(groups[:120], [h for h in hits if h[0] < 120], 2)
    second = count_group_hits(groups[120:], [(r - 120, c, p) for r, c, p in hits if r >= 120], 2)
    total = first + second
    assert total.answers == whole.answers
    for group in whole.hits:
        np.testing.assert_array_equal(total.hits[group], whole.hits[group])


def test_shift_raises_the_usual_context_and_lowers_the_rare_one():
    groups, hits = _groups_and_hits()
    prior = QuestionPrior.from_counts(count_group_hits(groups, hits, 2))
    assert 0 < prior.shift("culture", 0) <= PRIOR_WEIGHT * PRIOR_CLIP[1]
    assert PRIOR_WEIGHT * PRIOR_CLIP[0] <= prior.shift("workday", 0) < 0
    assert prior.shift("culture", 1) == 0.0  # a code with no confident hit: no prior
    assert prior.shift("a group never seen", 0) == 0.0


def test_small_groups_are_shrunk_toward_the_corpus_rate():
    groups = ["big"] * 1000 + ["tiny"] * 2
    hits = [(row, 0, 0.7) for row in range(100)] + [(1000, 0, 0.7), (1001, 0, 0.7)]
    prior = QuestionPrior.from_counts(count_group_hits(groups, hits, 1))
    # 'tiny' has a 100% raw hit rate against 10% overall (log2 = 3.3), but only 2 answers
    assert prior.shift("tiny", 0) < PRIOR_WEIGHT * 1.0


def test_empty_corpus_gives_an_empty_prior():
    prior = QuestionPrior.from_counts(count_group_hits([], [], 3))
    assert prior.shift("anything", 2) == 0.0


YAML = """
codes:
  - id: culture.peers
    facet: culture
    label: Peers
    description: Colleagues and AI.
    cues: ['\\bcolleagues?\\b']
"""


def _frame() -> pd.DataFrame:
    """Answers to two recurring questions; 'colleagues' is common under the first one."""
    rows = []
    for t in range(40):
        rows.append(
            ("How have your colleagues influenced your use of AI?", "My colleagues use it.")
        )
        rows.append(("What does a typical workday look like?", "Meetings, then writing."))
        if t % 10 == 0:
            rows.append(("What does a typical workday look like?", "A call with colleagues."))
    return pd.DataFrame(
        {
            "transcript_id": [f"t{i // 3:02d}" for i in range(len(rows))],
            "segment_index": list(range(len(rows))),
            "question": [q for q, _ in rows],
            "answer": [a for _, a in rows],
        }
    )


def test_prior_moves_confidence_by_context_and_can_be_switched_off():
    frame = _frame()
    codebook = load_codebook(YAML)
    on = code_segments(frame, codebook)
    off = code_segments(frame, codebook, context_prior=False)
    assert len(on) == len(off) == 44  # re-weighs hits, never creates or (here) drops them
    merged = on.merge(off, on=["transcript_id", "segment_index", "code"], suffixes=("", "_off"))
    usual = frame["question"].str.startswith("How have")
    in_usual = merged["segment_index"].isin(frame.index[usual])
    assert (merged.loc[in_usual, "confidence"] > merged.loc[in_usual, "confidence_off"]).all()
    assert (merged.loc[~in_usual, "confidence"] < merged.loc[~in_usual, "confidence_off"]).all()


def test_chunked_coding_with_the_corpus_prior_equals_whole_corpus_coding():
    from analysis.questions import group_questions

    frame = _frame()
    frame["question_group"] = group_questions(frame["question"], frame["transcript_id"]).labels
    codebook = load_codebook(YAML)
    whole = code_segments(frame, codebook)
    chunks = [frame.iloc[:50], frame.iloc[50:]]
    counts = question_hit_counts(chunks[0], codebook) + question_hit_counts(chunks[1], codebook)
    prior = QuestionPrior.from_counts(counts)
    chunked = pd.concat(
        [code_segments(chunk, codebook, question_prior=prior) for chunk in chunks],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(chunked, whole)


@pytest.mark.parametrize("flag", [True, False])
def test_no_question_column_still_codes(flag):
    frame = _frame().drop(columns=["question"])
    coded = code_segments(frame, load_codebook(YAML), context_prior=flag)
    assert len(coded) == 44


def test_code_corpus_passes_the_switch_through():
    from analysis.coding import code_corpus

    frame = _frame()
    codebook = load_codebook(YAML)
    for flag in (True, False):
        coded = code_corpus(frame, codebook_yaml=YAML, context_prior=flag)
        direct = code_segments(frame, codebook, context_prior=flag)
        pd.testing.assert_frame_equal(coded.assignments, direct)
