"""``bench/make_corpus.py``: deterministic synthetic corpora in the shared CSV format."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.ingest import ingest_paths
from tests.conftest import PROJECT_ROOT
from tests.engine.conftest import ENGINE_CORPUS

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from make_corpus import make_corpus


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path: Path) -> None:
    first = make_corpus(30, tmp_path / "a", seed=1, source=ENGINE_CORPUS)
    make_corpus(30, tmp_path / "b", seed=1, source=ENGINE_CORPUS)
    make_corpus(30, tmp_path / "c", seed=2, source=ENGINE_CORPUS)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")
    assert sum(f["transcripts"] for f in first["files"].values()) == 30


def test_the_corpus_parses_into_recombined_source_answers(tmp_path: Path) -> None:
    make_corpus(30, tmp_path / "out", seed=7, source=ENGINE_CORPUS)
    result = ingest_paths([tmp_path / "out"])
    assert sorted(t.transcript_id for t in result.transcripts) == [
        f"syn_{i:06d}" for i in range(1, 31)
    ]
    assert {t.cohort for t in result.transcripts} == {"office", "studio"}
    source = ingest_paths([ENGINE_CORPUS])
    known = {t.text for s in source.transcripts for t in s.participant_turns}
    answers = [t.text for s in result.transcripts for t in s.participant_turns]
    assert answers and set(answers) <= known
    assert len({tuple(t.text for t in s.turns) for s in result.transcripts}) == 30
