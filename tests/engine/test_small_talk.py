"""Small talk is kept out of the topic fit and sits in topic -1 with a map position."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.pipeline import run_pipeline
from analysis.records import IngestResult, Transcript, Turn
from analysis.small_talk import is_small_talk, small_talk_mask
from analysis.topics import SMALL_TALK_LABEL, place_new_answers, small_talk_topic
from tests.engine.conftest import HASHING

CONSENT = "That sounds good to me. I don't have any questions, let's get started."
CLOSING = "No, I think we've covered everything. Thanks for having me!"


@pytest.mark.parametrize(
    "text",
    [
        "Nope!",
        "Sounds good",
        "no, I have no questions, you may begin",
        "That sounds wonderful to me. I am ready to start; I have no questions.",
        "No,  I think that covers everything",
        "nope, i think we\u2019ve covered it",
        CONSENT,
        CLOSING,
    ],
)
def test_consent_and_closing_replies_are_small_talk(text: str) -> None:
    assert is_small_talk(text)


@pytest.mark.parametrize(
    "text",
    [
        "I paste my bullet points in and ask it for a polite email to the client.",
        "Thanks to it I finish the weekly report in an hour instead of a whole afternoon.",
        "Sounds good in theory, but in practice I still rewrite most of what it drafts for "
        "my clients, because it does not know our products, our tone or our legal limits, "
        "and I would rather start from a blank page than fix confident mistakes.",
    ],
)
def test_substantive_answers_are_not_small_talk(text: str) -> None:
    assert not is_small_talk(text)


def _with_small_talk(ingest: IngestResult) -> IngestResult:
    """Each transcript opens with a consent reply and closes with a 'nothing else' reply."""
    transcripts = []
    for t in ingest.transcripts:
        turns = [
            Turn(0, "Assistant", "interviewer", "Shall we start? Any questions first?"),
            Turn(1, "User", "participant", CONSENT),
        ]
        turns += [Turn(len(turns) + i, x.speaker, x.role, x.text) for i, x in enumerate(t.turns)]
        turns.append(Turn(len(turns), "AI", "interviewer", "Is there anything else to add?"))
        turns.append(Turn(len(turns), "User", "participant", CLOSING))
        transcripts.append(Transcript(t.transcript_id, t.cohort, t.source_file, turns))
    return IngestResult(transcripts=transcripts, files=ingest.files)


def test_small_talk_gets_its_own_topic_and_does_not_move_topics(
    corpus_ingest: IngestResult,
) -> None:
    plain = run_pipeline(corpus_ingest, project="p", store=None, config=HASHING)
    chatty = run_pipeline(_with_small_talk(corpus_ingest), project="p", store=None, config=HASHING)
    segments = chatty.segments
    small = segments["answer"].isin([CONSENT, CLOSING])
    assert small.sum() == 2 * len(corpus_ingest.transcripts)
    small_ids = set(segments.loc[small, "topic_id"])
    assert small_ids == {int(plain.segments["topic_id"].max()) + 1}
    assert not segments.loc[~small, "topic_id"].isin(small_ids).any()
    assert segments.loc[small, ["x", "y"]].notna().all().all()
    # the fit saw exactly the same answers, so the substantive answers keep their topics
    np.testing.assert_array_equal(
        segments.loc[~small, "topic_id"].to_numpy(), plain.segments["topic_id"].to_numpy()
    )
    topics = chatty.topics.set_index("topic_id")
    assert topics["size"].sum() == len(segments)
    small_row = topics.loc[small_ids.pop()]
    assert small_row["label"] == SMALL_TALK_LABEL and small_row["size"] == small.sum()
    assert "thanks" in small_row["top_words"] or "ready" in small_row["top_words"]
    assert set(small_row["representative_quotes"]) <= {CONSENT, CLOSING}
    # small talk is not an outlier: the outlier share is the same as without it, rescaled
    assert chatty.run["counts"]["outlier_answers"] == plain.run["counts"]["outlier_answers"]
    assert chatty.run["counts"]["small_talk_answers"] == small.sum()
    labels = " ".join(
        topics.loc[(topics.index >= 0) & (topics["label"] != SMALL_TALK_LABEL), "label"]
    ).lower()
    assert "covered" not in labels and "questions" not in labels


def test_new_small_talk_joins_the_small_talk_topic_and_nothing_else_does() -> None:
    rng = np.random.default_rng(0)
    docs = ["a real answer about drafting emails with the assistant"] * 6 + ["Sounds good!"] * 2
    embeddings = rng.normal(size=(8, 8)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    embeddings[6] = embeddings[7] = embeddings[0]  # small talk that *looks* like topic 0
    ids = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    coords = rng.normal(size=(8, 2)).astype(np.float32)
    known = np.array([True] * 7 + [False])
    known[2] = False  # one new substantive answer, one new small-talk answer
    placed, xy = place_new_answers(docs, embeddings, known, ids, coords, threshold=-1.0)
    assert placed[7] == 2 and placed[2] in (0, 1)
    assert np.isfinite(xy).all()
    assert small_talk_topic(ids, small_talk_mask(docs)) == 2
    merged = ids.copy()
    merged[0] = 2  # a user merge mixed small talk with a real topic: no special topic any more
    assert small_talk_topic(merged, small_talk_mask(docs)) is None
