"""The committed demo bundle (demo/project/) is fresh, loads fast and is a full project."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.bundle import load_result_dir, read_manifest
from tests.conftest import PROJECT_ROOT

PROJECT = PROJECT_ROOT / "demo" / "project"
FACETS = ("trigger", "pattern", "culture", "outcome")


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    return load_result_dir(PROJECT)


def test_bundle_is_fresh_relative_to_the_transcripts() -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/build_demo.py", "--check"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert read_manifest(PROJECT)["inputs"]["files"] == 48


def test_bundle_loads_well_under_a_second() -> None:
    load_result_dir(PROJECT)  # first call pays pyarrow's imports
    started = time.perf_counter()
    load_result_dir(PROJECT)
    assert time.perf_counter() - started < 0.5


def test_demo_is_a_full_project(demo) -> None:  # type: ignore[no-untyped-def]
    participants = demo.participants
    assert len(participants) >= 40
    assert participants["cohort"].value_counts().to_dict() == {
        "workforce": 24, "creatives": 12, "scientists": 12,
    }  # fmt: skip
    assert len(demo.segments) >= 48 * 8
    real_topics = demo.topics[demo.topics["topic_id"] != -1]
    assert len(real_topics) >= 3
    assert all(isinstance(q, list) and q for q in real_topics["representative_quotes"])
    assert demo.segments["x"].notna().all() and demo.segments["y"].notna().all()


def test_demo_exercises_every_facet_and_most_codes(demo) -> None:  # type: ignore[no-untyped-def]
    codes = demo.code_ids
    assert {c.split(".")[0] for c in codes} == set(FACETS)
    used = [c for c in codes if c in demo.participants and demo.participants[c].sum() > 0]
    assert len(used) >= 0.8 * len(codes), sorted(set(codes) - set(used))
    counts = sorted(int(demo.participants[c].sum()) for c in used)
    assert counts[-1] >= 3 * counts[0], "code prevalence should vary (common and rare codes)"
    assert len(demo.assignments) > 0 and demo.assignments["evidence"].str.len().gt(0).all()


def test_demo_roles_are_mostly_inferred(demo) -> None:  # type: ignore[no-untyped-def]
    groups = demo.participants["occupation_group"].fillna("Unclear")
    assert (groups != "Unclear").mean() >= 0.6
    assert groups.nunique() >= 6


def _role_labels() -> dict[str, dict[str, object]]:
    lines = (PROJECT_ROOT / "demo" / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["file_stem"]: row for row in map(json.loads, lines)}


def test_role_labels_cover_every_demo_transcript() -> None:
    stems = {p.stem for p in (PROJECT_ROOT / "demo" / "transcripts").rglob("*") if p.is_file()}
    assert set(_role_labels()) == stems


def test_demo_roles_match_the_written_occupations(demo) -> None:  # type: ignore[no-untyped-def]
    """The personas' SOC groups are known (demo/labels.jsonl); role inference should get
    most of them. A floor, not a target: it catches regressions in the bundled demo."""
    labels = _role_labels()
    people = demo.participants.merge(demo.transcripts[["transcript_id", "source_file"]])
    hits = [
        row.occupation_group
        in [labels[Path(row.source_file).stem]["occupation_group"],
            *labels[Path(row.source_file).stem]["occupation_group_alternates"]]  # type: ignore[misc]
        for row in people.itertuples()
    ]  # fmt: skip
    assert len(hits) == 48
    assert sum(hits) / len(hits) >= 0.6, sum(hits) / len(hits)
