"""``python -m analysis evaluate --labels FILE --run DIR --out DIR``.

Scores an ``analyze`` run (its ``participants.csv``) against a labels JSONL file and
writes ``per_code.csv`` and ``summary.json`` to ``--out``. Exit 0 when every labelled
transcript was in the run, 1 when some were missing (they are listed, and left out of
the figures), 2 when the inputs cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.evaluation import load_labels, score_run


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score a run's codes and roles against a labels file",
        description="Per-code precision/recall/F1, prevalence error and role accuracy.",
    )
    parser.add_argument("--labels", required=True, type=Path, help="labels JSONL file")
    parser.add_argument(
        "--run", required=True, type=Path, help="analyze output folder (participants.csv)"
    )
    parser.add_argument("--out", required=True, type=Path, help="folder for the scores")
    parser.set_defaults(func=run)


def _print_table(per_code: pd.DataFrame, summary: dict) -> None:
    print(f"{'code':32s} {'sup':>4s} {'pred':>4s} {'P':>5s} {'R':>5s} {'F1':>5s} {'prev.err':>8s}")
    for row in per_code.itertuples(index=False):
        print(
            f"{row.code:32s} {row.support:4d} {row.predicted:4d} {row.precision:5.2f}"
            f" {row.recall:5.2f} {row.f1:5.2f} {row.prevalence_error_pp:+8.1f}"
        )
    print(
        f"macro-F1 {summary['macro_f1']:.3f} over {summary['n_codes_in_macro']} codes | "
        f"mean |prevalence error| {summary['mean_abs_prevalence_error_pp']:.1f} pp | "
        f"occupation-group accuracy {summary['occupation_group_accuracy']:.3f} "
        f"(n={summary['n_role_scored']}) | participants {summary['n_participants']}"
    )


def run(args: argparse.Namespace) -> int:
    participants_path = args.run / "participants.csv"
    try:
        labels = load_labels(args.labels)
        participants = pd.read_csv(participants_path, dtype={"transcript_id": str})
    except (OSError, ValueError) as exc:
        print(f"error: cannot read inputs: {exc}", file=sys.stderr)
        return 2
    if "transcript_id" not in participants.columns:
        print(f"error: {participants_path} has no transcript_id column", file=sys.stderr)
        return 2
    report = score_run(labels, participants)
    args.out.mkdir(parents=True, exist_ok=True)
    report.per_code.to_csv(args.out / "per_code.csv", index=False)
    summary = {**report.summary, "errors": report.errors}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    _print_table(report.per_code, report.summary)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if report.errors else 0
