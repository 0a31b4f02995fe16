"""``python -m analysis ingest``: the three CSV files, their exact columns, exit codes."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli_ingest
from analysis.cli import SUBCOMMANDS
from tests.conftest import PROJECT_ROOT
from tests.ingest.helpers import INGEST_FIXTURES


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli_ingest.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["ingest", *argv])
    return args.func(args)


def test_ingest_writes_the_three_tables_with_exact_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.7")
    code = _run(
        [
            str(INGEST_FIXTURES / "cohorts"),
            str(INGEST_FIXTURES / "qa_teacher.txt"),
            str(bad),
            "--out",
            str(tmp_path / "out"),
            "--metadata",
            str(INGEST_FIXTURES / "metadata.csv"),
        ]
    )
    assert code == 0
    files = pd.read_csv(tmp_path / "out" / "files.csv", keep_default_na=False)
    transcripts = pd.read_csv(tmp_path / "out" / "transcripts.csv", keep_default_na=False)
    segments = pd.read_csv(tmp_path / "out" / "segments.csv", keep_default_na=False)
    assert list(files.columns) == ["file", "status", "transcripts", "reason"]
    assert list(transcripts.columns) == [
        "transcript_id", "cohort", "source_file", "n_turns", "n_participant_turns", "encoding"
    ]  # fmt: skip
    assert list(segments.columns) == ["transcript_id", "segment_index", "question", "answer"]
    assert files["status"].tolist() == ["parsed"] * 4 + ["rejected"]
    assert files["reason"].iloc[-1] == "unsupported file type '.pdf'"
    assert dict(zip(transcripts["transcript_id"], transcripts["cohort"], strict=True)) == {
        "ward_a": "nurses",
        "ward_b": "nurses",
        "primary": "teachers",
        "qa_teacher": "education",  # from the metadata file
    }
    assert transcripts["n_participant_turns"].tolist() == [2, 1, 2, 3]
    assert len(segments) == 8
    assert segments.loc[0, "question"] == "How do you use AI on nights?"
    out = capsys.readouterr()
    assert out.out.startswith("ingest: 5 files (4 parsed, 1 rejected), 4 transcripts, 8 answers")
    assert "2 metadata row(s) matched no transcript id: nurse_014, ghost_999" in out.err


def test_exit_code_two_when_nothing_parses(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert _run([str(empty), str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o")]) == 2
    files = pd.read_csv(tmp_path / "o" / "files.csv")
    assert files["reason"].tolist() == ["no such file or folder", "empty file"]
    assert "0 transcripts" in capsys.readouterr().out


def test_interviewer_override_flag(tmp_path: Path) -> None:
    assert (
        _run(
            [
                str(INGEST_FIXTURES / "names_only.txt"),
                "--out",
                str(tmp_path),
                "--interviewer",
                "Elif",
            ]
        )
        == 0
    )
    segments = pd.read_csv(tmp_path / "segments.csv")
    assert segments["answer"].iloc[0].startswith("Okay, first question.")


def test_python_dash_m_analysis_ingest(tmp_path: Path) -> None:
    missing = [m for m in SUBCOMMANDS.values() if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"other subcommands not in the tree yet: {', '.join(missing)}")
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(INGEST_FIXTURES / "teams.vtt"),
         "--out", str(tmp_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ingest: 1 files (1 parsed, 0 rejected), 1 transcripts")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "files.csv", "segments.csv", "transcripts.csv"
    ]  # fmt: skip
