"""``python -m analysis analyze``: exit codes and the output file contract."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis import cli_analyze
from analysis.tables import (
    ASSIGNMENTS_COLUMNS,
    FILES_COLUMNS,
    PARTICIPANTS_BASE_COLUMNS,
    SEGMENTS_ANALYSED_COLUMNS,
    TOPICS_COLUMNS,
)
from tests.engine.conftest import ENGINE_CORPUS


def main(argv: list[str]) -> int:
    """Only the analyze subcommand, so other subcommands' state cannot break this test."""
    parser = argparse.ArgumentParser()
    cli_analyze.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def _analyze(tmp_path: Path, *inputs: str) -> int:
    return main(
        [
            "analyze",
            *inputs,
            "--out",
            str(tmp_path / "out"),
            "--store",
            str(tmp_path / "store.duckdb"),
            "--embedding-backend",
            "hashing",
            "--no-progress",
        ]
    )


def test_analyze_writes_the_contract_files(tmp_path: Path, capsys) -> None:
    assert _analyze(tmp_path, str(ENGINE_CORPUS)) == 0
    out = tmp_path / "out"
    assert list(pd.read_csv(out / "files.csv").columns) == FILES_COLUMNS
    segments = pd.read_csv(out / "segments.csv", keep_default_na=False)
    # the contract columns first, in order; later issues add columns after them
    assert list(segments.columns[: len(SEGMENTS_ANALYSED_COLUMNS)]) == SEGMENTS_ANALYSED_COLUMNS
    assert "question_group" in segments and len(segments) == 60
    topics = pd.read_csv(out / "topics.csv", keep_default_na=False)
    assert list(topics.columns) == TOPICS_COLUMNS
    assert topics.loc[topics["topic_id"] >= 0, "representative_quotes"].str.contains(" | ").all()
    participants = pd.read_csv(out / "participants.csv")
    assert list(participants.columns[:4]) == PARTICIPANTS_BASE_COLUMNS
    assert len(participants) == 12
    assert participants[participants.columns[4:]].isin([0, 1]).all().all()
    assert list(pd.read_csv(out / "assignments.csv").columns) == ASSIGNMENTS_COLUMNS
    run = json.loads((out / "run.json").read_text())
    assert {"stages", "peak_rss_mb", "counts", "models", "settings"} <= set(run)
    assert run["models"]["embedding"].startswith("hashing")
    assert "12 transcripts" in capsys.readouterr().out
    assert _analyze(tmp_path, str(ENGINE_CORPUS)) == 0  # re-run: nothing is refitted
    rerun = json.loads((out / "run.json").read_text())
    # "reused" normally; "reused_topics" (coding only) if the coding code changed meanwhile
    assert rerun.get("reopened", {}).get("mode") == "reused" or rerun["mode"] == "reused_topics"
    assert rerun["fit_key"] == run["fit_key"]


def test_analyze_exits_2_without_transcripts(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("", encoding="utf-8")
    assert _analyze(tmp_path, str(empty)) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_analyze_honours_the_ingest_options(tmp_path: Path) -> None:
    """``analyze`` reads inputs exactly as ``ingest`` does, override flags included."""
    names_only = Path(__file__).parents[1] / "fixtures" / "ingest" / "names_only.txt"
    assert _analyze(tmp_path, str(names_only), "--interviewer", "Elif") == 0
    segments = pd.read_csv(tmp_path / "out" / "segments.csv")
    assert segments["answer"].iloc[0].startswith("Okay, first question.")


def test_an_invalid_codebook_stops_before_any_work(tmp_path: Path, capsys, monkeypatch) -> None:
    """Both paths refuse a bad codebook up front: no file is read, nothing is written."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes: 3\n", encoding="utf-8")

    def no_ingest(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the corpus was read before the codebook was checked")

    monkeypatch.setattr("analysis.pipeline._ingest", no_ingest)
    monkeypatch.setattr("analysis.scale.cli.run_scale", no_ingest)
    for extra in ([], ["--streaming"]):
        code = _analyze(tmp_path, str(ENGINE_CORPUS), "--codebook", str(bad), *extra)
        assert code == 2
        assert "codebook must be a mapping" in capsys.readouterr().err
        assert not (tmp_path / "out").exists()
