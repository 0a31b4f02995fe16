"""Agreement between the automatic coding and a researcher's own coding of some participants.

The researcher uploads their coding (the ``dev_labels.jsonl`` format, parsed by
``analysis.evaluation.parse_labels``, or a CSV with ``transcript_id`` and one 0/1 column per
code id, optionally ``evidence.<code id>`` columns). Per code we report Cohen's kappa
(chance-corrected agreement, the figure qualitative researchers quote for inter-rater
reliability), precision and recall with the human coding as the reference, and the
participants on which the two disagree, with both evidence quotes side by side so the
researcher can judge who is right. Only participants present in both are compared.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.evaluation import parse_labels

AGREEMENT_COLUMNS = [
    "code",
    "label",
    "n",
    "human_yes",
    "auto_yes",
    "both_yes",
    "auto_only",
    "human_only",
    "both_no",
    "agreement",
    "kappa",
    "precision",
    "recall",
]
DISAGREEMENT_COLUMNS = [
    "code",
    "label",
    "transcript_id",
    "human",
    "auto",
    "auto_evidence",
    "human_evidence",
]
MAX_LABEL_ROWS = 100_000
"""More coded participants than this is not a hand coding; refuse rather than churn."""
TRUE_VALUES = {"1", "1.0", "true", "yes", "y", "x"}
FALSE_VALUES = {"0", "0.0", "false", "no", "n", ""}


@dataclass(slots=True)
class HumanCoding:
    """Participant -> set of codes the human assigned, plus optional evidence quotes."""

    codes: dict[str, set[str]]
    evidence: dict[tuple[str, str], str] = field(default_factory=dict)
    coded_codes: list[str] = field(default_factory=list)
    """Codes the file covers (CSV columns; for JSONL every code of the codebook)."""


@dataclass(slots=True)
class AgreementReport:
    per_code: pd.DataFrame
    disagreements: pd.DataFrame
    n_participants: int
    missing: list[str]
    """Human-coded transcript ids that are not in the analysed project."""
    unknown_codes: list[str]
    """Code ids in the human file that the project's codebook does not have."""


def cohen_kappa(human: np.ndarray, auto: np.ndarray) -> float:
    """Cohen's kappa of two binary ratings; 1.0 when both agree on a single class only.

    (po - pe) / (1 - pe) with pe from the two raters' marginal rates. When pe is 1 (both
    raters said "no" to everyone, or "yes" to everyone) kappa is undefined; perfect
    observed agreement is then reported as 1.0, as the absence of any disagreement.
    """
    human = np.asarray(human, dtype=bool)
    auto = np.asarray(auto, dtype=bool)
    n = len(human)
    if n == 0:
        return float("nan")
    po = float(np.mean(human == auto))
    p_h, p_a = float(human.mean()), float(auto.mean())
    pe = p_h * p_a + (1 - p_h) * (1 - p_a)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def _truth(value: Any, row: int, column: str) -> bool:
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValueError(f"row {row}, column {column}: expected 0 or 1")


def parse_csv(text: str) -> HumanCoding:
    """``transcript_id`` plus one 0/1 column per code id (``evidence.<code>`` optional)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "transcript_id" not in header:
        raise ValueError("the CSV needs a transcript_id column")
    reader.fieldnames = header
    code_columns = [h for h in header if h != "transcript_id" and "." in h
                    and not h.startswith("evidence.")]
    if not code_columns:
        raise ValueError("the CSV has no code columns (named like trigger.wording)")
    codes: dict[str, set[str]] = {}
    evidence: dict[tuple[str, str], str] = {}
    for number, row in enumerate(reader, 2):
        if number > MAX_LABEL_ROWS + 1:
            raise ValueError(f"more than {MAX_LABEL_ROWS} coded participants")
        tid = str(row.get("transcript_id") or "").strip()
        if not tid:
            continue
        codes[tid] = {c for c in code_columns if _truth(row.get(c, ""), number, c)}
        for column, value in row.items():
            if column and column.startswith("evidence.") and value and str(value).strip():
                evidence[(tid, column.removeprefix("evidence."))] = str(value).strip()
    return HumanCoding(codes=codes, evidence=evidence, coded_codes=code_columns)


def parse_jsonl(text: str) -> HumanCoding:
    """The ``dev_labels.jsonl`` format: ``codes`` list and ``evidence`` {code: quote}."""
    records = parse_labels(text)
    if len(records) > MAX_LABEL_ROWS:
        raise ValueError(f"more than {MAX_LABEL_ROWS} coded participants")
    codes: dict[str, set[str]] = {}
    evidence: dict[tuple[str, str], str] = {}
    for number, record in enumerate(records, 1):
        listed = record.get("codes")
        if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
            raise ValueError(f"labels record {number}: codes must be a list of code ids")
        tid = str(record["transcript_id"]).strip()
        codes[tid] = set(listed)
        quotes = record.get("evidence")
        if isinstance(quotes, dict):
            for code, quote in quotes.items():
                if isinstance(quote, str) and quote.strip():
                    evidence[(tid, str(code))] = quote.strip()
    return HumanCoding(codes=codes, evidence=evidence)


def parse_human_coding(name: str, data: bytes) -> HumanCoding:
    """A CSV or JSONL upload (chosen by extension, else by content); ValueError if unusable."""
    from analysis.ingest.decode import decode_bytes

    text = decode_bytes(data).text
    lower = name.lower()
    if lower.endswith((".jsonl", ".json", ".ndjson")):
        return parse_jsonl(text)
    if lower.endswith((".csv", ".txt")):
        return parse_csv(text)
    return parse_jsonl(text) if text.lstrip().startswith("{") else parse_csv(text)


def _auto_evidence(assignments: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Our most confident evidence sentence per (participant, code)."""
    if not len(assignments):
        return {}
    best = assignments.sort_values(
        ["transcript_id", "code", "confidence"], ascending=[True, True, False], kind="mergesort"
    ).drop_duplicates(["transcript_id", "code"])
    return {
        (str(t), str(c)): str(e)
        for t, c, e in zip(best["transcript_id"], best["code"], best["evidence"], strict=True)
    }


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def compare_coding(
    human: HumanCoding,
    participants: pd.DataFrame,
    codebook: pd.DataFrame,
    assignments: pd.DataFrame,
) -> AgreementReport:
    """Per-code agreement over the participants coded by both, and every disagreement."""
    people = participants.assign(transcript_id=participants["transcript_id"].astype(str))
    people = people.drop_duplicates("transcript_id").set_index("transcript_id")
    shared = [t for t in human.codes if t in people.index]
    missing = [t for t in human.codes if t not in people.index]
    book_codes = list(codebook["code"])
    labels = dict(zip(codebook["code"], codebook["label"], strict=False))
    mentioned = set(human.coded_codes) | {c for s in human.codes.values() for c in s}
    unknown = sorted(mentioned - set(book_codes))
    codes = [c for c in book_codes if not human.coded_codes or c in human.coded_codes]
    ours = _auto_evidence(assignments)
    rows, disagreements = [], []
    for code in codes:
        h = np.array([code in human.codes[t] for t in shared], dtype=bool)
        if code in people.columns:
            values = pd.to_numeric(people.loc[shared, code], errors="coerce").fillna(0)
            a = values.to_numpy() > 0
        else:
            a = np.zeros(len(shared), dtype=bool)
        tp, fp = int((h & a).sum()), int((~h & a).sum())
        fn, tn = int((h & ~a).sum()), int((~h & ~a).sum())
        rows.append({
            "code": code,
            "label": labels.get(code, code),
            "n": len(shared),
            "human_yes": int(h.sum()),
            "auto_yes": int(a.sum()),
            "both_yes": tp,
            "auto_only": fp,
            "human_only": fn,
            "both_no": tn,
            "agreement": _ratio(tp + tn, len(shared)),
            "kappa": cohen_kappa(h, a) if len(shared) else float("nan"),
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn),
        })
        for tid, said_h, said_a in zip(shared, h, a, strict=True):
            if said_h != said_a:
                disagreements.append({
                    "code": code,
                    "label": labels.get(code, code),
                    "transcript_id": tid,
                    "human": int(said_h),
                    "auto": int(said_a),
                    "auto_evidence": ours.get((tid, code), ""),
                    "human_evidence": human.evidence.get((tid, code), ""),
                })
    return AgreementReport(
        per_code=pd.DataFrame(rows, columns=AGREEMENT_COLUMNS),
        disagreements=pd.DataFrame(disagreements, columns=DISAGREEMENT_COLUMNS),
        n_participants=len(shared),
        missing=missing,
        unknown_codes=unknown,
    )


def summary(report: AgreementReport, min_support: int = 3) -> dict[str, float]:
    """Mean kappa over codes with at least ``min_support`` "yes" from either coder."""
    table = report.per_code
    used = table[(table["human_yes"] + table["auto_yes"]) >= min_support]
    return {
        "mean_kappa": float(used["kappa"].mean()) if len(used) else float("nan"),
        "n_codes": len(used),
        "n_participants": report.n_participants,
        "n_disagreements": len(report.disagreements),
    }
