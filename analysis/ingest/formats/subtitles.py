"""Meeting-tool captions: WebVTT (``<v Name>`` voice tags or ``Name:`` prefixes) and SubRip.

Captions split speech into short cues; consecutive cues of one speaker are merged into one
turn so an answer is not cut into dozens of fragments.
"""

from __future__ import annotations

import html
import re

from analysis.ingest.formats.header import parse_header
from analysis.ingest.formats.plaintext import split_turns
from analysis.ingest.raw import RawTranscript
from analysis.records import IngestError

_TIMING = re.compile(r"^\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]{1,60})>")
_TAG = re.compile(r"</?[^>\n]{0,80}>")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _cues(text: str) -> list[tuple[str, str]]:
    """(voice speaker or "", cue text) for every cue block that has a timing line."""
    cues = []
    for block in _BLANK_LINES.split(text):
        lines = block.strip("\n").split("\n")
        timing = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing is None:
            continue
        body = " ".join(line.strip() for line in lines[timing + 1 :] if line.strip())
        voice = _VOICE.search(body)
        speaker = " ".join(voice.group(1).split()) if voice else ""
        plain = html.unescape(_TAG.sub("", body)).strip()
        if plain or speaker:
            cues.append((speaker, plain))
    return cues


def parse_captions(text: str) -> RawTranscript:
    """One transcript from VTT or SRT text; ``IngestError`` without cues or speakers."""
    cues = _cues(text)
    if not cues:
        raise IngestError("unknown structure: no caption cues found")
    # Voice tags become "Name: text" lines; cues without a speaker continue the previous turn.
    lines = [f"{speaker}: {plain}" if speaker else plain for speaker, plain in cues]
    turns, _ = split_turns("\n".join(lines), merge_same_speaker=True)
    if len({t.speaker for t in turns}) < 2:
        raise IngestError("unknown structure: captions name fewer than two speakers")
    for turn in turns:
        turn.text = " ".join(turn.text.split())
    header = parse_header([line for line in text.split("\n")[:5] if ":" in line])
    return RawTranscript(turns=turns, attributes=header.attributes)
