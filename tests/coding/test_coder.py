"""Segment coding on hand-written answers: each facet, negation, evidence, rollup."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.coding import code_corpus, code_segments, load_codebook, participant_codes
from analysis.coding.rollup import segment_code_lists
from analysis.coding.sentences import split_sentences
from analysis.tables import ASSIGNMENTS_COLUMNS
from tests.conftest import FIXTURES

SEGMENTS = FIXTURES / "coding" / "segments.csv"


@pytest.fixture(scope="module")
def segments() -> pd.DataFrame:
    return pd.read_csv(SEGMENTS)


@pytest.fixture(scope="module")
def coded(segments):
    return code_corpus(segments)


def _codes(coded, transcript_id: str) -> set[str]:
    rows = coded.participants.set_index("transcript_id").loc[transcript_id]
    return {code for code, value in rows.items() if value == 1}


@pytest.mark.parametrize(
    ("transcript_id", "present", "absent"),
    [
        ("p_wording", {"trigger.wording"}, {"trigger.technical_problem", "culture.no_policy"}),
        ("p_ideas", {"trigger.ideation", "outcome.saves_time"}, {"trigger.wording"}),
        ("p_code", {"trigger.technical_problem"}, {"trigger.ideation"}),
        ("p_policy_yes", {"culture.permitted_with_limits"}, {"culture.no_policy"}),
        ("p_policy_no", {"culture.no_policy"}, {"culture.permitted_with_limits"}),
        ("p_peers", {"culture.peer_sharing"}, {"culture.peer_use_unknown"}),
        (
            "p_iter",
            {"pattern.iteration", "outcome.frustrated", "pattern.verification"},
            {"pattern.delegation", "trigger.quality_check"},
        ),
        ("p_job", {"outcome.job_concern"}, set()),
        ("p_job_neg", set(), {"outcome.job_concern"}),
        ("p_keep", {"outcome.keeps_human_tasks"}, set()),
    ],
)
def test_codes_per_participant(coded, transcript_id, present, absent):
    codes = _codes(coded, transcript_id)
    assert present <= codes, codes
    assert not (absent & codes), codes


def test_small_talk_and_unrelated_answers_get_no_codes(coded):
    assert _codes(coded, "p_none") == set()


def test_evidence_is_a_sentence_of_the_answer_never_the_question(coded, segments):
    merged = coded.assignments.merge(segments, on=["transcript_id", "segment_index"])
    assert len(merged) == len(coded.assignments) > 0
    for row in merged.itertuples(index=False):
        assert row.evidence in split_sentences(row.answer)
        assert row.evidence not in row.question


def test_assignment_columns_and_confidence_range(coded):
    assert list(coded.assignments.columns) == ASSIGNMENTS_COLUMNS
    assert coded.assignments["confidence"].between(0, 1).all()


def test_participants_table_has_every_transcript_and_code_column(coded, segments):
    codebook = load_codebook()
    assert list(coded.participants.columns) == ["transcript_id", *codebook.code_ids]
    assert set(coded.participants["transcript_id"]) == set(segments["transcript_id"])
    assert coded.participants[codebook.code_ids].isin([0, 1]).all().all()
    assert list(coded.codebook["code"]) == codebook.code_ids


def test_rollup_any_answer_carries_the_code():
    assignments = pd.DataFrame(
        [("a", 0, "x.one", 0.6, "s"), ("a", 3, "x.one", 0.9, "t"), ("b", 1, "x.two", 0.7, "u")],
        columns=ASSIGNMENTS_COLUMNS,
    )
    table = participant_codes(assignments, ["a", "b", "c"], ["x.one", "x.two"]).set_index(
        "transcript_id"
    )
    assert table.loc["a"].tolist() == [1, 0]
    assert table.loc["b"].tolist() == [0, 1]
    assert table.loc["c"].tolist() == [0, 0]


def test_segment_code_lists_join_codes_per_answer(coded, segments):
    lists = segment_code_lists(coded.assignments, segments)
    by_id = dict(
        zip(
            segments["transcript_id"] + "/" + segments["segment_index"].astype(str),
            lists,
            strict=True,
        )
    )
    assert "trigger.technical_problem" in by_id["p_code/0"].split(";")
    assert by_id["p_none/0"] == ""


def test_user_codebook_without_cues_matches_example_phrases(segments):
    yaml_text = """
codes:
  - id: outcome.slack
    facet: outcome
    label: Slack mentions
    description: The participant mentions a Slack channel.
    examples: [slack channel]
"""
    coded = code_corpus(segments, codebook_yaml=yaml_text)
    assert list(coded.participants.columns) == ["transcript_id", "outcome.slack"]
    assert set(coded.assignments["transcript_id"]) == {"p_peers"}


OWN_USE_CODEBOOK = """
codes:
  - id: trigger.research
    facet: trigger
    label: Research
    description: They bring AI in to research things.
    cues: ['\\bresearch']
    own_use: {own_use}
"""


@pytest.mark.parametrize(
    ("question", "answer", "with_flag", "without_flag"),
    [
        # the question is about AI: the participant's answer counts
        ("How do you use AI for work?", "Mostly for research on suppliers.", True, True),
        # the answer mentions AI itself
        ("What does a typical week look like?", "I ask ChatGPT to research suppliers.", True, True),
        # neither mentions AI: general work description, not a reason to bring AI in
        ("What does a typical project look like?", "It starts with research.", False, True),
        # a wish or prediction is not what the participant does now
        ("How do you see AI evolving?", "I see myself using AI more for research.", False, True),
        ("Anything else?", "It would be great if AI could research for me.", False, True),
    ],
)
def test_own_use_codes_need_ai_and_actual_use(question, answer, with_flag, without_flag):
    frame = pd.DataFrame(
        {"transcript_id": ["t"], "segment_index": [0], "question": [question], "answer": [answer]}
    )
    for flag, expected in (("true", with_flag), ("false", without_flag)):
        coded = code_corpus(frame, codebook_yaml=OWN_USE_CODEBOOK.format(own_use=flag))
        assert bool(coded.participants.loc[0, "trigger.research"]) is expected, (flag, answer)


@pytest.mark.parametrize(
    ("answer", "coded_as"),
    [
        # courtesy to the interviewer is never evidence, for any code of the default codebook
        ("Sure, happy to talk.", set()),
        ("Nope I think that's all. Glad it was useful", set()),
        ("Thank you! I have enjoyed this conversation as well.", set()),
        ("No, I think we covered the key points.", set()),
        ("This has been a really engaging and helpful chat for me.", set()),
        # ... but satisfaction with AI in the same words still is
        ("I'm really happy with how ChatGPT handles my emails.", {"outcome.satisfied"}),
        ("Thank you! I'm really happy with how ChatGPT handles my emails.",
         {"outcome.satisfied"}),
    ],
)
def test_courtesy_to_the_interviewer_is_not_evidence(answer, coded_as):
    frame = pd.DataFrame(
        {
            "transcript_id": ["t"],
            "segment_index": [0],
            "question": ["Is there anything else you'd like to add?"],
            "answer": [answer],
        }
    )
    coded = code_corpus(frame)
    codes = set(coded.assignments["code"])
    assert codes == coded_as, codes
    assert not any("thank" in e.lower() for e in coded.assignments["evidence"])


def test_parallel_scan_gives_the_same_assignments(segments):
    codebook = load_codebook()
    serial = code_segments(segments, codebook, n_jobs=1)
    parallel = code_segments(segments, codebook, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_embeddings_path_runs_and_keeps_shapes(segments):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(segments), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed(texts: list[str]) -> np.ndarray:
        out = np.stack(
            [np.resize(np.frombuffer(t.encode()[:8].ljust(8), np.uint8), 8) for t in texts]
        )
        return out.astype(np.float32)

    coded = code_corpus(segments, segment_embeddings=vectors, embed=embed)
    assert coded.assignments["confidence"].between(0, 1).all()
    with pytest.raises(ValueError, match="one row per segment"):
        code_corpus(segments, segment_embeddings=vectors[:2], embed=embed)


def test_empty_segments_give_empty_tables():
    empty = pd.DataFrame(columns=["transcript_id", "segment_index", "question", "answer"])
    coded = code_corpus(empty)
    assert coded.assignments.empty and coded.participants.empty


def test_similarity_reweighs_hits_but_never_creates_them():
    frame = pd.DataFrame(
        {
            "transcript_id": ["near", "far", "quiet"],
            "segment_index": [0, 0, 0],
            "question": ["What do you use AI for?"] * 3,
            "answer": [
                "I use it to brainstorm ideas.",
                "I use it to brainstorm ideas.",
                "I mostly answer the phone.",
            ],
        }
    )
    yaml_text = """
codes:
  - id: trigger.ideation
    facet: trigger
    label: Ideas
    description: Brainstorming.
    examples: [brainstorm ideas]
"""
    code_axis = np.array([1.0, 0.0], dtype=np.float32)

    def embed(texts: list[str]) -> np.ndarray:
        return np.tile(code_axis, (len(texts), 1))

    vectors = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    coded = code_corpus(frame, codebook_yaml=yaml_text, segment_embeddings=vectors, embed=embed)
    assert set(coded.assignments["transcript_id"]) == {"near"}
    lexical = code_corpus(frame, codebook_yaml=yaml_text)
    assert set(lexical.assignments["transcript_id"]) == {"near", "far"}
    near = coded.assignments["confidence"].iloc[0]
    assert near > lexical.assignments["confidence"].iloc[0]
