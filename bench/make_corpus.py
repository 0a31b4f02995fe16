"""Build a synthetic corpus of N transcripts for scale benchmarks by recombining real turns.

Each synthetic interview takes a cohort (workforce / creatives / scientists, weighted as
in the source), the length (number of answers) and the opening exchange of a random source
interview of that cohort, then further question/answer pairs drawn at random from that
cohort's interviews (a pair keeps the interviewer turn and the answer it prompted, so
segments stay meaningful). Ids are ``syn_000001``... . Output: ``<out>/<cohort>.csv`` in
the shared corpus's format (``transcript_id,text``; ``Assistant:`` / ``User:`` / ``AI:``
turns), written row by row, plus ``.manifest.json`` (hidden, so ingesting the folder skips
it). Fixed seed: the same N, seed and source give byte-identical files.

Never shipped as data: write it outside the repository (default ``/tmp/il_scale/N``).
Answers repeat across synthetic interviews (about 14,500 distinct answers in the source),
so after the first run the vector cache makes embedding cheap; benchmarks must say so.

usage: python bench/make_corpus.py N [--out DIR] [--seed S] [--source DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "anthropic_interviewer"
DEFAULT_SEED = 20261127


@dataclass(slots=True)
class Interview:
    """A source interview as (interviewer turn, answer) pairs; the first pair is the opening."""

    cohort: str
    pairs: list[tuple[str, str]]


def load_source(source: Path) -> list[Interview]:
    """Source interviews (through the project's own ingest), in id order."""
    from analysis.ingest import ingest_paths

    result = ingest_paths(sorted(source.glob("*.csv")))
    interviews = []
    for transcript in sorted(result.transcripts, key=lambda t: t.transcript_id):
        pairs: list[tuple[str, str]] = []
        question = ""
        for turn in transcript.turns:
            if turn.role == "interviewer":
                question = turn.text.strip()
            elif turn.text.strip() and question:
                pairs.append((question, turn.text.strip()))
        if pairs:
            interviews.append(Interview(cohort=transcript.cohort, pairs=pairs))
    if not interviews:
        raise SystemExit(f"make_corpus: no interviews found in {source}")
    return interviews


def render(pairs: list[tuple[str, str]]) -> str:
    """Transcript text in the shared format: ``Assistant:`` opens, then ``User:``/``AI:``."""
    parts = []
    for i, (question, answer) in enumerate(pairs):
        parts.append(f"{'Assistant' if i == 0 else 'AI'}: {question}")
        parts.append(f"User: {answer}")
    return "\n\n".join(parts)


def synthetic_rows(interviews: list[Interview], n: int, seed: int):
    """Yield ``(cohort, transcript_id, text)`` for ``n`` synthetic interviews."""
    rng = np.random.default_rng(seed)
    cohorts = sorted({i.cohort for i in interviews})
    by_cohort = {c: [i for i in interviews if i.cohort == c] for c in cohorts}
    weights = np.array([len(by_cohort[c]) for c in cohorts], dtype=float)
    pools = {
        c: [pair for interview in by_cohort[c] for pair in interview.pairs[1:]] for c in cohorts
    }
    for number in range(1, n + 1):
        cohort = cohorts[int(rng.choice(len(cohorts), p=weights / weights.sum()))]
        template = by_cohort[cohort][int(rng.integers(len(by_cohort[cohort])))]
        pool = pools[cohort]
        pairs = [template.pairs[0]]
        if pool:
            picks = rng.integers(len(pool), size=len(template.pairs) - 1)
            pairs.extend(pool[int(p)] for p in picks)
        yield cohort, f"syn_{number:06d}", render(pairs)


def make_corpus(n: int, out: Path, seed: int = DEFAULT_SEED, source: Path = DEFAULT_SOURCE) -> dict:
    """Write the corpus; returns the manifest (also written as ``.manifest.json``)."""
    interviews = load_source(source)
    out.mkdir(parents=True, exist_ok=True)
    handles: dict[str, tuple] = {}
    counts: dict[str, int] = {}
    try:
        for cohort, transcript_id, text in synthetic_rows(interviews, n, seed):
            if cohort not in handles:
                handle = (out / f"{cohort}.csv").open("w", encoding="utf-8", newline="")
                writer = csv.writer(handle)
                writer.writerow(["transcript_id", "text"])
                handles[cohort] = (handle, writer)
            handles[cohort][1].writerow([transcript_id, text])
            counts[cohort] = counts.get(cohort, 0) + 1
    finally:
        for handle, _writer in handles.values():
            handle.close()
    files = {}
    for cohort in sorted(counts):
        digest = hashlib.sha256((out / f"{cohort}.csv").read_bytes()).hexdigest()
        files[f"{cohort}.csv"] = {"transcripts": counts[cohort], "sha256": digest}
    manifest = {
        "transcripts": n,
        "seed": seed,
        "source": str(source),
        "source_interviews": len(interviews),
        "distinct_source_answers": len({a for i in interviews for _q, a in i.pairs}),
        "files": files,
    }
    (out / ".manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of synthetic transcripts")
    parser.add_argument("--out", type=Path, help="output folder (default /tmp/il_scale/N)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("n must be at least 1")
    out = args.out or Path("/tmp/il_scale") / str(args.n)
    if out.resolve().is_relative_to(ROOT):
        parser.error("write the synthetic corpus outside the repository")
    manifest = make_corpus(args.n, out, args.seed, args.source)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
