"""Raw parser output -> typed ``Transcript`` records: ids, cohorts, roles, batch-level checks.

Every format passes through here, so the rules for ids (content, else file stem), cohorts
(content, else multi-transcript file name, else folder/archive), interviewer detection,
duplicates and id collisions are the same whatever the user uploaded.
"""

from __future__ import annotations

import hashlib
import re

from analysis.ingest.labels import label_key
from analysis.ingest.options import IngestOptions
from analysis.ingest.raw import ParsedFile
from analysis.ingest.speakers import decide_roles, main_interviewer
from analysis.records import Transcript, Turn

_ID_UNSAFE = re.compile(r"\s+")
_NORMALISE_MAX_CHARS = 1_000_000


def clean_id(value: str) -> str:
    return _ID_UNSAFE.sub("_", value.strip())[:100]


def build_file_transcripts(
    parsed: ParsedFile,
    *,
    source_file: str,
    stem: str,
    cohort_hint: str,
    options: IngestOptions,
) -> tuple[list[Transcript], list[str]]:
    """Typed transcripts of one file, plus notes on transcripts left out (and why)."""
    transcripts: list[Transcript] = []
    notes: list[str] = []
    single = len(parsed.transcripts) == 1
    for number, raw in enumerate(parsed.transcripts, start=1):
        fallback = stem if single else f"{stem}_{number:04d}"
        transcript_id = clean_id(raw.transcript_id) or clean_id(fallback)
        override = options.interviewer_for(transcript_id)
        speakers = {label_key(t.speaker) for t in raw.turns}
        if override and label_key(override) not in speakers:
            notes.append(f"{transcript_id}: interviewer override {override!r} names no speaker")
        roles = decide_roles(raw.turns, override)
        turns = [
            Turn(index=i, speaker=t.speaker, role=roles[t.speaker], text=t.text)
            for i, t in enumerate(raw.turns)
        ]
        transcript = Transcript(
            transcript_id=transcript_id,
            cohort=raw.cohort.strip() or (stem if parsed.multi else cohort_hint),
            source_file=source_file,
            turns=turns,
            encoding=parsed.encoding or "utf-8",
            attributes=dict(raw.attributes),
            interviewer_speaker=main_interviewer(turns),
        )
        if not transcript.participant_turns:
            where = raw.location or transcript_id
            notes.append(f"{where}: no participant turns")
            continue
        transcripts.append(transcript)
    return transcripts, notes


def content_key(transcript: Transcript) -> str:
    """Hash of the normalised spoken text: equal for re-exports of the same interview."""
    parts = []
    for turn in transcript.turns:
        # Whitespace-insensitive for normal turns; huge turns are hashed as they are,
        # because splitting tens of MB into words costs seconds for no practical gain.
        text = turn.text if len(turn.text) > _NORMALISE_MAX_CHARS else " ".join(turn.text.split())
        parts.append(text.casefold())
    text = "\n".join(parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def drop_duplicates(
    transcripts: list[Transcript],
) -> tuple[list[Transcript], list[tuple[str, str]]]:
    """Keep the first of each set of identical transcripts; return (kept, (kept_id, dup_id))."""
    first_by_key: dict[str, str] = {}
    kept, duplicates = [], []
    for transcript in transcripts:
        key = content_key(transcript)
        if key in first_by_key:
            duplicates.append((first_by_key[key], transcript.transcript_id))
            continue
        first_by_key[key] = transcript.transcript_id
        kept.append(transcript)
    return kept, duplicates


def make_ids_unique(transcripts: list[Transcript]) -> list[str]:
    """Suffix colliding ids (``x``, ``x_2``, ...) in place; return one message per rename."""
    seen: set[str] = {t.transcript_id for t in transcripts}
    used: set[str] = set()
    messages = []
    for transcript in transcripts:
        original = transcript.transcript_id
        if original not in used:
            used.add(original)
            continue
        n = 2
        while f"{original}_{n}" in used or f"{original}_{n}" in seen:
            n += 1
        transcript.transcript_id = f"{original}_{n}"
        used.add(transcript.transcript_id)
        messages.append(
            f"transcript id {original!r} used more than once; "
            f"the copy from {transcript.source_file} is now {transcript.transcript_id!r}"
        )
    return messages
