"""Shared fixtures: paths to the project, its fixtures and the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SHARED = PROJECT_ROOT.parent / "shared"
CORPUS_DIR = SHARED / "data" / "anthropic_interviewer"
DEV_LABELS = SHARED / "eval" / "dev_labels.jsonl"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The 1,250 public Anthropic Interviewer transcripts; skips when ../shared is absent."""
    if not (CORPUS_DIR / "workforce.csv").is_file():
        pytest.skip("shared Anthropic Interviewer corpus not present")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def dev_labels() -> Path:
    if not DEV_LABELS.is_file():
        pytest.skip("shared dev labels not present")
    return DEV_LABELS
