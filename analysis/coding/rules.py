"""Lexical coder: regex cues from the codebook, matched on each participant answer.

Why lexical first: it is transparent (every assignment points at the words that
triggered it), needs no model, and re-coding after a codebook edit takes seconds because
nothing is embedded. Each code's cues are joined into one compiled pattern and run over
the whole answer once; matches are then mapped to sentences, so 14k answers x 32 codes
stay well inside the time budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from analysis.coding.codebook import Code
from analysis.coding.prefilter import compile_filter, may_match, plain_bytes
from analysis.coding.sentences import sentence_at

NEGATION = re.compile(r"\b(not|no|never|nor|without|hardly|rarely|barely|nothing)\b|n.?t\b")
NEGATION_WINDOW = 25
"""Characters before a cue in which a negation word cancels it ("we have no policy")."""
# Confidence model: one cue hit is decent evidence; more hits in the same answer and an
# answer to the question where the code is expected both make it likelier.
BASE_CUE = 0.6
PER_EXTRA_HIT = 0.1
CONTEXT_BONUS = 0.1
CONTEXT_CUE_ONLY = 0.55
MAX_CONFIDENCE = 0.95

AI_MENTION = re.compile(
    r"\b(ai|a\.i\.|artificial intelligence|chat ?gpt|gpt\S*|claude|gemini|copilot|bard|"
    r"perplexity|grok|llms?|chatbots?|bots?|the (model|tool|assistant)|genai|midjourney)\b"
)
"""An answer (or the question it answers) that mentions AI at all: ``own_use`` codes need
one, so a participant describing their work in general ("a typical project starts with
research") is not coded as bringing AI in for research."""
HYPOTHETICAL = re.compile(
    r"\b(i wish|if only|would love|i.?d love|(it|that|this) would (be|make|help)|why would|"
    r"i (can|could) (see|imagine)|i (see|envision|imagine|hope|expect) (myself|ai|it|that)|"
    r"in the future|someday|one day|eventually|(would|could) (potentially|possibly)|"
    r"if (ai|it|they|the ai|the model|these tools) (could|would|were|was|got))"
)
"""Wishes, hypotheticals and predictions: for ``own_use`` codes a sentence like this is not
evidence of what the participant does now."""
INTERVIEW_COURTESY = re.compile(
    r"\bthank(s|\s+you)\b(?!\s+to\b)"
    r"|\b(enjoy\w*|appreciate\w*)\b.{0,20}"
    r"\b(this|our|the)\s+(conversation|chat|talk|interview|discussion|session|questions)\b"
    r"|\b(nice|great|good|fun|pleasure|lovely)\s+(talking|chatting|to\s+(talk|chat)|"
    r"conversation|chat|discussion|questions)\b"
    r"|\b(glad|happy)\s+to\s+(talk|chat|help|share|participate|answer|contribute|wrap\s+up|end|"
    r"finish|stop)\b"
    r"|\b(glad|happy)\s+(it|this|that|i\s+could)\s+((was|is|could\s+be|be)\s+)?"
    r"(useful|helpful|of\s+(use|help))\b"
    r"|\b(glad|happy)\s+(it|this|i\s+could)\s+helps?\W*$"
    r"|\bhope\s+(that\s+)?(it|this|that)\b.{0,20}\b(useful|helpful|helps)\b"
    r"|\b(we|you)\s+(covered|have\s+covered|.ve\s+covered)\b"
    r"|\b(this|it)\s+(has\s+been|was)\s+(a|an|such\s+a)\s+([a-z]+\s+){0,4}"
    r"(conversation|chat|interview|discussion)\b\W*((for|with)\s+(me|you)\W*)?$"
    r"|\b(no|any)\s+(other\s+|more\s+|further\s+)?questions\b"
)
"""A sentence about the interview itself ("Thank you!", "I have enjoyed this conversation",
"glad it was useful", "happy to talk", "I think we covered the key points"): courtesy to the
interviewer, never evidence for a code ("happy" is not satisfaction with AI). Only short
sentences that do not mention AI (``COURTESY_MAX_WORDS``, ``AI_MENTION``) count, so "I enjoy
the conversation with ChatGPT" stays evidence."""
COURTESY_MAX_WORDS = 20


@dataclass(frozen=True, slots=True)
class CompiledCode:
    """A code's patterns compiled once per coding run."""

    id: str
    cues: re.Pattern[str] | None
    context: re.Pattern[str] | None
    context_cues: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    negatable: bool
    own_use: bool
    cue_filter: Any | None = None
    """RE2 twin of ``cues`` (``prefilter.py``): skips the scan when it finds no match."""


@dataclass(frozen=True, slots=True)
class CueHit:
    """The lexical verdict for one code on one answer."""

    code: str
    confidence: float
    sentence_index: int
    hits: int
    in_context: bool


def lower_pattern(pattern: str) -> str:
    """Lower-case a regex's literal letters but not its escapes (``\\W`` stays ``\\W``).

    Matching lower-cased text with case-sensitive patterns is about five times faster in
    Python's ``re`` than ``re.IGNORECASE``, which is what keeps a full-corpus recode
    inside the time budget.
    """
    out = []
    escaped = False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = char == "\\" and not escaped
    return "".join(out)


def lower_text(text: str) -> str:
    """``text.lower()`` that never changes length, so match offsets stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _join(patterns: list[str]) -> re.Pattern[str] | None:
    patterns = [lower_pattern(p) for p in patterns if p]
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _example_pattern(example: str) -> str:
    """A literal example phrase as a whole-word, whitespace-tolerant pattern."""
    words = [re.escape(w) for w in example.split()]
    return r"\b" + r"\s+".join(words) + r"\b" if words else ""


def compile_code(code: Code) -> CompiledCode:
    """Compile cues; example phrases count as cues too (so user codes without cues work)."""
    cues = _join([*code.cues, *(_example_pattern(e) for e in code.examples)])
    return CompiledCode(
        id=code.id,
        cues=cues,
        context=_join(list(code.context)),
        context_cues=_join(list(code.context_cues)),
        exclude=_join(list(code.exclude)),
        negatable=code.negatable,
        own_use=code.own_use,
        cue_filter=compile_filter(cues),
    )


def is_courtesy(sentence: str) -> bool:
    """True for a short lower-cased sentence of thanks or comment on the interview itself."""
    return (
        len(sentence.split()) <= COURTESY_MAX_WORDS
        and INTERVIEW_COURTESY.search(sentence) is not None
        and AI_MENTION.search(sentence) is None
    )


def _negated(answer: str, sentence_start: int, match_start: int) -> bool:
    window = answer[max(sentence_start, match_start - NEGATION_WINDOW) : match_start]
    return NEGATION.search(window) is not None


def _sentence_hits(
    pattern: re.Pattern[str],
    code: CompiledCode,
    answer: str,
    spans: list[tuple[int, int]],
    excluded: dict[int, bool],
    courtesy: dict[int, bool],
) -> dict[int, int]:
    """Cue matches per sentence of ``answer``, after the code's exclusions and negation.

    ``excluded`` caches this code's verdict per sentence; ``courtesy`` caches
    ``is_courtesy`` per sentence across all codes of the answer (it does not depend on
    the code)."""
    counts: dict[int, int] = {}
    for match in pattern.finditer(answer):
        index = sentence_at(spans, match.start())
        begin, end = spans[index]
        if index not in excluded:
            sentence = answer[begin:end]
            if index not in courtesy:
                courtesy[index] = is_courtesy(sentence)
            excluded[index] = (
                courtesy[index]
                or bool(code.exclude and code.exclude.search(sentence))
                or (code.own_use and HYPOTHETICAL.search(sentence) is not None)
            )
        if excluded[index]:
            continue
        if code.negatable and _negated(answer, begin, match.start()):
            continue
        counts[index] = counts.get(index, 0) + 1
    return counts


def match_answer(
    answer: str, question: str, spans: list[tuple[int, int]], codes: list[CompiledCode]
) -> list[CueHit]:
    """Codes whose cues fire in ``answer`` (never in the question), with the best sentence.

    The question only decides whether the answer is "in context" for a code: that raises
    confidence and switches on the code's weaker context cues.
    """
    results: list[CueHit] = []
    if not spans:
        return results
    answer = lower_text(answer)
    question = lower_text(question)
    plain = plain_bytes(answer)
    mentions_ai: bool | None = None
    courtesy: dict[int, bool] = {}
    for code in codes:
        if code.own_use:
            if mentions_ai is None:
                mentions_ai = bool(AI_MENTION.search(question) or AI_MENTION.search(answer))
            if not mentions_ai:
                continue
        in_context = bool(code.context and code.context.search(question))
        excluded: dict[int, bool] = {}
        counts = (
            _sentence_hits(code.cues, code, answer, spans, excluded, courtesy)
            if code.cues and may_match(code.cue_filter, plain)
            else {}
        )
        confidence = 0.0
        if counts:
            total = sum(counts.values())
            confidence = BASE_CUE + PER_EXTRA_HIT * min(total - 1, 2)
            confidence += CONTEXT_BONUS if in_context else 0.0
        elif in_context and code.context_cues:
            counts = _sentence_hits(code.context_cues, code, answer, spans, excluded, courtesy)
            confidence = CONTEXT_CUE_ONLY if counts else 0.0
        if not counts:
            continue
        best = max(counts, key=lambda i: (counts[i], -i))
        results.append(
            CueHit(
                code=code.id,
                confidence=min(confidence, MAX_CONFIDENCE),
                sentence_index=best,
                hits=sum(counts.values()),
                in_context=in_context,
            )
        )
    return results
