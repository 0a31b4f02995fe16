"""The committed demo bundle (demo/project/) is fresh, loads fast and is a full project."""

from __future__ import annotations

import subprocess
import sys
import time

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
