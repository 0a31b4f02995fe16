"""What a format parser hands back before roles, ids and cohorts are settled.

Parsers only know who spoke and what was said; deciding which speaker is the interviewer,
making ids unique and attaching metadata happen once, for every format, in ``build``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawTurn:
    speaker: str
    text: str
    role_hint: str = ""
    """"interviewer"/"participant" when the format itself says so (chat roles), else ""."""


@dataclass(slots=True)
class RawTranscript:
    turns: list[RawTurn]
    transcript_id: str = ""
    """Id found in the content (column, header line, JSON key); "" lets ``build`` derive one."""
    cohort: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    location: str = ""
    """Where in the file it came from ("row 12", "line 3"), for messages."""


@dataclass(slots=True)
class ParsedFile:
    transcripts: list[RawTranscript]
    encoding: str = ""
    multi: bool = False
    """True for formats that hold many transcripts (datasets, JSONL): the file names the cohort."""
    warnings: list[str] = field(default_factory=list)
