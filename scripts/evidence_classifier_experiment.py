"""Experiment (docs/EVALUATION.md, "Classifiers trained on the dev evidence"): not adopted.

Per-code logistic regressions on an answer's MiniLM vector plus the rule coder's confidence,
trained on the dev labels' evidence answers of the **tune** half only (positives: the answer
holding a labelled evidence quote; negatives: every answer of a tune participant without the
code), decision cut per code from 2-fold cross-validation inside the tune half, scored on
the held-out **check** half against the product path's rules. Usage::

    .venv/bin/python scripts/evidence_classifier_experiment.py --store /tmp/il_int8.duckdb
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from coding_experiments import (  # noqa: E402
    experiment_parser,
    macro,
    participants_of,
    product_hits,
)
from dev_eval import LABELS, split_half  # noqa: E402

from analysis.coding import load_codebook  # noqa: E402
from analysis.evaluation import load_labels  # noqa: E402

CUTS = np.linspace(0.3, 0.99, 24)


def _norm(text: object) -> str:
    return " ".join(str(text).lower().split())


def evidence_rows(labels: list[dict], answers: list[str], rows_of: dict) -> dict:
    """(transcript id, code) -> the answer row holding the labelled evidence quote (by its
    first 60 characters; else the answer sharing most words with it)."""
    normal = [_norm(a) for a in answers]
    found = {}
    for lab in labels:
        tid = lab["transcript_id"]
        for code, quote in (lab.get("evidence") or {}).items():
            quote = _norm(quote)
            rows = rows_of.get(tid, [])
            exact = [r for r in rows if quote and quote[:60] in normal[r]]
            if exact:
                found[(tid, code)] = exact[0]
            elif rows:
                words = set(quote.split())
                found[(tid, code)] = max(rows, key=lambda r: len(words & set(normal[r].split())))
    return found


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression

    parser = experiment_parser(__doc__)
    parser.add_argument(
        "--learning-curve",
        action="store_true",
        help="train on growing random subsets of one half, score on the other (both ways)",
    )
    args = parser.parse_args(argv)
    segments, _embedder, vectors, hits = product_hits(args.backend, args.store, context_prior=True)
    code_ids = load_codebook().code_ids
    column = {c: i for i, c in enumerate(code_ids)}
    confidence = np.zeros((len(segments), len(code_ids)), np.float32)
    for row, code, value in zip(hits["row"], hits["code"], hits["confidence"], strict=True):
        confidence[row, column[code]] = max(confidence[row, column[code]], value)
    features = np.hstack([vectors, confidence, (confidence > 0).astype(np.float32)])
    tids = segments["transcript_id"].astype(str).to_numpy()
    ids = sorted(set(tids))
    rows_of: dict[str, list[int]] = {}
    for row, tid in enumerate(tids):
        rows_of.setdefault(tid, []).append(row)
    labels = load_labels(LABELS)
    evidence = evidence_rows(labels, list(segments["answer"]), rows_of)
    rules = (
        participants_of(hits.loc[hits["confidence"] >= 0.5, ["row", "code"]], tids, ids, code_ids)
        .set_index("transcript_id")[code_ids]
        .astype(bool)
    )

    def participant_scores(train: list[dict], strength: float) -> pd.DataFrame:
        scores = np.zeros_like(confidence)
        for code in code_ids:
            positives = [
                evidence[(lab["transcript_id"], code)]
                for lab in train
                if code in lab["codes"] and (lab["transcript_id"], code) in evidence
            ]
            negatives = [
                r
                for lab in train
                if code not in lab["codes"]
                for r in rows_of.get(lab["transcript_id"], [])
            ]
            if len(positives) < 2 or not negatives:
                continue
            model = LogisticRegression(
                C=strength, class_weight="balanced", max_iter=2000, random_state=0
            )
            model.fit(
                features[positives + negatives],
                np.r_[np.ones(len(positives)), np.zeros(len(negatives))],
            )
            scores[:, column[code]] = model.predict_proba(features)[:, 1]
        frame = pd.DataFrame(scores, columns=code_ids)
        frame["transcript_id"] = tids
        return frame.groupby("transcript_id").max()

    def cuts(train: list[dict], strength: float) -> dict[str, float]:
        order = list(train)
        np.random.default_rng(0).shuffle(order)
        folds = [order[::2], order[1::2]]
        held: dict[str, pd.Series] = {}
        for k in (0, 1):
            scores = participant_scores(folds[1 - k], strength)
            held.update(
                {lab["transcript_id"]: scores.loc[lab["transcript_id"]] for lab in folds[k]}
            )
        chosen = {}
        for code in code_ids:
            gold = np.array([code in lab["codes"] for lab in order])
            score = np.array([held[lab["transcript_id"]][code] for lab in order])
            f1 = [
                2 * ((score >= c) & gold).sum() / max((score >= c).sum() + gold.sum(), 1)
                for c in CUTS
            ]
            chosen[code] = float(CUTS[int(np.argmax(f1))])
        return chosen

    tune = [lab for lab in labels if split_half(lab["transcript_id"]) == "tune"]
    if args.learning_curve:
        check = [lab for lab in labels if split_half(lab["transcript_id"]) == "check"]
        learning_curve(tune, check, rules, participant_scores, cuts, labels, code_ids)
        return 0
    print("| C | variant | tune macro-F1 / prev. pp | check macro-F1 / prev. pp |")
    print("| ---: | --- | ---: | ---: |")
    for strength in (0.5, 2.0):
        scores = participant_scores(tune, strength)
        cut = cuts(tune, strength)
        alone = pd.DataFrame({c: scores[c] >= cut[c] for c in code_ids})
        variants = {
            "rules (product path)": rules,
            "classifier alone": alone,
            "rules or classifier": rules | alone,
            "rules or classifier >= max(cut, 0.9)": rules
            | pd.DataFrame({c: scores[c] >= max(cut[c], 0.9) for c in code_ids}),
            "rules vetoed below 0.2": rules & (scores >= 0.2),
        }
        for name, table in variants.items():
            frame = table.astype(int).rename_axis("transcript_id").reset_index()
            (t_f1, t_pp), (c_f1, c_pp) = (
                macro(labels, frame, code_ids, s) for s in ("tune", "check")
            )
            print(f"| {strength} | {name} | {t_f1:.3f} / {t_pp:.1f} | {c_f1:.3f} / {c_pp:.1f} |")
    return 0


def learning_curve(tune, check, rules, participant_scores, cuts, labels, code_ids) -> None:
    """Held-out macro-F1 of "classifier alone" and "rules or confident classifier" against the
    number of training participants: 4 random subsets per size, trained on one half and
    scored on the other, both ways. Its slope says whether more labelled participants would
    help, which the 46-participant result alone cannot."""
    print(
        "| trained on | classifier alone: held-out macro-F1 (mean, min–max) "
        "| rules or classifier >= max(cut, 0.9) |"
    )
    print("| ---: | ---: | ---: |")
    halves = {"tune": tune, "check": check}
    for size in (12, 23, 34, 44):
        alone_f1, union_f1 = [], []
        for train_name, test_name in (("tune", "check"), ("check", "tune")):
            for draw in range(4):
                pool = list(halves[train_name])
                np.random.default_rng(draw).shuffle(pool)
                train = pool[:size]
                scores = participant_scores(train, 0.5)
                cut = cuts(train, 0.5)
                alone = pd.DataFrame({c: scores[c] >= cut[c] for c in code_ids})
                union = rules | pd.DataFrame(
                    {c: scores[c] >= max(cut[c], 0.9) for c in code_ids}
                )
                for table, sink in ((alone, alone_f1), (union, union_f1)):
                    frame = table.astype(int).rename_axis("transcript_id").reset_index()
                    sink.append(macro(labels, frame, code_ids, test_name)[0])
        print(
            f"| {size} | {np.mean(alone_f1):.3f} ({min(alone_f1):.3f}–{max(alone_f1):.3f}) "
            f"| {np.mean(union_f1):.3f} ({min(union_f1):.3f}–{max(union_f1):.3f}) |",
            flush=True,
        )


if __name__ == "__main__":
    raise SystemExit(main())
