"""Build the bundled demo project: run the real pipeline on demo/transcripts/.

WHY precompute: a first-time user should see a full dashboard within seconds of
``streamlit run app.py``, before any model has been loaded or fitted. This script runs
exactly the pipeline the app runs on uploads and saves its result as a parquet bundle in
``demo/project/`` (see ``analysis.bundle``), recording a sha256 fingerprint of the
transcripts so ``--check`` can tell when the committed bundle is stale.

Usage (from the repository root)::

    python scripts/build_demo.py            # rebuild demo/project/
    python scripts/build_demo.py --check    # exit 1 if demo/project/ is stale
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the analysis package importable
    sys.path.insert(0, str(ROOT))

from analysis.bundle import bundle_is_fresh, fingerprint_files, save_result_dir  # noqa: E402

TRANSCRIPTS_DIR = ROOT / "demo" / "transcripts"
PROJECT_DIR = ROOT / "demo" / "project"
PROJECT_NAME = "Demo (synthetic)"


def demo_input_files() -> list[Path]:
    """Every transcript file of the demo, in a stable order (hidden files ignored)."""
    return sorted(
        p
        for p in TRANSCRIPTS_DIR.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
    )


def demo_fingerprint() -> str:
    return fingerprint_files(demo_input_files(), ROOT)


def _git(*args: str) -> str:
    """Output of a git command in the repository ("" when git or the repo is unavailable)."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def code_provenance() -> dict[str, object]:
    """Which commit built the bundle, and whether the analysis code differed from it."""
    return {
        "commit": _git("rev-parse", "HEAD"),
        "analysis_code_modified": bool(_git("status", "--porcelain", "--", "analysis")),
    }


def build(project_dir: Path = PROJECT_DIR) -> None:
    """Run the pipeline on the demo transcripts and write the bundle to ``project_dir``."""
    # Heavy imports (torch, umap) only when building, so --check stays instant.
    from analysis.store import Store

    run_pipeline = importlib.import_module("analysis.pipeline").run_pipeline

    files = demo_input_files()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="interview-lens-demo-") as tmp:
        store = Store(Path(tmp) / "demo.duckdb")
        try:
            result = run_pipeline(files, project=PROJECT_NAME, store=store)
        finally:
            close = getattr(store, "close", None)
            if callable(close):
                close()
    seconds = time.perf_counter() - started
    inputs = {
        "fingerprint": fingerprint_files(files, ROOT),
        "root": TRANSCRIPTS_DIR.relative_to(ROOT).as_posix(),
        "files": len(files),
        "built_with": code_provenance(),
    }
    for stale in project_dir.glob("*.parquet"):
        stale.unlink()
    save_result_dir(result, project_dir, inputs=inputs)
    print(
        f"built {project_dir} from {len(files)} files in {seconds:.1f} s: "
        f"{len(result.transcripts)} transcripts, {len(result.segments)} segments, "
        f"{len(result.topics)} topics, {len(result.assignments)} code assignments"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if demo/project/ is stale, build nothing"
    )
    args = parser.parse_args(argv)
    if args.check:
        if bundle_is_fresh(PROJECT_DIR, demo_fingerprint()):
            print("demo/project/ is up to date")
            return 0
        print(
            "demo/project/ is stale or missing: run `python scripts/build_demo.py`",
            file=sys.stderr,
        )
        return 1
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
