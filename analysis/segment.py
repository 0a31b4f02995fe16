"""Participant answers paired with the question that prompted them.

Interviewer turns usually open with a reflective preamble ("That's fascinating - it sounds
like ...") before the actual question. Topic modelling and coding need the question itself,
so ``question_sentences`` keeps the trailing run of question sentences (ending in "?", or
imperative prompts such as "Tell me about ...") and drops the preamble; the whole turn stays
available as ``Segment.question_turn``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.records import Segment, Transcript

_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n+|\n(?=\s*[-*•\d])"
)
_PROMPT_START = re.compile(
    r"^(?:[\"'“(]?\s*)(?:(?:so|and|now|finally|lastly|please|first|next),?\s+)*"
    r"(?:tell me|describe|walk me through|talk me through|take me through|talk about|share|"
    r"explain|give me|think (?:about|of|back)|let's talk|i'd (?:love|like) to hear|"
    r"help me understand|could you|would you|can you)\b",
    re.I,
)


def split_sentences(text: str) -> list[str]:
    """Sentences and paragraph/bullet units, in order, stripped and non-empty."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _is_question(sentence: str) -> bool:
    return sentence.rstrip("\"'”’)] ").endswith("?")


def question_sentences(turn_text: str) -> str:
    """The question an interviewer turn asks, without its reflective preamble.

    Take the last sentence ending in "?" and the question sentences (or imperative prompts)
    directly before it. Without any "?", take the last imperative prompt ("Tell me about
    ..."), and failing that the last sentence, so a non-empty turn always yields a question.
    """
    sentences = split_sentences(turn_text)
    if not sentences:
        return ""
    last_q = max((i for i, s in enumerate(sentences) if _is_question(s)), default=None)
    if last_q is None:
        prompts = [i for i, s in enumerate(sentences) if _PROMPT_START.match(s)]
        return sentences[prompts[-1] if prompts else -1]
    start = last_q
    while start > 0 and (
        _is_question(sentences[start - 1]) or _PROMPT_START.match(sentences[start - 1])
    ):
        start -= 1
    return " ".join(sentences[start : last_q + 1])


def segment_transcript(transcript: Transcript) -> list[Segment]:
    """One segment per non-empty participant turn, with the preceding interviewer turn."""
    segments: list[Segment] = []
    question_turn = ""
    question = ""
    for turn in transcript.turns:
        if turn.role == "interviewer":
            question_turn = turn.text.strip()
            question = question_sentences(question_turn)
            continue
        answer = turn.text.strip()
        if not answer:
            continue
        segments.append(
            Segment(
                transcript_id=transcript.transcript_id,
                segment_index=len(segments),
                turn_index=turn.index,
                question=question,
                answer=answer,
                question_turn=question_turn,
            )
        )
    return segments


def segment_transcripts(transcripts: Sequence[Transcript]) -> list[Segment]:
    """Segments of every transcript, in transcript then turn order."""
    return [segment for t in transcripts for segment in segment_transcript(t)]
