"""Score a run's participant codes and roles against a labelled file.

Kept as pure functions over plain data so the CLI, the tuning harness and the tests all
compute the figures the same way. Labels use the format of ``shared/eval/dev_labels.jsonl``:
one JSON object per line with ``transcript_id``, ``codes`` (list of code ids),
``occupation_group`` and ``occupation_group_alternates``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

MIN_SUPPORT_FOR_MACRO = 3
"""Codes with fewer positive labels than this are too rare for a stable F1."""
UNCLEAR = "Unclear"
PER_CODE_COLUMNS = [
    "code",
    "support",
    "predicted",
    "tp",
    "fp",
    "fn",
    "precision",
    "recall",
    "f1",
    "labelled_share",
    "predicted_share",
    "prevalence_error_pp",
]


@dataclass(slots=True)
class EvaluationReport:
    """``per_code``: PER_CODE_COLUMNS; ``summary``: the headline figures; ``errors``: problems
    (e.g. labelled transcripts missing from the run) that make the score incomplete."""

    per_code: pd.DataFrame
    summary: dict[str, Any]
    errors: list[str] = field(default_factory=list)


def load_labels(path: str | Path) -> list[dict[str, Any]]:
    """Read a labels JSONL file; blank lines are skipped, bad lines raise ValueError."""
    return parse_labels(Path(path).read_text(encoding="utf-8"))


def parse_labels(text: str) -> list[dict[str, Any]]:
    """Labels JSONL as text (an uploaded file); same rules as ``load_labels``."""
    labels = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:  # deep nesting: not labels
            raise ValueError(f"labels line {number} is not valid JSON") from exc
        if not isinstance(record, dict) or "transcript_id" not in record:
            raise ValueError(f"labels line {number} has no transcript_id")
        record.setdefault("codes", [])
        record.setdefault("occupation_group", UNCLEAR)
        record.setdefault("occupation_group_alternates", [])
        labels.append(record)
    return labels


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def score_run(
    labels: list[dict[str, Any]], participants: pd.DataFrame, code_ids: list[str] | None = None
) -> EvaluationReport:
    """Per-code P/R/F1 and prevalence error, macro-F1, and occupation-group accuracy.

    Only labelled transcripts are scored. ``code_ids`` defaults to every code that appears
    in the labels or as a column of ``participants``; a code the run does not have a
    column for counts as never predicted. A labelled transcript absent from the run is
    reported in ``errors`` and left out of every figure (scoring it as all-negative would
    hide the real problem).
    """
    run = participants.copy()
    run["transcript_id"] = run["transcript_id"].astype(str)
    run = run.drop_duplicates("transcript_id").set_index("transcript_id")
    errors = [
        f"labelled transcript {lab['transcript_id']} is missing from the run"
        for lab in labels
        if str(lab["transcript_id"]) not in run.index
    ]
    scored = [lab for lab in labels if str(lab["transcript_id"]) in run.index]
    if code_ids is None:
        labelled = {code for lab in labels for code in lab["codes"]}
        code_ids = sorted(labelled | {c for c in run.columns if "." in c})
    n = len(scored)
    rows = []
    for code in code_ids:
        truth = [code in lab["codes"] for lab in scored]
        if code in run.columns:
            pred = [bool(int(run.at[str(lab["transcript_id"]), code])) for lab in scored]
        else:
            pred = [False] * n
        tp = sum(t and p for t, p in zip(truth, pred, strict=True))
        fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
        fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
        precision = _ratio(tp, tp + fp)
        recall = _ratio(tp, tp + fn)
        f1 = _ratio(2 * precision * recall, precision + recall)
        labelled_share = _ratio(sum(truth), n)
        predicted_share = _ratio(sum(pred), n)
        rows.append(
            {
                "code": code,
                "support": sum(truth),
                "predicted": sum(pred),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "labelled_share": labelled_share,
                "predicted_share": predicted_share,
                "prevalence_error_pp": 100.0 * (predicted_share - labelled_share),
            }
        )
    per_code = pd.DataFrame(rows, columns=PER_CODE_COLUMNS)
    in_macro = per_code[per_code["support"] >= MIN_SUPPORT_FOR_MACRO]
    group_hits = []
    for lab in scored:
        want = lab.get("occupation_group") or UNCLEAR
        if want == UNCLEAR:
            continue
        got = ""
        if "occupation_group" in run.columns:
            got = str(run.at[str(lab["transcript_id"]), "occupation_group"])
        group_hits.append(got in {want, *lab.get("occupation_group_alternates", [])})
    summary = {
        "macro_f1": float(in_macro["f1"].mean()) if len(in_macro) else 0.0,
        "mean_abs_prevalence_error_pp": (
            float(per_code["prevalence_error_pp"].abs().mean()) if len(per_code) else 0.0
        ),
        "occupation_group_accuracy": _ratio(sum(group_hits), len(group_hits)),
        "n_participants": n,
        "n_codes_in_macro": len(in_macro),
        "n_role_scored": len(group_hits),
        "n_missing_from_run": len(errors),
    }
    return EvaluationReport(per_code=per_code, summary=summary, errors=errors)
