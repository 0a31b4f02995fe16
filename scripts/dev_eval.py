"""Tuning harness for deductive coding and roles: score the coder on the dev labels.

Reproduce the figures in docs/EVALUATION.md::

    .venv/bin/python scripts/dev_eval.py                # lexical path, all three splits
    .venv/bin/python scripts/dev_eval.py --embeddings   # + MiniLM answer embeddings (cached)
    .venv/bin/python scripts/dev_eval.py --errors trigger.wording   # show misses/false alarms
    .venv/bin/python scripts/dev_eval.py --no-context-prior   # figures before the prior

The dev labels are split into two halves by a fixed hash of the transcript id ("tune" and
"check"); rules were tuned looking at "tune" only, "check" is the held-out estimate.
Segments come from ``analysis.ingest`` when present, otherwise from a small local parser of
the Anthropic Interviewer format (so this harness ran before ingestion landed).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.coding import code_corpus, infer_roles  # noqa: E402
from analysis.evaluation import load_labels, score_run  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data" / "anthropic_interviewer"
LABELS = SHARED / "eval" / "dev_labels.jsonl"
COHORTS = {"workforce": "workforce", "creatives": "creatives", "scientists": "scientists"}
_TURN = re.compile(r"^(Assistant|AI|User):[ \t]?", re.MULTILINE)
_SENT = re.compile(r"(?<=[.!?])\s+")


def split_half(transcript_id: str) -> str:
    """Stable tune/check assignment that does not depend on file order."""
    digest = hashlib.sha256(transcript_id.encode()).digest()[0]
    return "tune" if digest % 2 == 0 else "check"


def parse_text(transcript_id: str, text: str) -> list[dict]:
    """Minimal Anthropic Interviewer parser: (question, answer) per participant turn."""
    parts = _TURN.split(text)
    turns = [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]
    rows, last_ai = [], ""
    for index, (speaker, body) in enumerate(turns):
        if speaker in ("Assistant", "AI"):
            last_ai = body
            continue
        if not body:
            continue
        sentences = [s for s in _SENT.split(last_ai.strip()) if s.strip()]
        questions = [s for s in sentences if s.rstrip().endswith("?")]
        question = " ".join(questions[-2:]) if questions else (sentences[-1] if sentences else "")
        rows.append(
            {
                "transcript_id": transcript_id,
                "segment_index": len(rows),
                "turn_index": index,
                "question": question,
                "answer": body,
                "question_turn": last_ai,
            }
        )
    return rows


def load_corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and transcripts of the full 1,250-transcript corpus, parsed the way the app
    parses them (analysis.ingest + analysis.segment); the local parser is the fallback."""
    try:
        from analysis.ingest import ingest_paths
        from analysis.ingest.tables import segments_frame, transcripts_frame
        from analysis.segment import segment_transcripts
    except ImportError:
        return _load_corpus_locally()
    result = ingest_paths([CORPUS / f"{name}.csv" for name in COHORTS])
    segments = segments_frame(segment_transcripts(result.transcripts))
    return segments, transcripts_frame(result)


def _load_corpus_locally() -> tuple[pd.DataFrame, pd.DataFrame]:
    seg_rows, tr_rows = [], []
    for name, cohort in COHORTS.items():
        frame = pd.read_csv(CORPUS / f"{name}.csv")
        for tid, text in zip(frame["transcript_id"], frame["text"], strict=True):
            seg_rows.extend(parse_text(tid, text))
            tr_rows.append({"transcript_id": tid, "cohort": cohort})
    return pd.DataFrame(seg_rows), pd.DataFrame(tr_rows)


def make_embedder(backend: str, store_path: str | None):
    """The pipeline's embedder (``backend``) behind a vector cache: the given project store,
    else a scratch store in /tmp keyed by backend (never committed)."""
    from analysis.config import PipelineConfig
    from analysis.embedding import CachedEmbedder, embedder_for
    from analysis.store import Store

    config = PipelineConfig()
    path = store_path or f"/tmp/interview_lens_dev_eval_{backend}.duckdb"
    return CachedEmbedder(
        embedder_for(backend, config.max_seq_length, config.batch_size), Store(path)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embeddings", action="store_true")
    parser.add_argument("--backend", default="minilm-int8", help="embedding backend")
    parser.add_argument("--store", help="read/write vectors in this DuckDB store")
    parser.add_argument("--errors", default="", help="code id (or 'roles') to list errors for")
    parser.add_argument("--split", default="tune", choices=["tune", "check", "all"])
    parser.add_argument(
        "--no-context-prior",
        action="store_true",
        help="code without the question-context prior (the figures before it)",
    )
    args = parser.parse_args(argv)

    segments, transcripts = load_corpus()
    vectors = embed = None
    if args.embeddings:
        from analysis.embedding import embed_answers

        embedder = make_embedder(args.backend, args.store)
        vectors = embed_answers(embedder, list(segments["answer"]), 0)
        embed = embedder.embed

    start, cpu_start = time.perf_counter(), time.process_time()
    coded = code_corpus(
        segments,
        segment_embeddings=vectors,
        embed=embed,
        context_prior=not args.no_context_prior,
    )
    coding_s = time.perf_counter() - start
    coding_cpu = time.process_time() - cpu_start
    start = time.perf_counter()
    roles = infer_roles(segments, transcripts)
    roles_s = time.perf_counter() - start
    run = transcripts.merge(roles, on="transcript_id").merge(coded.participants, on="transcript_id")
    labels = load_labels(LABELS)
    print(
        f"coding {len(segments)} answers: {coding_s:.1f} s wall, {coding_cpu:.1f} s CPU;"
        f" roles: {roles_s:.1f} s"
    )
    print(
        f"role Unclear share (full corpus): {(roles['occupation_group'] == 'Unclear').mean():.3f}"
    )
    for split in ("tune", "check", "all"):
        subset = [
            lab for lab in labels if split == "all" or split_half(lab["transcript_id"]) == split
        ]
        report = score_run(subset, run, list(coded.codebook["code"]))
        s = report.summary
        print(
            f"{split:5s} n={s['n_participants']:3d} macro_f1={s['macro_f1']:.3f} "
            f"mape={s['mean_abs_prevalence_error_pp']:.1f}pp "
            f"group_acc={s['occupation_group_accuracy']:.3f}"
        )
        if split == "all":
            print(report.per_code.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.errors:
        _show_errors(args.errors, args.split, labels, run, segments, coded)
    return 0


def _show_errors(code, split, labels, run, segments, coded) -> None:
    """Print false negatives (with the labelled quote) and false positives (with evidence)."""
    by_id = run.set_index("transcript_id")
    chosen = [lab for lab in labels if split == "all" or split_half(lab["transcript_id"]) == split]
    if code == "roles":
        for lab in chosen:
            row = by_id.loc[lab["transcript_id"]]
            ok = row["occupation_group"] in [
                lab["occupation_group"],
                *lab["occupation_group_alternates"],
            ]
            if not ok and lab["occupation_group"] != "Unclear":
                print(
                    f"{lab['transcript_id']}: want {lab['occupation_group']!r}"
                    f" ({lab['occupation']})"
                    f" got {row['occupation_group']!r} ({row['occupation']})"
                )
        return
    assigned = coded.assignments[coded.assignments["code"] == code]
    for lab in chosen:
        tid = lab["transcript_id"]
        want = code in lab["codes"]
        got = bool(by_id.loc[tid, code])
        if want and not got:
            print(f"MISS {tid}: {lab['evidence'].get(code, '')!r}")
        elif got and not want:
            for ev in assigned[assigned["transcript_id"] == tid]["evidence"]:
                print(f"FP   {tid}: {ev!r}")
    del segments


if __name__ == "__main__":
    raise SystemExit(main())
