"""Speaker labels we recognise, and which side of the interview they usually belong to.

Used twice: to tell real speaker labels from a participant's "For example:" paragraph, and
to decide who the interviewer is before falling back to who asks the questions.
"""

from __future__ import annotations

import re

INTERVIEWER_LABELS = frozenset(
    {
        "assistant", "ai", "interviewer", "q", "question", "moderator", "facilitator",
        "researcher", "host", "bot", "claude", "chatgpt", "gpt", "agent", "model",
        "ai interviewer", "anthropic interviewer", "int", "i",
    }
)  # fmt: skip
PARTICIPANT_LABELS = frozenset(
    {
        "user", "human", "participant", "respondent", "a", "answer", "interviewee",
        "customer", "guest", "subject", "candidate", "resp", "r", "p",
    }
)  # fmt: skip
_INTERVIEWER_PREFIX = re.compile(r"^(interviewer|moderator|facilitator|researcher)\b")
_PARTICIPANT_PREFIX = re.compile(r"^(participant|respondent|interviewee|p\d+$|r\d+$)")
_NEUTRAL = re.compile(r"^(speaker|spk|person|voice)\s*[#_-]?\s*\w{1,3}$")


def label_key(label: str) -> str:
    """Case- and spacing-insensitive form used for matching labels."""
    return " ".join(label.replace("*", "").replace("_", " ").split()).casefold()


def label_side(label: str) -> str:
    """ "interviewer", "participant", "neutral" (Speaker 1) or "" for unknown labels."""
    key = label_key(label)
    if key in INTERVIEWER_LABELS or _INTERVIEWER_PREFIX.match(key):
        return "interviewer"
    if key in PARTICIPANT_LABELS or _PARTICIPANT_PREFIX.match(key):
        return "participant"
    if _NEUTRAL.match(key):
        return "neutral"
    return ""


def looks_like_name(label: str) -> bool:
    """A person's name or a short title-case label, not a sentence fragment."""
    words = label.split()
    if not 1 <= len(words) <= 4 or len(label) > 40:
        return False
    return all(w[0].isupper() or not w[0].isalpha() for w in words)
