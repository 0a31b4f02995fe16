"""Re-run the corpus-trained coding experiments of docs/EVALUATION.md (self-training & co).

Every variant starts from the product path's cue hits (MiniLM int8 answer vectors,
similarity re-weighing, no question-context prior) over the full 1,250-transcript
corpus, changes which answers carry a code using only the unlabelled corpus, and is scored
on the dev labels' tune, check and all splits. No variant looks at a label; the labels
only judge. Usage::

    .venv/bin/python scripts/coding_experiments.py --store /tmp/il_int8.duckdb

Variants:
- ``self-train pN``: ``analysis.coding.selftrain`` (shrinkage LDA per code on pseudo-labels)
  adds answers whose score passes the cut with cross-validated pseudo-label precision N;
- ``neighbours kK >= v``: an answer without a cue hit gets a code when at least share v of
  its K most similar answers in the corpus are confident cue hits of that code;
- ``prototype z >= t``: an answer whose z-scored similarity to the code prototype is at
  least t gets the code with no cue at all;
- ``two weak hits``: hits the similarity re-weighing dropped count when a participant has
  two of them (confidence >= 0.3) for the same code;
- ``word self-train pN``: as self-train, but Naive-Bayes log-count ratios of the answers'
  word 1-2-grams instead of MiniLM vectors;
- ``question-context prior``: ``analysis.coding.context_prior`` (now on by default): a hit's
  confidence moves by 0.1 x log2(the code's confident-hit rate in answers to that question
  group / its corpus rate), clipped to [-1, 2].
All other variants start from the cue hits *without* that prior (the code before it).
The last column is a paired bootstrap (participants resampled, 1,000 draws, seed 0) of the
all-90 macro-F1 change: its 5th–95th percentile.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from dev_eval import LABELS, load_corpus, make_embedder, split_half  # noqa: E402

from analysis.coding import code_segments, load_codebook, participant_codes  # noqa: E402
from analysis.coding.selftrain import (  # noqa: E402
    SelfTrainSettings,
    fit_self_training,
    pseudo_labels,
)
from analysis.coding.similarity import code_similarities  # noqa: E402
from analysis.evaluation import load_labels, score_run  # noqa: E402

Rows = pd.DataFrame
"""Answer-level assignments as columns ``row`` (segment position) and ``code``."""


def nearest_neighbours(vectors: np.ndarray, k: int, block: int = 2000) -> np.ndarray:
    """Indices of each answer's k most similar other answers (cosine; exact, blocked)."""
    out = np.zeros((len(vectors), k), dtype=np.int64)
    for start in range(0, len(vectors), block):
        sims = vectors[start : start + block] @ vectors.T
        sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf
        out[start : start + block] = np.argpartition(-sims, k, axis=1)[:, :k]
    return out


def word_self_training(
    answers: list[str], positive: np.ndarray, any_hit: np.ndarray, folds: int = 3
) -> Callable[[float], np.ndarray]:
    """Naive-Bayes log-count ratios of word 1-2-grams learned from the cue pseudo-labels.

    Returns ``mask(target)``: answers whose out-of-fold score passes the cut with
    cross-validated pseudo-label precision ``target`` (the same rule as selftrain.py).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    from analysis.coding.selftrain import precision_cut

    words = CountVectorizer(ngram_range=(1, 2), min_df=3, binary=True).fit_transform(answers)
    words = words.tocsr().astype(np.float32)
    negative = ~any_hit
    fold_of = np.arange(len(answers)) % folds
    out_of_fold = np.zeros(positive.shape)
    for fold in range(folds):
        train = fold_of != fold
        pos = words[train].T @ positive[train].astype(np.float32) + 1.0
        neg = words[train].T @ negative[train].astype(np.float32) + 1.0
        ratio = np.log(pos / pos.sum(0)) - np.log(neg / neg.sum(0))
        out_of_fold[~train] = np.asarray(words[~train] @ ratio)

    def mask(target: float) -> np.ndarray:
        cuts = np.full(positive.shape[1], np.inf)
        for j in range(positive.shape[1]):
            known = positive[:, j] | negative[:, j]
            if positive[:, j].sum() >= 20:
                cuts[j] = precision_cut(out_of_fold[known, j], positive[known, j], target)
        return out_of_fold >= cuts

    return mask


def experiment_parser(description: str | None) -> argparse.ArgumentParser:
    """The options every coding experiment script shares: embedding backend and vector store."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", default="minilm-int8")
    parser.add_argument("--store", help="DuckDB store holding the corpus' answer vectors")
    return parser


def product_hits(
    backend: str, store: str | None, *, context_prior: bool
) -> tuple[pd.DataFrame, Any, np.ndarray, pd.DataFrame]:
    """(segments, embedder, answer vectors, every cue hit with its final confidence and its
    segment position ``row``) of the full corpus on the product path, nothing thresholded."""
    from analysis.embedding import embed_answers

    segments, _ = load_corpus()
    embedder = make_embedder(backend, store)
    vectors = np.asarray(embed_answers(embedder, list(segments["answer"]), 0), np.float32)
    hits = code_segments(
        segments,
        load_codebook(),
        segment_embeddings=vectors,
        embed=embedder.embed,
        min_confidence=0.0,
        context_prior=context_prior,
        n_jobs=1,
    )
    keys = zip(segments["transcript_id"], segments["segment_index"], strict=True)
    position = {key: i for i, key in enumerate(keys)}
    hits["row"] = [
        position[key] for key in zip(hits["transcript_id"], hits["segment_index"], strict=True)
    ]
    return segments, embedder, vectors, hits


def participants_of(rows: Rows, transcript_ids: np.ndarray, ids, code_ids) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"transcript_id": transcript_ids[rows["row"].to_numpy()], "code": rows["code"].to_numpy()}
    )
    return participant_codes(frame, ids, code_ids)


def macro(labels, table, code_ids, split: str) -> tuple[float, float]:
    chosen = [lab for lab in labels if split == "all" or split_half(lab["transcript_id"]) == split]
    summary = score_run(chosen, table, code_ids).summary
    return summary["macro_f1"], summary["mean_abs_prevalence_error_pp"]


def bootstrap_delta(labels, base, variant, code_ids, draws: int = 1000) -> tuple[float, float]:
    """5th/95th percentile of the all-split macro-F1 change over resampled participants."""
    rng = np.random.default_rng(0)
    truth = pd.DataFrame(0, index=[lab["transcript_id"] for lab in labels], columns=code_ids)
    for lab in labels:
        truth.loc[lab["transcript_id"], [c for c in lab["codes"] if c in code_ids]] = 1
    y = truth.to_numpy(bool)
    a = base.set_index("transcript_id").loc[truth.index, code_ids].to_numpy(bool)
    b = variant.set_index("transcript_id").loc[truth.index, code_ids].to_numpy(bool)

    def f1(pred: np.ndarray, gold: np.ndarray) -> float:
        tp = (pred & gold).sum(0)
        denom = pred.sum(0) + gold.sum(0)
        keep = gold.sum(0) >= 3
        return float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)[keep]))

    deltas = []
    for _ in range(draws):
        pick = rng.integers(0, len(y), len(y))
        deltas.append(f1(b[pick], y[pick]) - f1(a[pick], y[pick]))
    low, high = np.percentile(deltas, [5, 95])
    return float(low), float(high)


def main(argv: list[str] | None = None) -> int:
    args = experiment_parser(__doc__).parse_args(argv)

    segments, embedder, vectors, hits = product_hits(args.backend, args.store, context_prior=False)
    codebook = load_codebook()
    code_ids = codebook.code_ids
    keys = zip(segments["transcript_id"], segments["segment_index"], strict=True)
    position = {key: i for i, key in enumerate(keys)}
    hit_list = list(zip(hits["row"], hits["code"], hits["confidence"], strict=True))
    positive, any_hit = pseudo_labels(len(segments), hit_list, code_ids, 0.6)
    kept = hits.loc[hits["confidence"] >= 0.5, ["row", "code"]]
    transcript_ids = segments["transcript_id"].astype(str).to_numpy()
    ids = sorted(set(transcript_ids))
    labels = load_labels(LABELS)

    def with_added(mask: np.ndarray) -> Rows:
        rows, cols = np.nonzero(mask & ~any_hit)
        added = pd.DataFrame({"row": rows, "code": np.asarray(code_ids)[cols]})
        return pd.concat([kept, added], ignore_index=True)

    variants: dict[str, Callable[[], Rows]] = {"baseline (product path)": lambda: kept}
    for target in (0.5, 0.7, 0.8, 0.9):

        def self_train(target: float = target) -> Rows:
            model = fit_self_training(
                vectors, hit_list, code_ids, SelfTrainSettings(target_precision=target)
            )
            added = pd.DataFrame(model.additions(vectors, any_hit), columns=["row", "code", "p"])
            return pd.concat([kept, added[["row", "code"]]], ignore_index=True)

        variants[f"self-train p{target}"] = self_train
    neighbours = nearest_neighbours(vectors, 10)
    votes = positive[neighbours].mean(axis=1)
    for share in (0.6, 0.8):
        variants[f"neighbours k10 >= {share}"] = lambda s=share: with_added(votes >= s - 1e-9)
    z = code_similarities(vectors, codebook, embedder.embed).z
    for cut in (3.0, 3.5):
        variants[f"prototype z >= {cut}"] = lambda c=cut: with_added(z >= c)

    def two_weak() -> Rows:
        weak = hits[(hits["confidence"] < 0.5) & (hits["confidence"] >= 0.3)]
        count = weak.groupby(["transcript_id", "code"])["row"].transform("count")
        return pd.concat([kept, weak.loc[count >= 2, ["row", "code"]]], ignore_index=True)

    variants["two weak hits"] = two_weak
    word_scores = word_self_training(list(segments["answer"]), positive, any_hit)
    for target in (0.8, 0.9):
        variants[f"word self-train p{target}"] = lambda t=target: with_added(
            word_scores(t) & ~any_hit
        )

    def with_prior() -> Rows:
        coded = code_segments(segments, codebook, segment_embeddings=vectors, embed=embedder.embed)
        keys = zip(coded["transcript_id"], coded["segment_index"], strict=True)
        return pd.DataFrame({"row": [position[key] for key in keys], "code": coded["code"]})

    variants["question-context prior (adopted: code_segments default)"] = with_prior

    base_table = participants_of(kept, transcript_ids, ids, code_ids)
    print(
        "| variant | answers added | CPU s | tune macro-F1 / prev. | check | all | "
        "all-90 Δ macro-F1, 90% bootstrap |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, build in variants.items():
        cpu = time.process_time()
        rows = build()
        cpu = time.process_time() - cpu
        table = participants_of(rows, transcript_ids, ids, code_ids)
        cells = [macro(labels, table, code_ids, split) for split in ("tune", "check", "all")]
        low, high = bootstrap_delta(labels, base_table, table, code_ids)
        print(
            f"| {name} | {len(rows) - len(kept)} | {cpu:.1f} | "
            + " | ".join(f"{f1:.3f} / {prev:.1f}" for f1, prev in cells)
            + f" | {low:+.3f} … {high:+.3f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
