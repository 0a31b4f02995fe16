"""Labelled plain text: ``Interviewer: ...``, ``[00:01:23] Name: ...``, Otter's ``Speaker 1  0:00``.

This is the workhorse: .txt/.md files, dataset text cells and .docx paragraphs all end here.
A line only starts a turn when its label is *consistent* within the transcript (a known role
label, a timestamped cue, or a name that recurs), so a participant's own "For example:"
paragraph stays inside their answer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from analysis.ingest.formats.header import HEADER_KEYS, is_header_line, is_rule, parse_header
from analysis.ingest.labels import label_key, label_side, looks_like_name
from analysis.ingest.raw import RawTranscript, RawTurn
from analysis.records import IngestError

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?:[ \t]?[AaPp][Mm])?"
_LABEL = r"(?P<label>[^\W\d_][\w.'’ -]{0,39}?(?:[ \t]*\([^()\n:]{1,30}\))?)"
_LABEL_LINE = re.compile(
    rf"[ \t]*(?:\[(?P<ts1>{TIMESTAMP})\][ \t]*(?:[-–][ \t]*)?"
    rf"|\(?(?P<ts2>{TIMESTAMP})\)?[ \t]+(?:[-–][ \t]+)?)?"
    rf"(?:\*\*|__)?{_LABEL}[ \t]*(?:[\[(](?P<ts3>{TIMESTAMP})[\])][ \t]*)?"
    r"(?:\*\*|__)?:(?:\*\*|__)?(?=[ \t]|$)"
)
_CUE_HEADER = re.compile(
    rf"[ \t]*(?:\*\*|__)?{_LABEL}(?:\*\*|__)?[ \t]+(?:\|[ \t]*)?\(?(?P<ts>{TIMESTAMP})\)?[ \t]*$"
)
_LEADING_STAMP = re.compile(rf"[\[(]{TIMESTAMP}[\])][ \t]*")
_MANY_BLANKS = re.compile(r"\n{3,}")
_MAX_LEADING_HEADER_LINES = 60
_STRAY_MAX_COUNT = 3
_PREFIX_CHARS = 160
_STRAY_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class _Candidate:
    key: str
    label: str
    text: str
    timestamped: bool


def _candidate(line: str) -> _Candidate | None:
    if ":" not in line[:_PREFIX_CHARS]:  # every label line and timestamp has a colon early
        return None
    match = _LABEL_LINE.match(line)
    if match:
        label = " ".join(match.group("label").split())
        timestamped = bool(match.group("ts1") or match.group("ts2") or match.group("ts3"))
        text = line[match.end() :].strip()
        stamp = _LEADING_STAMP.match(text)  # Rev: "Speaker 1: (00:05)"
        if stamp:
            text, timestamped = text[stamp.end() :], True
        return _Candidate(label_key(label), label, text, timestamped)
    cue = _CUE_HEADER.match(line)
    if cue:
        label = " ".join(cue.group("label").split())
        return _Candidate(label_key(label), label, "", True)
    return None


def _leading_header_end(lines: list[str]) -> int:
    """Index of the first line after a header block (front matter, headings, id lines)."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if first < len(lines) and is_rule(lines[first]):
        for j in range(first + 1, min(len(lines), first + _MAX_LEADING_HEADER_LINES)):
            if is_rule(lines[j]):
                return j + 1
    end = first
    while end < min(len(lines), _MAX_LEADING_HEADER_LINES) and is_header_line(lines[end]):
        end += 1
    return end


def _both_sides(keys: set[str], sides: dict[str, str]) -> bool:
    found = [sides[k] for k in keys]
    return {"interviewer", "participant"} <= set(found) or found.count("neutral") > 1


def _without_stray_labels(
    keys: set[str], counts: Counter, sides: dict[str, str], first: str
) -> set[str]:
    """Drop rare labels ("A:" twice in a 40-turn AI/User interview) that quote a list."""
    top = max(counts[k] for k in keys)
    kept = set(keys)
    for key in sorted(keys, key=lambda k: counts[k]):
        rare = counts[key] <= _STRAY_MAX_COUNT and counts[key] < _STRAY_SHARE * top
        if rare and key != first and _both_sides(kept - {key}, sides):
            kept.discard(key)
    return kept


def _short_named_exchange(
    candidates: dict[int, _Candidate], labels: dict[str, str], body_lines: int
) -> set[str]:
    """A short exchange where *every* line is "Name: text" needs no recurring names."""
    keys = set(labels)
    if (
        len(candidates) == body_lines
        and 2 <= len(keys) <= 4
        and all(looks_like_name(labels[k]) and k not in HEADER_KEYS for k in keys)
    ):
        return keys
    return set()


def _accepted_keys(candidates: dict[int, _Candidate], body_lines: int) -> set[str]:
    counts = Counter(c.key for c in candidates.values())
    labels = {c.key: c.label for c in candidates.values()}
    sides = {key: label_side(label) for key, label in labels.items()}
    timed = {c.key for c in candidates.values() if c.timestamped}
    first = candidates[min(candidates)].key if candidates else ""
    # A known label used once mid-answer ("Question: ...") is prose, not a speaker, unless
    # the transcript needs it to have both an interviewer and a participant at all.
    known = {key for key, side in sides.items() if side and (counts[key] >= 2 or key == first)}
    every_known = {key for key, side in sides.items() if side}
    if not _both_sides(known, sides) and _both_sides(every_known, sides):
        known = every_known
    names = {
        key
        for key, n in counts.items()
        if n >= 2 and key not in HEADER_KEYS and looks_like_name(labels[key])
    }
    if sum(1 for c in candidates.values() if c.timestamped) >= 2:
        return timed | known
    if _both_sides(known, sides):
        return _without_stray_labels(known, counts, sides, first)
    if known:
        return known | names
    if len(names) >= 2:
        return names
    return _short_named_exchange(candidates, labels, body_lines)


def split_turns(text: str, *, merge_same_speaker: bool = False) -> tuple[list[RawTurn], list[str]]:
    """Split text into speaker turns; also return the lines above the first turn (header)."""
    lines = text.split("\n")
    body_start = _leading_header_end(lines)
    candidates = {}
    for i in range(body_start, len(lines)):
        found = _candidate(lines[i])
        if found:
            candidates[i] = found
    body_lines = sum(1 for line in lines[body_start:] if line.strip())
    accepted = _accepted_keys(candidates, body_lines)
    header_lines = lines[:body_start]
    turns: list[tuple[str, list[str], bool]] = []
    display: dict[str, str] = {}
    for i in range(body_start, len(lines)):
        cand = candidates.get(i)
        if cand is not None and cand.key in accepted:
            label = display.setdefault(cand.key, cand.label)
            turns.append((label, [cand.text] if cand.text else [], cand.timestamped))
        elif turns:
            turns[-1][1].append(lines[i])
        else:
            header_lines.append(lines[i])
    merge = merge_same_speaker or any(timed for _, _, timed in turns)
    raw: list[RawTurn] = []
    for label, body, _ in turns:
        chunk = "\n".join(body).strip()
        if "\n\n\n" in chunk:
            chunk = _MANY_BLANKS.sub("\n\n", chunk)
        if merge and raw and raw[-1].speaker == label:
            raw[-1].text = f"{raw[-1].text}\n\n{chunk}".strip() if chunk else raw[-1].text
        else:
            raw.append(RawTurn(speaker=label, text=chunk))
    return raw, header_lines


def parse_labelled_text(text: str, *, location: str = "") -> RawTranscript:
    """One transcript from labelled text, or ``IngestError`` when no speakers are found."""
    turns, header_lines = split_turns(text)
    if not turns:
        raise IngestError("unknown structure: no consistent speaker labels found")
    if len({t.speaker for t in turns}) < 2:
        raise IngestError("unknown structure: only one speaker found")
    header = parse_header(header_lines)
    return RawTranscript(
        turns=turns,
        transcript_id=header.transcript_id,
        cohort=header.cohort,
        attributes=header.attributes,
        location=location,
    )
