"""Scoring against labels: known P/R/F1 on a tiny file, the CLI, and the dev corpus."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.evaluation import load_labels, score_run
from tests.conftest import FIXTURES

LABELS = FIXTURES / "coding" / "labels_small.jsonl"
RUN = FIXTURES / "coding" / "run_small.csv"


@pytest.fixture(scope="module")
def report():
    return score_run(load_labels(LABELS), pd.read_csv(RUN, dtype={"transcript_id": str}))


def test_load_labels_skips_blank_lines():
    assert [lab["transcript_id"] for lab in load_labels(LABELS)] == ["t1", "t2", "t3", "t4"]


def test_per_code_counts_and_scores(report):
    per_code = report.per_code.set_index("code")
    wording = per_code.loc["trigger.wording"]
    # labelled t1,t2,t3; predicted t1,t2,t4 -> tp 2, fp 1, fn 1
    assert (wording.tp, wording.fp, wording.fn) == (2, 1, 1)
    assert wording.precision == pytest.approx(2 / 3)
    assert wording.recall == pytest.approx(2 / 3)
    assert wording.f1 == pytest.approx(2 / 3)
    saves = per_code.loc["outcome.saves_time"]
    # labelled t1,t3; predicted t2,t3 -> tp 1, fp 1, fn 1; shares 50% vs 50%
    assert (saves.tp, saves.fp, saves.fn, saves.support) == (1, 1, 1, 2)
    assert saves.prevalence_error_pp == pytest.approx(0.0)
    stigma = per_code.loc["culture.stigma"]
    assert (stigma.support, stigma.predicted, stigma.f1) == (0, 0, 0.0)
    assert per_code.loc["trigger.wording", "prevalence_error_pp"] == pytest.approx(0.0)


def test_summary_macro_prevalence_and_roles(report):
    summary = report.summary
    # only trigger.wording has >= 3 positive labels
    assert summary["n_codes_in_macro"] == 1
    assert summary["macro_f1"] == pytest.approx(2 / 3)
    assert summary["mean_abs_prevalence_error_pp"] == pytest.approx(0.0)
    # t2 is Unclear (left out); t1 right, t3 right via alternate, t4 wrong
    assert summary["n_role_scored"] == 3
    assert summary["occupation_group_accuracy"] == pytest.approx(2 / 3)
    assert summary["n_participants"] == 4
    assert report.errors == []


def test_missing_transcript_is_an_error_and_left_out():
    run = pd.read_csv(RUN, dtype={"transcript_id": str})
    report = score_run(load_labels(LABELS), run[run["transcript_id"] != "t4"])
    assert report.errors == ["labelled transcript t4 is missing from the run"]
    assert report.summary["n_participants"] == 3


def test_bad_labels_line_is_reported(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"transcript_id": "a", "codes": []}\nnot json\n')
    with pytest.raises(ValueError, match="line 2"):
        load_labels(path)


def test_cli_writes_per_code_and_summary(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "participants.csv").write_text(RUN.read_text())
    out = tmp_path / "scores"
    assert (
        main(["evaluate", "--labels", str(LABELS), "--run", str(run_dir), "--out", str(out)]) == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["macro_f1"] == pytest.approx(2 / 3)
    assert summary["errors"] == []
    per_code = pd.read_csv(out / "per_code.csv")
    assert list(per_code.columns[:3]) == ["code", "support", "predicted"]
    assert "macro-F1 0.667" in capsys.readouterr().out


def test_cli_exit_code_when_run_lacks_a_labelled_transcript(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run = pd.read_csv(RUN)
    run[run["transcript_id"] != "t1"].to_csv(run_dir / "participants.csv", index=False)
    code = main(
        ["evaluate", "--labels", str(LABELS), "--run", str(run_dir), "--out", str(tmp_path)]
    )
    assert code == 1
    assert json.loads((tmp_path / "summary.json").read_text())["errors"]
