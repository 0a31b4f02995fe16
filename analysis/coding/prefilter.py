"""RE2 prefilter for cue scans: skip Python's backtracking scan when a code cannot match.

Why: scanning every answer with every code's joined cue pattern in Python's ``re`` was
~1.7 ms per answer (32 codes), the bulk of coding time, and a million-answer corpus is
scanned at least once. Most (answer, code) pairs have no hit (96% on the real corpus).
RE2 answers "is there any match?" in linear time, about six times faster, but its
semantics differ from ``re`` in places (no lookarounds or backreferences, ASCII-only
``\\w``/``\\s``, ``$`` only at the very end). So RE2 is only ever a filter: when it says
"no match" the Python scan is skipped, otherwise the Python scan runs and decides
everything (hits, sentences, negation), so results are those of ``re`` alone.

A "no" from RE2 is trusted only where both engines agree by construction: the pattern
compiled in RE2 and uses no anchors whose meaning differs (``$``, ``^``, ``\\A``, ``\\Z``),
and the text is printable ASCII plus tab/newline/CR, where ``\\w``, ``\\s``, ``\\d`` and
``\\b`` mean the same in both. Lookarounds, which RE2 lacks, are dropped from the filter's
copy of the pattern: an assertion only ever rules matches out, so the copy matches a
superset and its "no" still proves there is no match. ``tests/coding/test_prefilter.py``
checks on the real corpus that the filter never hides a match, and coding the whole
corpus gives the same assignments with and without it (lexical coding CPU 32.9 s -> 11.6 s).
"""

from __future__ import annotations

import re
from typing import Any

import re2

_PLAIN_TEXT = re.compile(r"[\x20-\x7e\t\n\r]*")
_ANCHORS = re.compile(r"\$|\^|\\A|\\Z|\\z|\\G")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # patterns RE2 refuses are expected (lookarounds): no stderr noise


def without_lookarounds(pattern: str) -> str:
    """``pattern`` with every ``(?=…)``, ``(?!…)``, ``(?<=…)`` and ``(?<!…)`` removed.

    Character classes and escapes are skipped over, so a ``(`` inside ``[(]`` or ``\\(``
    is not taken for a group.
    """
    out: list[str] = []
    i, depth_skip, depth = 0, -1, 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        keep = depth_skip < 0
        if char == "\\":
            if keep:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if keep and pattern[i + 1 : i + 2] == "]":  # '[]…]': the ']' is a member
                out.append("[]")
                i += 2
                continue
        elif char == "(":
            if keep and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                depth_skip, keep = depth, False
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == depth_skip:
                depth_skip = -1
                i += 1
                continue
        if keep:
            out.append(char)
        i += 1
    return "".join(out)


def compile_filter(pattern: re.Pattern[str] | None) -> Any | None:
    """An RE2 regex that matches plain text wherever ``pattern`` does (or more), or None."""
    if pattern is None or pattern.flags & ~(re.UNICODE | re.ASCII):
        return None
    if _ANCHORS.search(pattern.pattern):
        return None
    try:
        return re2.compile(without_lookarounds(pattern.pattern), _OPTIONS)
    except re2.error:
        return None


def plain_bytes(text: str) -> bytes | None:
    """``text`` as bytes when the filter applies to it (printable ASCII), else None.

    Encoded once per answer: RE2's wrapper would otherwise encode it again for every code.
    """
    return text.encode("ascii") if _PLAIN_TEXT.fullmatch(text) is not None else None


def may_match(rx_filter: Any | None, text: bytes | None) -> bool:
    """False only when the RE2 filter proves the Python pattern has no match in the text
    (``text``: ``plain_bytes`` of it)."""
    if rx_filter is None or text is None:
        return True
    return rx_filter.search(text) is not None
