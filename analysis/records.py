"""Typed records that flow one way through the pipeline.

files -> ``Transcript``/``Turn`` -> ``Segment`` -> (embeddings, topics, codes) -> tables.

Records are plain dataclasses so every stage can be tested on hand-made values; the
later stages work on pandas DataFrames whose column names are listed in
``analysis.tables`` (they are a public contract of the CLI output files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["interviewer", "participant"]
FileStatus = Literal["parsed", "rejected"]


class IngestError(Exception):
    """The one exception type the parsers raise for input they cannot read.

    Its message is a one-line, human-readable reason that never quotes transcript text,
    so it can be shown to the user and written to logs.
    """


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn; ``index`` is its position in the transcript (0-based)."""

    index: int
    speaker: str
    role: Role
    text: str


@dataclass(slots=True)
class Transcript:
    """One interview: who said what, in order, plus where it came from."""

    transcript_id: str
    cohort: str
    source_file: str
    turns: list[Turn]
    encoding: str = "utf-8"
    attributes: dict[str, str] = field(default_factory=dict)
    interviewer_speaker: str = ""

    @property
    def participant_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role == "participant" and t.text.strip()]


@dataclass(frozen=True, slots=True)
class Segment:
    """One participant answer with the interviewer question that prompted it.

    ``question`` holds only the question sentence(s) of the preceding interviewer turn;
    ``question_turn`` keeps that whole turn (preamble included) for context.
    """

    transcript_id: str
    segment_index: int
    turn_index: int
    question: str
    answer: str
    question_turn: str = ""


@dataclass(frozen=True, slots=True)
class FileReport:
    """The fate of one input file: parsed (with a transcript count) or rejected (why)."""

    file: str
    status: FileStatus
    transcripts: int = 0
    reason: str = ""
    encoding: str = ""


@dataclass(slots=True)
class IngestResult:
    """Everything ingestion learned about a batch of inputs."""

    transcripts: list[Transcript] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    """(kept transcript id, duplicate transcript id) pairs; duplicates are not analysed."""
    metadata_unmatched: list[str] = field(default_factory=list)
    """Metadata keys that matched no transcript id."""
    warnings: list[str] = field(default_factory=list)
