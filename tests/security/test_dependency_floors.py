"""T23 offline: every pin of a network- or upload-facing package meets its advisory floor.

pip-audit needs PyPI's per-version API, which answers 404 from some machines (this one
included), and the suite stays offline anyway. ``scripts/advisory_floors.toml`` records for
each exposed package the lowest version free of every advisory we know of, with the
advisory ids and where each fix version was read; ``scripts/audit_deps.py`` checks the pins
against it. These tests run that check on the real ``requirements.txt`` and the installed
environment, keep the floors file consistent with its own advisories, and prove the check
fails on a pin below a floor.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from packaging.version import Version

from scripts import audit_deps
from tests.conftest import PROJECT_ROOT

REQUIREMENTS = PROJECT_ROOT / "requirements.txt"


@pytest.fixture(scope="module")
def floors() -> dict[str, dict]:
    return audit_deps.load_floors()


def test_every_exposed_package_has_a_floor(floors: dict[str, dict]) -> None:
    missing = set(audit_deps.EXPOSED) - set(floors)
    assert not missing, f"exposed packages without an advisory floor: {sorted(missing)}"


def test_every_pin_meets_its_floor(floors: dict[str, dict]) -> None:
    assert audit_deps.floor_problems(audit_deps.pins(REQUIREMENTS), floors) == []


def test_the_installed_environment_meets_the_floors(floors: dict[str, dict]) -> None:
    """What actually runs, including packages pulled in without a pin of their own."""
    below, absent_but_expected = [], []
    for name, entry in floors.items():
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            if entry.get("installed", True):
                absent_but_expected.append(name)
            continue
        if installed < Version(entry["floor"]):
            below.append(f"{name} {installed} < {entry['floor']}")
    assert below == []
    assert absent_but_expected == []


def test_each_floor_is_the_highest_known_fix(floors: dict[str, dict]) -> None:
    """The floor is derived from the listed advisories, so a hand edit cannot drift."""
    for name, entry in floors.items():
        highest = audit_deps.highest_fix(entry)
        if highest is None:
            assert entry.get("note"), f"{name}: a floor without advisories must say why"
            continue
        assert Version(entry["floor"]) == highest, name


def test_every_advisory_names_its_source_and_unknown_fixes_say_why(
        floors: dict[str, dict]) -> None:
    for name, entry in floors.items():
        assert entry.get("exposure"), name
        for advisory in entry["advisories"]:
            assert advisory["id"] and advisory["source"], (name, advisory)
            assert ("fixed" in advisory) != ("last_affected" in advisory), (name, advisory)
            if advisory.get("fixed") == "unknown":
                assert advisory.get("note"), (name, advisory["id"])
            elif "fixed" in advisory:
                Version(advisory["fixed"])  # a real version, not a typo


def test_the_check_fails_on_a_pin_below_a_floor_or_at_a_last_affected_version(
        floors: dict[str, dict], tmp_path: Path) -> None:
    text = REQUIREMENTS.read_text(encoding="utf-8")
    pinned = audit_deps.pins(REQUIREMENTS)
    lowered = text.replace(f"streamlit=={pinned['streamlit']}", "streamlit==1.53.1")
    lowered = lowered.replace(f"transformers=={pinned['transformers']}",
                              "transformers==4.55.0")
    assert lowered != text
    bad = tmp_path / "requirements.txt"
    bad.write_text(lowered, encoding="utf-8")
    problems = audit_deps.floor_problems(audit_deps.pins(bad), floors)
    assert "streamlit==1.53.1 is below its floor 1.54.0" in problems
    assert "streamlit==1.53.1 is below its requires 1.61.0" in problems
    assert "transformers==4.55.0 is affected by PYSEC-2025-213 (last affected 4.55.0)" in (
        problems)
    assert audit_deps.check_floors(bad) == 1
    assert audit_deps.check_floors(REQUIREMENTS) == 0


def test_a_floor_package_missing_from_the_pins_is_reported(floors: dict[str, dict],
                                                          tmp_path: Path) -> None:
    text = REQUIREMENTS.read_text(encoding="utf-8")
    without = "\n".join(line for line in text.splitlines()
                        if not line.lower().startswith("python-multipart=="))
    bad = tmp_path / "requirements.txt"
    bad.write_text(without, encoding="utf-8")
    problems = audit_deps.floor_problems(audit_deps.pins(bad), floors)
    assert problems == ["python-multipart: has a floor but no pin in requirements"]
