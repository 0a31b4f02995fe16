"""Header blocks above a transcript: ``# Dialog 00771``, ``**Transcript ID:** work_0487``, ``---``.

The header can carry the transcript id, a cohort and attributes such as date or role; it must
never be mistaken for the first speaker turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_KEY_VALUE = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\*\*|__)?(?P<key>[A-Za-z][\w ./-]{0,30}?)\s*(?:\*\*|__)?\s*:"
    r"(?:\*\*|__)?\s*(?P<value>.*?)\s*$"
)
_TITLE_ID = re.compile(
    r"^(?P<kind>dialog(?:ue)?|transcript|interview|session|conversation)\s*"
    r"(?:id|no\.?|number)?\s*[:#]?\s*(?P<id>[A-Za-z0-9][\w.-]{0,60})$",
    re.I,
)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")
ID_KEYS = frozenset(
    {
        "transcript id", "transcript", "id", "interview id", "participant id", "dialog id",
        "dialogue id", "conversation id", "session id", "respondent id", "transcript_id",
    }
)  # fmt: skip
ROLE_KEYS = frozenset(
    {"role", "occupation", "job", "job title", "job_title", "position", "profession", "title/role"}
)
HEADER_KEYS = ID_KEYS | ROLE_KEYS | frozenset(
    {
        "title", "date", "time", "duration", "location", "cohort", "group", "language",
        "source", "recorded", "recording", "tags", "attendees", "format", "study", "project",
        "industry", "sector", "seniority", "country", "age", "gender", "organisation",
        "organization", "company", "team", "interviewer name", "participant name", "mode",
        "notes", "note", "summary", "platform", "split",
    }
)  # fmt: skip


@dataclass(slots=True)
class Header:
    transcript_id: str = ""
    cohort: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def attribute_name(key: str) -> str:
    """Normalise a header/metadata key; role-like keys all become ``role``."""
    norm = " ".join(key.replace("_", " ").split()).casefold()
    if norm in ROLE_KEYS:
        return "role"
    return norm.replace(" ", "_")


def is_rule(line: str) -> bool:
    return bool(_RULE.match(line))


def is_header_line(line: str) -> bool:
    """A heading, a known ``Key: value`` pair or a rule: safe to treat as header."""
    if not line.strip() or _RULE.match(line) or _HEADING.match(line):
        return True
    match = _KEY_VALUE.match(line)
    return bool(match and match.group("key").strip().casefold() in HEADER_KEYS)


def parse_header(lines: list[str]) -> Header:
    """Collect id, cohort and attributes from header lines; unknown lines are ignored.

    An explicit id line (``**Transcript ID:** work_0487``) beats an id guessed from a
    heading (``# Dialog 07``) wherever each appears: the heading is often a display title
    written by hand, the id line is what the researcher's other files (metadata, labels)
    refer to.
    """
    header = Header()
    explicit_id = False
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            title = heading.group("title").strip("*_ ")
            found = _TITLE_ID.match(title)
            if found and not header.transcript_id:
                header.transcript_id = f"{found.group('kind').lower()}_{found.group('id')}"
            elif title:
                header.attributes.setdefault("title", title)
            continue
        pair = _KEY_VALUE.match(line)
        if not pair or not pair.group("value"):
            continue
        key = pair.group("key").strip().casefold()
        value = pair.group("value").strip("*_ ")
        if key in ID_KEYS:
            if not explicit_id:
                header.transcript_id, explicit_id = value, True
        elif key in {"cohort", "group", "split"}:
            header.cohort = header.cohort or value
        elif key in HEADER_KEYS:
            header.attributes[attribute_name(key)] = value
    return header
