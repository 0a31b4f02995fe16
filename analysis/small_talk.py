"""Which answers are interview small talk, kept out of the topic fit.

Why: consent replies ("Sounds good, let's start") and closings ("No, I think that covers
it") are in every transcript, so a clustering of all answers spends several topics on them
and each such topic says nothing about AI at work. They are not errors: they stay in the
data with their codes and are put in the outlier topic -1, just not fitted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

SMALL_TALK_MAX_WORDS = 6
"""Answers this short carry no theme of their own ("Nope!", "Sounds good to me")."""

PATTERN_MAX_WORDS = 25
"""Longer answers are substantive even when they open with a politeness formula."""

_PATTERNS = re.compile(
    r"""
    \bno\ (?:more\ |further\ |other\ )?questions?\b
    | \bsounds?\ (?:good|great|fine|perfect|wonderful|ok|okay)\b
    | \b(?:i'?m|i\ am)\ ready\b
    | \bready\ (?:to\ (?:start|begin|go)|when\ you\ are)\b
    | \blet'?s\ (?:start|begin|go|get\ started|do\ it|do\ this)\b
    | \byou\ (?:may|can)\ (?:begin|start|proceed)\b
    | \bfire\ away\b
    | \bgo\ ahead\b
    | \b(?:that'?s|that\ is|i\ think\ that'?s)\ (?:it|all|everything)\b
    | \bcover(?:s|ed)?\ (?:it|everything|all)\b
    | \bnothing\ (?:else|more|to\ add|further)\b
    | \bnot\ (?:really|that\ i\ can\ think\ of)\b
    | \bthank(?:s|\ you)\b(?!\ to\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def word_count(text: str) -> int:
    """Whitespace-separated words (what a reader would count)."""
    return len(text.split())


def is_small_talk(text: str) -> bool:
    """True for trivially short answers and short consent / closing replies."""
    words = word_count(text.replace("\u2019", "'"))
    if words <= SMALL_TALK_MAX_WORDS:
        return True
    return words <= PATTERN_MAX_WORDS and bool(_PATTERNS.search(text.replace("\u2019", "'")))


def small_talk_mask(docs: Sequence[str]) -> np.ndarray:
    """Boolean array, True where ``docs[i]`` is small talk."""
    return np.fromiter((is_small_talk(d) for d in docs), dtype=bool, count=len(docs))
