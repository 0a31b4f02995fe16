"""Optional, best-effort PII redaction with consistent pseudonyms per participant.

Researchers often show quotes and share exports with people who must not learn who said
what, or whom they talked about. This module replaces emails, URLs, phone numbers and
person names with numbered placeholders (``[NAME-1]``, ``[EMAIL-1]``…) that stay the same
within one participant's transcript, so a reader can still follow "[NAME-1] reviews what
I draft" across several quotes. It is deliberately pattern-based and offline:

- emails, URLs and phone numbers: regular expressions (phones need 9–15 digits, or a
  leading ``+`` / a bracketed area code, so years, ranges and counts stay untouched);
- names: a title ("Dr", "Ms"…) before a capitalised word, or a first name from a
  gazetteer, optionally followed by a capitalised surname. The gazetteer is the
  first-name lists that the MIT-licensed ``faker`` package ships for Latin-script locales
  (English, Indian English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
  Swedish, Turkish, Indonesian and romanised Chinese/Japanese/Vietnamese), minus names that
  are also everyday English words, months, places or AI products ("May", "Grace",
  "Claude", "Alexa"). No model is downloaded or run.

It finds no names outside that list and can miss or over-match: the app says so wherever
the switch is offered. Nothing here is an anonymisation guarantee.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pandas as pd

from analysis.results import AnalysisResult

KINDS = ("EMAIL", "URL", "PHONE", "NAME")
"""Placeholder kinds, in the priority order used when two matches overlap."""

NAME_LOCALES = (
    "en_US", "en_GB", "en_IN", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "pt_BR",
    "nl_NL", "pl_PL", "sv_SE", "tr_TR", "id_ID", "zh_CN", "ja_JP", "vi_VN",
)
_NAME_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female",
                    "first_names_nonbinary", "first_romanized_names")

_COMMON_TEXT = """
will may june july april august march mark bill grace hope joy faith rose lily ivy daisy
holly dawn summer autumn winter spring sunny chase guy max don else said case long page ray
dean frank glen grant lane lance miles norman victor wade walker young king major master
sterling hunter cash gene iris jade ruby amber crystal pearl violet hazel olive ginger honey
sage river storm robin jay drew sandy rusty buck duke earl price judge love star unity
liberty justice patience prudence constance felicity harmony trinity destiny charity mercy
angel queen princess precious miracle heaven bliss nova aurora rich pat art bob rob sky
paris london sydney austin dallas houston florence georgia virginia carolina chelsea india
asia israel victoria lincoln washington jackson madison orlando denver savannah sierra
dakota montana nevada phoenix brooklyn china jordan africa america europe
claude gemini alexa siri cortana jasper bard copilot llama otter perplexity mistral julia
ada python notion slack zoom teams excel word outlook canva figma jira meta dev server
junior senior job jet sem edit roman german christian among peer pastor island empire league
monday tuesday wednesday thursday friday saturday sunday
hi hello thanks yes no ok okay sure well so but and the this that then there here they
de la le el van von der den do da di du des del los las san santa
"""
COMMON_WORDS = frozenset(_COMMON_TEXT.split())
"""Gazetteer names that are far more often ordinary words in transcripts about work."""

HONORIFICS = ("Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Professor", "Sir", "Dame")

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_CAP = rf"[{_UPPER}][{_LOWER}]+(?:['’-][{_UPPER}]?[{_LOWER}]+)*"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'`]+"
    r"|\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"(?:com|org|net|edu|gov|io|ai|co|uk|de|fr|app|dev|info|biz|me|us|ca|au)\b"
    r"(?:/[^\s<>\"'`]*)?",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){0,4}(?!\w)"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_DIGIT = re.compile(r"\d")
_TLD_HINT = re.compile(r"[a-z0-9]\.(?:com|org|net|edu|gov|io|ai|co|uk|de|fr|app|dev|info|biz|me|"
                       r"us|ca|au)\b")
_HONORIFIC_NAME = re.compile(
    rf"\b(?:{'|'.join(HONORIFICS)})\.?\s+{_CAP}(?:\s+{_CAP})?"
)
_CAP_WORD = re.compile(_CAP)
_TRAILING = ".,;:!?)]}'\"’"


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first-name gazetteer (casefolded), built once from faker's locale lists."""
    names: set[str] = set()
    for locale in NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute in _NAME_ATTRIBUTES:
            values = getattr(provider, attribute, None) or ()
            for name in values:
                if " " not in name and len(name) >= 3 and _CAP_WORD.fullmatch(name):
                    names.add(name.casefold())
    return frozenset(names - COMMON_WORDS)


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    kind: str
    key: str
    """What identifies the same person/address again (casefolded, separators removed)."""


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    groups = re.findall(r"\d+", text)
    if all(_YEAR.fullmatch(g) for g in groups):
        return False  # "2019 2020", "2023-2024"
    if text.startswith("+") or "(" in text:
        return 8 <= len(digits) <= 15
    return 9 <= len(digits) <= 15 and len(groups) <= 5


def _names(text: str) -> list[Match]:
    found: list[Match] = []
    titled = any(title in text for title in HONORIFICS)
    for match in _HONORIFIC_NAME.finditer(text) if titled else ():
        words = match.group().split()[1:]
        found.append(Match(match.start(), match.end(), "NAME", " ".join(words).casefold()))
    gazetteer = first_names()
    for match in _CAP_WORD.finditer(text):
        if match.group().casefold() not in gazetteer:
            continue
        end, key = match.end(), match.group().casefold()
        surname = _CAP_WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if surname and surname.group().casefold() not in COMMON_WORDS:
            end, key = surname.end(), f"{key} {surname.group().casefold()}"
        found.append(Match(match.start(), end, "NAME", key))
    return found


def find_pii(text: str) -> list[Match]:
    """Non-overlapping PII matches in ``text``, left to right (higher-priority kinds win)."""
    return list(_find_pii(text))


@lru_cache(maxsize=65_536)
def _find_pii(text: str) -> tuple[Match, ...]:
    # Cached: a result holds each answer up to four times (turn, segment, evidence, quote).
    # Cheap substring tests first: the full patterns are tried at every word boundary,
    # which costs seconds on a large corpus that mostly holds none of them.
    candidates: list[Match] = []
    emails = _EMAIL.finditer(text) if "@" in text else ()
    lowered = text.lower()
    maybe_url = "://" in text or "www." in lowered or _TLD_HINT.search(lowered)
    urls = _URL.finditer(text) if maybe_url else ()
    phones = _PHONE.finditer(text) if len(_DIGIT.findall(text)) >= 8 else ()
    for match in emails:
        candidates.append(Match(match.start(), match.end(), "EMAIL", match.group().casefold()))
    for match in urls:
        value = match.group().rstrip(_TRAILING)
        if value:
            key = re.sub(r"^(?:https?://)?(?:www\.)?", "", value.casefold()).rstrip("/")
            candidates.append(Match(match.start(), match.start() + len(value), "URL", key))
    for match in phones:
        if _phone_ok(match.group()):
            key = re.sub(r"\D", "", match.group())
            candidates.append(Match(match.start(), match.end(), "PHONE", key))
    candidates.extend(_names(text))
    priority = {kind: i for i, kind in enumerate(KINDS)}
    candidates.sort(key=lambda m: (priority[m.kind], m.start, -m.end))
    taken: list[Match] = []
    for candidate in candidates:
        if all(candidate.end <= t.start or candidate.start >= t.end for t in taken):
            taken.append(candidate)
    return tuple(sorted(taken, key=lambda m: m.start))


@dataclass(slots=True)
class Pseudonyms:
    """Numbered placeholders per scope (a participant): same key, same placeholder.

    A bare first name that was seen before as the first word of a full name (or the other
    way round) gets that person's number, so "Sarah Jones" and "Sarah" stay one person.
    """

    _numbers: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    replaced: Counter = field(default_factory=Counter)
    """Distinct items replaced (one per participant and person/address), per kind."""
    scopes: set[str] = field(default_factory=set)
    """Scopes (participants) in which anything was replaced."""

    def placeholder(self, scope: str, kind: str, key: str) -> str:
        numbers = self._numbers.setdefault((scope, kind), {})
        if key not in numbers and kind == "NAME":
            first = key.split(" ")[0]
            for known, number in numbers.items():
                if known.split(" ")[0] == first and (" " not in key or " " not in known):
                    numbers[key] = number
                    break
        if key not in numbers:
            numbers[key] = len(set(numbers.values())) + 1
            self.replaced[kind] += 1
        self.scopes.add(scope)
        return f"[{kind}-{numbers[key]}]"

    def redact(self, text: object, scope: str) -> object:
        """``text`` with every match replaced; non-strings pass through unchanged."""
        if not isinstance(text, str) or not text:
            return text
        matches = find_pii(text)
        if not matches:
            return text
        parts, last = [], 0
        for match in matches:
            parts.append(text[last : match.start])
            parts.append(self.placeholder(scope, match.kind, match.key))
            last = match.end
        parts.append(text[last:])
        return "".join(parts)


def redact_text(text: str, scope: str = "", pseudonyms: Pseudonyms | None = None) -> str:
    """One text redacted (a fresh pseudonym table unless one is passed in)."""
    return str((pseudonyms or Pseudonyms()).redact(text, scope))


@dataclass(frozen=True, slots=True)
class RedactionLog:
    """What a redaction pass replaced, for the UI's "best-effort" note."""

    replaced: dict[str, int]
    participants: int

    def describe(self) -> str:
        if not self.replaced:
            return "Nothing was found to redact."
        parts = ", ".join(f"{n} {_PLURAL[kind] if n != 1 else kind.lower()}"
                          for kind, n in self.replaced.items())
        return f"Replaced {parts} in the text of {self.participants} participant(s)."


_PLURAL = {"EMAIL": "emails", "URL": "urls", "PHONE": "phones", "NAME": "names"}
TOPIC_SCOPE = "topics"
"""Scope of topic labels and keywords (they belong to no single participant)."""


def _redact_column(frame: pd.DataFrame, column: str, pseudonyms: Pseudonyms) -> None:
    if column in frame.columns and "transcript_id" in frame.columns:
        scopes = frame["transcript_id"].astype(str)
        frame[column] = [pseudonyms.redact(v, s) for v, s in zip(frame[column], scopes,
                                                                 strict=True)]


def _redact_words(words: object, pseudonyms: Pseudonyms) -> object:
    """Topic keywords are lowercase: a name there is any gazetteer word (``sarah``)."""
    if not isinstance(words, str):
        return words
    gazetteer = first_names()
    out = []
    for word in words.split(", "):
        redacted = str(pseudonyms.redact(word, TOPIC_SCOPE))
        tokens = [pseudonyms.placeholder(TOPIC_SCOPE, "NAME", t) if t in gazetteer else t
                  for t in redacted.split(" ")]
        out.append(" ".join(tokens))
    return ", ".join(out)


def _quote_owner(segments: pd.DataFrame) -> dict[str, str]:
    if not {"answer", "transcript_id"} <= set(segments.columns):
        return {}
    return dict(zip(segments["answer"].astype(str), segments["transcript_id"].astype(str),
                    strict=True))


def redact_result(result: AnalysisResult) -> tuple[AnalysisResult, RedactionLog]:
    """A copy of ``result`` with participant text, quotes, labels and metadata redacted.

    Each transcript's turns are redacted first, in order, so its answers, evidence
    sentences and topic quotes (substrings or copies of those turns) reuse the same
    numbers. Ids, codes, numbers and the input files list are left as they are.
    """
    pseudonyms = Pseudonyms()
    turns = result.turns.copy()
    if {"transcript_id", "turn_index"} <= set(turns.columns):
        turns = turns.sort_values(["transcript_id", "turn_index"], kind="mergesort")
    for column in ("text", "speaker"):
        _redact_column(turns, column, pseudonyms)
    turns = turns.reindex(result.turns.index)
    owners = _quote_owner(result.segments)
    segments = result.segments.copy()
    for column in ("question", "answer", "question_turn"):
        _redact_column(segments, column, pseudonyms)
    if "topic_label" in segments.columns:
        segments["topic_label"] = segments["topic_label"].map(
            lambda v: pseudonyms.redact(v, TOPIC_SCOPE))
    assignments = result.assignments.copy()
    _redact_column(assignments, "evidence", pseudonyms)
    topics = result.topics.copy()
    if "label" in topics.columns:
        topics["label"] = topics["label"].map(lambda v: pseudonyms.redact(v, TOPIC_SCOPE))
    if "top_words" in topics.columns:
        topics["top_words"] = topics["top_words"].map(lambda v: _redact_words(v, pseudonyms))
    if "representative_quotes" in topics.columns:
        topics["representative_quotes"] = topics["representative_quotes"].map(
            lambda quotes: _redact_quotes(quotes, owners, pseudonyms))
    frames = {"turns": turns, "segments": segments, "assignments": assignments,
              "topics": topics}
    for name in ("transcripts", "participants"):
        frame = getattr(result, name).copy()
        for column in [c for c in frame.columns if str(c).startswith("attr.")]:
            _redact_column(frame, column, pseudonyms)
        frames[name] = frame
    redacted = replace(result, **frames)
    log = RedactionLog(replaced={k: pseudonyms.replaced[k] for k in KINDS
                                 if pseudonyms.replaced[k]},
                       participants=len(pseudonyms.scopes - {TOPIC_SCOPE}))
    return redacted, log


def _redact_quotes(quotes: object, owners: dict[str, str], pseudonyms: Pseudonyms) -> object:
    if isinstance(quotes, str):
        return pseudonyms.redact(quotes, owners.get(quotes, TOPIC_SCOPE))
    if isinstance(quotes, list | tuple) or hasattr(quotes, "tolist"):
        items = quotes.tolist() if hasattr(quotes, "tolist") else list(quotes)
        return [pseudonyms.redact(q, owners.get(str(q), TOPIC_SCOPE)) for q in items]
    return quotes
