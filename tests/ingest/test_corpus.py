"""The 1,250 shared Anthropic Interviewer transcripts: the counts the issue's "done" names."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from analysis.ingest import ingest_paths
from analysis.records import IngestResult
from analysis.segment import segment_transcripts

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_result(corpus_dir: Path) -> IngestResult:
    files = [corpus_dir / f"{name}.csv" for name in ("workforce", "creatives", "scientists")]
    return ingest_paths(files)


def test_every_corpus_file_parses_without_rejections(corpus_result: IngestResult) -> None:
    assert [(Path(f.file).name, f.status, f.transcripts) for f in corpus_result.files] == [
        ("workforce.csv", "parsed", 1000),
        ("creatives.csv", "parsed", 125),
        ("scientists.csv", "parsed", 125),
    ]
    assert corpus_result.duplicates == []
    assert corpus_result.warnings == []


def test_cohorts_come_from_the_file_names(corpus_result: IngestResult) -> None:
    cohorts = Counter(t.cohort for t in corpus_result.transcripts)
    assert cohorts == {"workforce": 1000, "creatives": 125, "scientists": 125}
    ids = [t.transcript_id for t in corpus_result.transcripts]
    assert len(set(ids)) == 1250
    assert ids[0] == "work_0000" and ids[-1] == "science_0124"


def test_roles_follow_the_corpus_labels(corpus_result: IngestResult) -> None:
    roles = Counter((t.speaker, t.role) for tr in corpus_result.transcripts for t in tr.turns)
    assert roles == {
        ("Assistant", "interviewer"): 1250,
        ("AI", "interviewer"): 14495,
        ("User", "participant"): 14495,
    }
    assert {t.interviewer_speaker for t in corpus_result.transcripts} == {"AI"}
    empty_interviewer_turns = sum(
        1
        for tr in corpus_result.transcripts
        for t in tr.turns
        if t.role == "interviewer" and not t.text
    )
    assert empty_interviewer_turns == 17


def test_segments_pair_every_answer_with_a_question(corpus_result: IngestResult) -> None:
    segments = segment_transcripts(corpus_result.transcripts)
    assert len(segments) == 14495
    assert all(s.answer.strip() for s in segments)
    unpaired = [s for s in segments if not s.question]
    # An answer lacks a question only where the interviewer turn before it is empty.
    assert all(s.question_turn == "" for s in unpaired)
    assert all(s.question for s in segments if s.question_turn)
    assert len(unpaired) == 13
    # The question is the asking part of the turn, not its reflective preamble.
    with_preamble = [s for s in segments if len(s.question) < len(s.question_turn)]
    assert len(with_preamble) > 10_000
    assert all(
        s.question.rstrip().endswith("?") for s in with_preamble[:2000] if "?" in s.question_turn
    )
