"""Repository-wide rules: ruff-clean tree, UI-free analysis package, no unpickling."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    return [str(exe)] if exe.exists() else [shutil.which("ruff") or "ruff"]


def test_tree_is_ruff_clean() -> None:
    proc = subprocess.run(
        [*_ruff(), "check", "--no-cache", "."], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_analysis_package_never_imports_streamlit() -> None:
    pattern = re.compile(r"^\s*(import streamlit|from streamlit)", re.M)
    offenders = [
        str(p) for p in (PROJECT_ROOT / "analysis").rglob("*.py") if pattern.search(p.read_text())
    ]
    assert offenders == []


def test_nothing_unpickles() -> None:
    pattern = re.compile(r"pickle\.loads?\(|joblib\.load\(|torch\.load\(|allow_pickle=True")
    roots = [PROJECT_ROOT / d for d in ("analysis", "ui", "app_pages", "bench", "scripts")]
    files = [p for r in roots if r.exists() for p in r.rglob("*.py")] + [PROJECT_ROOT / "app.py"]
    offenders = [str(p) for p in files if p.exists() and pattern.search(p.read_text())]
    assert offenders == []
