"""Chat exports: JSON (a message list, ``{"messages": [...]}``, a list of those) and JSONL.

JSONL comes two ways: one conversation per line, or one message per line (grouped by a
conversation id when present). A bad JSONL line is reported by number and skipped.
"""

from __future__ import annotations

import json
from typing import Any

from analysis.ingest.raw import ParsedFile, RawTranscript, RawTurn
from analysis.records import IngestError

ROLE_KEYS = ("role", "speaker", "author", "from", "sender", "name")
CONTENT_KEYS = ("content", "text", "value", "message", "body", "utterance")
MESSAGE_LIST_KEYS = (
    "messages",
    "chat_messages",
    "conversation",
    "turns",
    "dialog",
    "dialogue",
    "chat",
    "transcript",
)
COLLECTION_KEYS = ("conversations", "transcripts", "dialogs", "interviews", "data", "items")
ID_KEYS = (
    "transcript_id", "conversation_id", "dialog_id", "session_id", "interview_id", "uuid", "id",
)  # fmt: skip
GROUP_KEYS = ("transcript_id", "conversation_id", "dialog_id", "session_id", "interview_id")
"""Keys that tie one-message-per-line JSONL rows to a conversation (not message ids)."""
_INTERVIEWER_ROLES = {"assistant", "ai", "bot", "model", "gpt", "interviewer", "claude", "chatbot"}
_PARTICIPANT_ROLES = {"user", "human", "participant", "respondent", "interviewee", "customer"}
_SKIPPED_ROLES = {"system", "tool", "function", "developer"}
_MAX_LINE_WARNINGS = 5


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise IngestError(f"{where}JSON nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(f"{where}invalid JSON (line {exc.lineno}, column {exc.colno})") from exc
    except ValueError as exc:
        raise IngestError(f"{where}invalid JSON") from exc


def _text(value: Any) -> str:
    """Message content as text; content-part lists keep only their text parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = value.get("parts", value.get("text", ""))
        if isinstance(value, str):
            return value
    if isinstance(value, list):
        parts = [
            p if isinstance(p, str) else p.get("text") for p in value if isinstance(p, str | dict)
        ]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def _speaker(message: dict) -> str:
    for key in ROLE_KEYS:
        value = message.get(key)
        if isinstance(value, dict):  # {"author": {"role": "user"}}
            value = value.get("role") or value.get("name")
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return ""


def _is_message(obj: Any) -> bool:
    return isinstance(obj, dict) and bool(_speaker(obj)) and any(k in obj for k in CONTENT_KEYS)


def _content(message: dict) -> str:
    for key in CONTENT_KEYS:
        if key in message:
            return _text(message[key]).strip()
    return ""


def _conversation(obj: Any) -> tuple[list, dict] | None:
    """(messages, other top-level fields) when ``obj`` looks like one conversation."""
    if isinstance(obj, list) and obj and all(_is_message(m) for m in obj if m is not None):
        return obj, {}
    if isinstance(obj, dict):
        for key in MESSAGE_LIST_KEYS:
            messages = obj.get(key)
            if isinstance(messages, list) and any(_is_message(m) for m in messages):
                meta = {k: v for k, v in obj.items() if k != key}
                return messages, meta
    return None


def _raw(messages: list, meta: dict, location: str) -> RawTranscript:
    turns = []
    for message in messages:
        if not _is_message(message):
            continue
        speaker = _speaker(message)
        role = speaker.casefold()
        if role in _SKIPPED_ROLES:
            continue
        hint = (
            "interviewer"
            if role in _INTERVIEWER_ROLES
            else "participant"
            if role in _PARTICIPANT_ROLES
            else ""
        )
        text = _content(message)
        if turns and turns[-1].speaker == speaker:
            turns[-1].text = f"{turns[-1].text}\n\n{text}".strip()
        else:
            turns.append(RawTurn(speaker=speaker, text=text, role_hint=hint))
    raw = RawTranscript(turns=turns, location=location)
    for key in ID_KEYS:
        if isinstance(meta.get(key), str | int) and str(meta[key]).strip():
            raw.transcript_id = str(meta[key]).strip()
            break
    extra = meta.get("metadata") if isinstance(meta.get("metadata"), dict) else {}
    for key, value in {**meta, **extra}.items():
        if key in ID_KEYS or not isinstance(value, str | int | float):
            continue
        if key == "cohort":
            raw.cohort = str(value)
        else:
            raw.attributes[str(key)] = str(value)
    return raw


def parse_json(text: str) -> ParsedFile:
    data = _loads(text, "")
    single = _conversation(data)
    if single is not None:
        return ParsedFile(transcripts=[_raw(*single, location="")])
    items = data
    if isinstance(data, dict):
        items = next((data[k] for k in COLLECTION_KEYS if isinstance(data.get(k), list)), None)
    if isinstance(items, list):
        found = [(_conversation(item), n) for n, item in enumerate(items, start=1)]
        transcripts = [_raw(*conv, location=f"item {n}") for conv, n in found if conv]
        if transcripts:
            return ParsedFile(transcripts=transcripts, multi=len(transcripts) > 1)
    raise IngestError("unknown JSON structure: no chat messages found")


def parse_jsonl(text: str) -> ParsedFile:
    parsed = ParsedFile(transcripts=[], multi=True)
    grouped: dict[str, list] = {}
    bad = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = _loads(line, f"line {number}: ")
        except IngestError as exc:
            bad += 1
            if bad <= _MAX_LINE_WARNINGS:
                parsed.warnings.append(str(exc))
            continue
        if _is_message(obj):
            key = next((str(obj[k]) for k in GROUP_KEYS if obj.get(k) is not None), "")
            grouped.setdefault(key, []).append(obj)
            continue
        conversation = _conversation(obj)
        if conversation is None:
            bad += 1
            if bad <= _MAX_LINE_WARNINGS:
                parsed.warnings.append(f"line {number}: not a chat message or conversation")
            continue
        parsed.transcripts.append(_raw(*conversation, location=f"line {number}"))
    for key, messages in grouped.items():
        meta = {"transcript_id": key} if key else {}
        parsed.transcripts.append(_raw(messages, meta, location="messages"))
    if bad > _MAX_LINE_WARNINGS:
        parsed.warnings.append(f"{bad} lines in all were skipped")
    if not parsed.transcripts:
        reason = parsed.warnings[0] if parsed.warnings else "no lines"
        raise IngestError(f"no conversations found ({reason})")
    parsed.multi = len(parsed.transcripts) > 1
    return parsed
