"""Experiment (docs/EVALUATION.md, "Sentence-level similarity"): not adopted.

The similarity re-weighing (``analysis.coding.similarity``) compares a whole answer's MiniLM
vector with each code's prototype. Implicit codes often live in one sentence of a long
answer, so this asks whether the *evidence sentence* of each cue hit, embedded on its own,
separates true from false hits better. Label-free: every hit's confidence on the product
path (answer similarity and question-context prior included) moves by ``w`` x the z-score of
its evidence sentence's cosine to the code prototype, z taken either over all evidence
sentences (``z_all``) or over the code's own hits (``z_own``); then the usual 0.5 cut.
The labels only judge (tune, check and all 90 dev participants). Usage::

    .venv/bin/python scripts/sentence_similarity_experiment.py --store /tmp/il_int8.duckdb

Embedding the ~19k distinct evidence sentences costs about 100 s on 2 cores the first time
(they are cached in ``--store`` afterwards).
"""

from __future__ import annotations

import sys
import time
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
from dev_eval import LABELS  # noqa: E402

from analysis.coding import load_codebook  # noqa: E402
from analysis.coding.similarity import code_prototypes  # noqa: E402
from analysis.evaluation import load_labels  # noqa: E402

WEIGHTS = (0.05, 0.1, 0.15, 0.2, 0.3)


def sentence_z(hits: pd.DataFrame, sentence_cos: np.ndarray, pool: str) -> np.ndarray:
    """z-score of each hit's evidence-sentence cosine, per code: over every evidence
    sentence (``all``, ``sentence_cos`` is sentences x codes) or over the code's own hits."""
    cos = sentence_cos[hits["sentence"].to_numpy(), hits["column"].to_numpy()]
    if pool == "all":
        column = hits["column"].to_numpy()
        return (cos - sentence_cos.mean(0)[column]) / sentence_cos.std(0)[column]
    grouped = pd.Series(cos).groupby(hits["code"].to_numpy())
    return ((cos - grouped.transform("mean")) / grouped.transform("std")).to_numpy()


def main(argv: list[str] | None = None) -> int:
    args = experiment_parser(__doc__).parse_args(argv)
    segments, embedder, _vectors, hits = product_hits(args.backend, args.store, context_prior=True)
    codebook = load_codebook()
    code_ids = codebook.code_ids
    sentences = sorted(set(hits["evidence"]))
    started = time.perf_counter()
    sentence_vectors = np.asarray(embedder.embed(sentences), np.float64)
    print(f"{len(sentences)} evidence sentences embedded in {time.perf_counter() - started:.1f} s")
    prototypes = code_prototypes(codebook, embedder.embed).astype(np.float64)
    sentence_cos = sentence_vectors @ prototypes.T
    position = {text: i for i, text in enumerate(sentences)}
    hits = hits.assign(
        sentence=hits["evidence"].map(position),
        column=hits["code"].map({c: i for i, c in enumerate(code_ids)}),
    )
    tids = segments["transcript_id"].astype(str).to_numpy()
    ids = sorted(set(tids))
    labels = load_labels(LABELS)
    base = hits["confidence"].to_numpy()

    def row(name: str, confidence: np.ndarray) -> None:
        table = participants_of(hits.loc[confidence >= 0.5, ["row", "code"]], tids, ids, code_ids)
        cells = [macro(labels, table, code_ids, s) for s in ("tune", "check", "all")]
        kept = int((confidence >= 0.5).sum())
        scores = " | ".join(f"{f1:.3f} / {pp:.1f}" for f1, pp in cells)
        print(f"| {name} | {kept} | {scores} |")

    print("| variant | answer-code hits kept | tune | check | all 90 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    row("product path (answer similarity + prior)", base)
    for pool in ("all", "own"):
        z = sentence_z(hits, sentence_cos, pool)
        for weight in WEIGHTS:
            row(f"+ {weight} x sentence z ({pool})", base + weight * z)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
