"""Small talk is kept out of the topic fit and sits in topic -1 with a map position."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.pipeline import run_pipeline
from analysis.records import IngestResult, Transcript, Turn
from analysis.small_talk import is_small_talk
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


def test_small_talk_goes_to_outliers_and_does_not_move_topics(
    corpus_ingest: IngestResult,
) -> None:
    plain = run_pipeline(corpus_ingest, project="p", store=None, config=HASHING)
    chatty = run_pipeline(_with_small_talk(corpus_ingest), project="p", store=None, config=HASHING)
    segments = chatty.segments
    small = segments["answer"].isin([CONSENT, CLOSING])
    assert small.sum() == 2 * len(corpus_ingest.transcripts)
    assert (segments.loc[small, "topic_id"] == -1).all()
    assert segments.loc[small, ["x", "y"]].notna().all().all()
    # the fit saw exactly the same answers, so the substantive answers keep their topics
    np.testing.assert_array_equal(
        segments.loc[~small, "topic_id"].to_numpy(), plain.segments["topic_id"].to_numpy()
    )
    sizes = chatty.topics.set_index("topic_id")["size"]
    assert sizes.sum() == len(segments)
    assert sizes[-1] == (segments["topic_id"] == -1).sum()
    labels = " ".join(chatty.topics.loc[chatty.topics["topic_id"] >= 0, "label"]).lower()
    assert "covered" not in labels and "questions" not in labels
