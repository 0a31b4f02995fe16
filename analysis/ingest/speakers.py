"""Who is the interviewer? Known labels first, then who asks the questions and speaks first.

The decision is automatic but never final: ``IngestOptions.interviewer_override`` (per
transcript or ``"*"``) names the interviewer label, and ``speaker_summary`` shows the
evidence the upload page needs to offer that override.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from analysis.ingest.labels import label_key, label_side
from analysis.ingest.raw import RawTurn
from analysis.records import IngestResult, Role, Transcript, Turn


def _question_share(texts: list[str]) -> float:
    return sum("?" in t for t in texts) / max(1, len(texts))


def _mean_words(texts: list[str]) -> float:
    return sum(len(t.split()) for t in texts) / max(1, len(texts))


def decide_roles(turns: list[RawTurn], override: str | None = None) -> dict[str, Role]:
    """Map every speaker label of one transcript to interviewer or participant."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    if override:
        wanted = label_key(override)
        if any(label_key(s) == wanted for s in speakers):
            return {s: "interviewer" if label_key(s) == wanted else "participant" for s in speakers}
    hinted = {t.speaker: t.role_hint for t in turns if t.role_hint}
    sides = {s: hinted.get(s) or label_side(s) for s in speakers}
    if any(v == "interviewer" for v in sides.values()):
        return {s: "interviewer" if sides[s] == "interviewer" else "participant" for s in speakers}
    if any(v == "participant" for v in sides.values()):
        return {s: "participant" if sides[s] == "participant" else "interviewer" for s in speakers}
    texts: dict[str, list[str]] = defaultdict(list)
    for turn in turns:
        texts[turn.speaker].append(turn.text)
    shortest = min(speakers, key=lambda s: _mean_words(texts[s]))

    def score(speaker: str) -> float:
        return (
            2.0 * _question_share(texts[speaker])
            + (0.75 if speaker == speakers[0] else 0.0)
            + (0.5 if speaker == shortest else 0.0)
        )

    interviewer = max(speakers, key=score)  # max keeps the earliest speaker on ties
    return {s: "interviewer" if s == interviewer else "participant" for s in speakers}


def main_interviewer(turns: list[Turn]) -> str:
    """The interviewer label with the most turns (``AI`` rather than the one-off ``Assistant``)."""
    counts: dict[str, int] = defaultdict(int)
    for turn in turns:
        if turn.role == "interviewer":
            counts[turn.speaker] += 1
    return max(counts, key=lambda s: counts[s]) if counts else ""


def apply_interviewer_override(result: IngestResult, override: dict[str, str]) -> list[str]:
    """Re-assign roles in place from ``{transcript_id or "*": interviewer label}``.

    Lets the upload page apply the user's choice without parsing the files again. Returns
    messages for overrides that name a speaker the transcript does not have.
    """
    messages = []
    for transcript in result.transcripts:
        label = override.get(transcript.transcript_id) or override.get("*")
        if not label:
            continue
        if not any(label_key(t.speaker) == label_key(label) for t in transcript.turns):
            messages.append(f"{transcript.transcript_id}: no speaker named {label!r}")
            continue
        set_roles(transcript, label)
    return messages


def set_roles(transcript: Transcript, interviewer_label: str) -> None:
    """Make ``interviewer_label`` the only interviewer of ``transcript``."""
    wanted = label_key(interviewer_label)
    transcript.turns = [
        Turn(
            index=t.index,
            speaker=t.speaker,
            role="interviewer" if label_key(t.speaker) == wanted else "participant",
            text=t.text,
        )
        for t in transcript.turns
    ]
    transcript.interviewer_speaker = main_interviewer(transcript.turns)


def speaker_summary(result: IngestResult) -> pd.DataFrame:
    """One row per (transcript, speaker): role, turns and question turns, for the override UI."""
    rows = []
    for transcript in result.transcripts:
        stats: dict[str, list] = {}
        for turn in transcript.turns:
            row = stats.setdefault(turn.speaker, [turn.role, 0, 0])
            row[1] += 1
            row[2] += "?" in turn.text
        rows.extend(
            (transcript.transcript_id, speaker, role, n_turns, n_questions)
            for speaker, (role, n_turns, n_questions) in stats.items()
        )
    return pd.DataFrame(
        rows, columns=["transcript_id", "speaker", "role", "n_turns", "n_questions"]
    ).astype({"n_turns": "int64", "n_questions": "int64"})
