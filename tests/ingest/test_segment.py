"""Question extraction and answer segmentation (analysis/segment.py)."""

from __future__ import annotations

import pytest

from analysis.records import Transcript, Turn
from analysis.segment import question_sentences, segment_transcripts, split_sentences


@pytest.mark.parametrize(
    ("turn", "question"),
    [
        (
            "That's fascinating - it sounds like X. How do you decide when to use it?",
            "How do you decide when to use it?",
        ),
        (
            "Great! Let's dive in.\n\nCould you tell me about how AI fits into your typical "
            "workday? What kinds of tasks do you use it for?",
            "Could you tell me about how AI fits into your typical workday? "
            "What kinds of tasks do you use it for?",
        ),
        (
            "So AI becomes your go-to when you hit a roadblock. Tell me more about those "
            "situations. What does that process look like for you?",
            "Tell me more about those situations. What does that process look like for you?",
        ),
        (
            "Thanks, that's really helpful context. Tell me about a time AI frustrated you.",
            "Tell me about a time AI frustrated you.",
        ),
        (
            "I see. Walk me through your last project from start to finish.",
            "Walk me through your last project from start to finish.",
        ),
        (
            "Thank you so much for sharing all of this.",
            "Thank you so much for sharing all of this.",
        ),
        (
            "What do you think? Take your time, there's no rush.",
            "What do you think?",
        ),
        (
            'You said "it\'s never perfect." Why is that?',
            "Why is that?",
        ),
        ("", ""),
        ("   \n ", ""),
    ],
)
def test_question_sentences_drop_the_reflective_preamble(turn: str, question: str) -> None:
    assert question_sentences(turn) == question


def test_split_sentences_keeps_paragraphs_and_bullets_apart() -> None:
    assert split_sentences("First point. Second one!\n\n- a bullet\n- another? Yes") == [
        "First point.",
        "Second one!",
        "- a bullet",
        "- another?",
        "Yes",
    ]


def _transcript(turns: list[tuple[str, str, str]]) -> Transcript:
    return Transcript(
        transcript_id="t1",
        cohort="c",
        source_file="t1.txt",
        turns=[Turn(i, speaker, role, text) for i, (speaker, role, text) in enumerate(turns)],  # type: ignore[arg-type]
    )


def test_one_segment_per_non_empty_participant_turn() -> None:
    transcript = _transcript(
        [
            ("AI", "interviewer", "Hello! Ready to begin?"),
            ("User", "participant", "Yes."),
            ("AI", "interviewer", "Nice. What do you use AI for?"),
            ("User", "participant", "Emails."),
            ("User", "participant", "And meeting notes."),
            ("User", "participant", "   "),
            ("AI", "interviewer", ""),
            ("User", "participant", "Anything else?"),
        ]
    )
    segments = segment_transcripts([transcript])
    assert [(s.segment_index, s.turn_index, s.question, s.answer) for s in segments] == [
        (0, 1, "Ready to begin?", "Yes."),
        (1, 3, "What do you use AI for?", "Emails."),
        (2, 4, "What do you use AI for?", "And meeting notes."),
        (3, 7, "", "Anything else?"),
    ]
    assert segments[1].question_turn == "Nice. What do you use AI for?"
    assert segments[3].question_turn == ""


def test_answers_before_any_question_have_an_empty_question() -> None:
    transcript = _transcript(
        [("P", "participant", "I'll start: I use it daily."), ("I", "interviewer", "Why?")]
    )
    (segment,) = segment_transcripts([transcript])
    assert segment.question == "" and segment.answer == "I'll start: I use it daily."
