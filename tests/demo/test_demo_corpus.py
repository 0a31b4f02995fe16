"""The bundled demo corpus: synthetic, well-formed, varied, and readable by the ingester."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "demo"
TRANSCRIPTS = DEMO / "transcripts"
EXPECTED_COHORTS = {"workforce": 24, "creatives": 12, "scientists": 12}
SHINGLE_WORDS = 10


def _demo_files() -> list[Path]:
    return sorted(p for p in TRANSCRIPTS.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def ingested():  # type: ignore[no-untyped-def]
    from analysis.ingest import ingest_paths

    return ingest_paths([TRANSCRIPTS])


def test_rendered_files_match_their_source() -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/make_demo_corpus.py", "--check"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_says_synthetic() -> None:
    assert "synthetic" in (DEMO / "README.md").read_text(encoding="utf-8").lower()


def test_cohort_folders_and_export_shapes() -> None:
    files = _demo_files()
    assert Counter(p.parent.name for p in files) == EXPECTED_COHORTS
    suffixes = Counter(p.suffix for p in files)
    assert suffixes[".md"] >= 1 and suffixes[".jsonl"] >= 1
    otter = [p for p in files if re.match(r"Interviewer {2}\d\d:\d\d:\d\d\n", p.read_text())]
    assert len(otter) >= 1
    assert suffixes[".txt"] >= 40, "most transcripts use the study's plain-text shape"


def test_every_file_ingests_as_one_transcript_in_its_folder_cohort(ingested) -> None:  # type: ignore[no-untyped-def]
    assert [f for f in ingested.files if f.status != "parsed" or f.transcripts != 1] == []
    assert ingested.duplicates == []
    cohorts = Counter(t.cohort for t in ingested.transcripts)
    assert cohorts == EXPECTED_COHORTS
    for transcript in ingested.transcripts:
        questions = [t for t in transcript.turns if t.role == "interviewer"]
        answers = transcript.participant_turns
        # opening + 8-12 questions + closing thanks; consent reply + 8-12 answers
        assert 8 <= len(questions) - 2 <= 12, (transcript.transcript_id, len(questions))
        assert len(answers) == len(questions) - 1, transcript.transcript_id
        assert transcript.turns[0].role == "interviewer"


def test_answers_vary_in_length_and_are_not_templated(ingested) -> None:  # type: ignore[no-untyped-def]
    answers = [
        t.text for tr in ingested.transcripts for t in tr.participant_turns[1:]
    ]  # skip the consent reply
    lengths = sorted(len(a.split()) for a in answers)
    assert len(answers) >= 48 * 7
    assert lengths[0] <= 12 and lengths[-1] >= 110, (lengths[0], lengths[-1])
    median = lengths[len(lengths) // 2]
    assert 30 <= median <= 90, median
    openings = Counter(" ".join(a.split()[:4]).lower() for a in answers)
    assert openings.most_common(1)[0][1] <= 6, openings.most_common(3)


def _shingles(text: str) -> set[str]:
    words = re.findall(r"[a-z']+", text.lower())
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


@pytest.mark.corpus
def test_no_text_copied_from_the_shared_corpus(corpus_dir: Path, ingested) -> None:  # type: ignore[no-untyped-def]
    demo = set().union(*(_shingles(t.text) for tr in ingested.transcripts
                         for t in tr.participant_turns))  # fmt: skip
    shared: set[str] = set()
    csv.field_size_limit(10_000_000)
    for name in ("workforce.csv", "creatives.csv", "scientists.csv"):
        with (corpus_dir / name).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                shared |= _shingles(row["text"]) & demo
    assert sorted(shared)[:5] == []
