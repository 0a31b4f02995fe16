"""The RE2 prefilter may only skip scans that would find nothing (analysis/coding/prefilter.py)."""

from __future__ import annotations

import re

import pytest

from analysis.coding import load_codebook
from analysis.coding.prefilter import compile_filter, may_match, plain_bytes, without_lookarounds
from analysis.coding.rules import compile_code, lower_text


def test_patterns_re2_reads_differently_get_no_filter():
    assert compile_filter(re.compile(r"\bdone$")) is None  # '$' also before a final newline
    assert compile_filter(re.compile(r"(\w)\1")) is None  # backreference
    assert compile_filter(re.compile(r"stuck", re.IGNORECASE)) is None  # flags: Python decides
    assert compile_filter(None) is None
    assert compile_filter(re.compile(r"\bstuck\b|writer.?s block")) is not None


def test_lookarounds_are_dropped_so_the_filter_matches_a_superset():
    assert without_lookarounds(r"(?<!not )\bstuck\b(?=\s)") == r"\bstuck\b"
    assert without_lookarounds(r"(a(?!b)|c)d") == "(a|c)d"
    # Escaped parentheses and character classes are not groups.
    assert without_lookarounds(r"\(?=x\)") == r"\(?=x\)"
    assert without_lookarounds(r"a[(?=]b(?!c(d))e") == "a[(?=]be"
    assert without_lookarounds(r"[]x(]y(?<=z)") == "[]x(]y"
    rx = compile_filter(re.compile(r"(?<!not )\bstuck\b"))
    assert rx is not None
    assert may_match(rx, plain_bytes("i am not stuck"))  # Python decides; the filter passes it
    assert not may_match(rx, plain_bytes("i am fine"))


def test_the_filter_skips_only_plain_text_without_a_match():
    rx = compile_filter(re.compile(r"\bstuck\b"))
    assert may_match(rx, plain_bytes("i was stuck on the intro"))
    assert not may_match(rx, plain_bytes("i was unstuck by lunch"))
    # Non-ASCII text: RE2's \w/\b are ASCII-only, so the filter is not trusted.
    assert plain_bytes("caf\u00e9 stuck") is None
    assert may_match(rx, plain_bytes("caf\u00e9 unstuck"))
    assert plain_bytes("a\x0bb") is None  # Python's \s has \v, RE2's does not
    assert may_match(None, b"anything")


def test_most_default_codes_get_a_filter():
    compiled = [compile_code(code) for code in load_codebook(None).codes]
    assert all(code.cue_filter is not None for code in compiled if code.cues)


@pytest.mark.corpus
@pytest.mark.slow
def test_the_filter_never_hides_a_match_on_the_real_corpus(corpus_dir):
    """Every third answer of the 1,250 transcripts (~4,800; all of them take a minute) x
    every default code: where the filter says "no match", Python's ``re`` finds none
    either (else coding would lose hits)."""
    from analysis.ingest import ingest_paths
    from analysis.ingest.tables import segments_frame
    from analysis.segment import segment_transcripts

    result = ingest_paths(
        [corpus_dir / f"{name}.csv" for name in ("workforce", "creatives", "scientists")]
    )
    every = segments_frame(segment_transcripts(result.transcripts))["answer"].tolist()
    answers = [lower_text(a) for a in every[::3]]
    compiled = [c for c in (compile_code(code) for code in load_codebook(None).codes) if c.cues]
    skipped = hidden = 0
    for answer in answers:
        plain = plain_bytes(answer)
        for code in compiled:
            if not may_match(code.cue_filter, plain):
                skipped += 1
                hidden += code.cues.search(answer) is not None
    assert hidden == 0
    assert skipped > 0.8 * len(answers) * len(compiled)  # the filter does its job
