"""Benchmark the analysis pipeline on the 1,250 shared transcripts against plain BERTopic.

Every measured step runs in its own fresh Python process (numba's UMAP JIT and the model
load are paid per process, so that is what a user's first run costs):

1. cold: empty store, full pipeline (ingest, embed, topics, coding, save);
2. warm: the same input again (the saved result is reused);
3. +50: a project analysed without 50 held-out transcripts (every 25th; fewer with
   --limit) whose answers the cache has never seen, then re-run with them (only the new
   answers are embedded; they are placed into the existing topics);
4. baseline: ``BERTopic()`` with default settings and its default sentence-transformers
   settings, on the same answers (skip with ``--skip-baseline``; it takes minutes).

Prints per-stage seconds and peak RSS, and writes all figures as JSON.
usage: python bench/bench_pipeline.py [--corpus DIR] [--out FILE] [--limit N] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "anthropic_interviewer"
HOLDOUT_EVERY = 25  # every 25th transcript (sorted by id) is held out: 50 of 1,250


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _held_out(transcript_ids: list[str]) -> set[str]:
    return set(sorted(transcript_ids)[::HOLDOUT_EVERY])


def _ingest(corpus: Path, limit: int):
    """All transcripts, or ``limit`` of them spread evenly over the sorted ids (all cohorts)."""
    from analysis.ingest import ingest_paths
    from analysis.records import IngestResult

    full = ingest_paths([corpus])
    if not limit or limit >= len(full.transcripts):
        return full
    ordered = sorted(full.transcripts, key=lambda t: t.transcript_id)
    step = len(ordered) / limit
    chosen = [ordered[int(i * step)] for i in range(limit)]
    return IngestResult(transcripts=chosen, files=full.files)


# ----------------------------------------------------------------------------------------
# child stages (each runs in a fresh process)
# ----------------------------------------------------------------------------------------
def _child_pipeline(
    corpus: Path, store_path: Path, project: str, exclude_held_out: bool, limit: int
) -> dict:
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from analysis.pipeline import run_pipeline
    from analysis.records import IngestResult
    from analysis.store import Store

    imported = time.perf_counter()
    source = _ingest(corpus, limit)
    if exclude_held_out:
        held = _held_out([t.transcript_id for t in source.transcripts])
        source = IngestResult(
            transcripts=[t for t in source.transcripts if t.transcript_id not in held],
            files=source.files,
        )
    ingested = time.perf_counter()
    with Store(store_path) as store:
        called = time.perf_counter()
        result = run_pipeline(source, project=project, store=store)
        finished = time.perf_counter()
    run = result.run
    return {
        "import_seconds": round(imported - started, 2),
        "ingest_seconds": round(ingested - imported, 2),
        "pipeline_seconds": round(finished - called, 2),
        "mode": run.get("reopened", {}).get("mode", run.get("mode")),
        "stages": run.get("reopened", {}).get("stages", run.get("stages")),
        "topic_stats": run.get("topic_stats", {}),
        "counts": run.get("counts", {}),
        "transcripts": len(result.transcripts),
        "segments": len(result.segments),
        "topic_labels": [str(x) for x in result.topics["label"].head(60)],
        "topic_sizes": [int(x) for x in result.topics["size"].head(60)],
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child_forget_held_out(corpus: Path, store_path: Path, limit: int) -> dict:
    """Delete the held-out answers' vectors so the +50 run has to embed them for real."""
    sys.path.insert(0, str(ROOT))
    from analysis.config import PipelineConfig
    from analysis.embedding import MiniLMEmbedder, text_key, units_for
    from analysis.segment import segment_transcripts
    from analysis.store import Store

    full = _ingest(corpus, limit)
    held = _held_out([t.transcript_id for t in full.transcripts])
    answers = [s.answer for s in segment_transcripts(full.transcripts) if s.transcript_id in held]
    units, _ = units_for(answers, PipelineConfig().unit_max_words)
    model_id = MiniLMEmbedder().model_id
    with Store(store_path) as store:
        before = store.count_vectors(model_id)
        store.delete_vectors(sorted({text_key(u) for u in units}), model_id)
        after = store.count_vectors(model_id)
    return {"held_out_answers": len(answers), "vectors_deleted": before - after}


def _child_baseline(corpus: Path, limit: int) -> dict:
    """Plain BERTopic, default settings, on the same participant answers."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from analysis.embedding.minilm import bundled_model_path
    from analysis.segment import segment_transcripts

    imported = time.perf_counter()
    docs = [s.answer for s in segment_transcripts(_ingest(corpus, limit).transcripts)]
    prepared = time.perf_counter()
    model = SentenceTransformer(bundled_model_path(), device="cpu")
    embeddings = model.encode(docs, show_progress_bar=False)
    embedded = time.perf_counter()
    topics, _ = BERTopic(embedding_model=model).fit_transform(docs, embeddings=embeddings)
    fitted = time.perf_counter()
    topics = np.asarray(topics)
    return {
        "import_seconds": round(imported - started, 2),
        "ingest_seconds": round(prepared - imported, 2),
        "embed_seconds": round(embedded - prepared, 2),
        "fit_seconds": round(fitted - embedded, 2),
        "pipeline_seconds": round(fitted - prepared, 2),
        "answers": len(docs),
        "topics": len(set(topics.tolist()) - {-1}),
        "outlier_share": round(float((topics == -1).mean()), 4),
        "peak_rss_mb": _peak_rss_mb(),
    }


# ----------------------------------------------------------------------------------------
# parent
# ----------------------------------------------------------------------------------------
def _spawn(*args: str) -> dict:
    """Run one child stage in a fresh interpreter; returns its JSON plus the process wall."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = round(time.perf_counter() - started, 2)
    if proc.returncode != 0:
        raise SystemExit(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["process_wall_seconds"] = wall
    return data


def _line(name: str, data: dict) -> str:
    counts = data.get("counts", {})
    topics = counts.get("topics", data.get("topics", ""))
    outliers = counts.get("outlier_share", data.get("outlier_share", 0.0))
    segments = counts.get("segments", 0)
    small_talk = (
        f" | small-talk topic {100 * counts['small_talk_answers'] / segments:4.1f}%"
        if segments and "small_talk_answers" in counts
        else ""
    )
    return (
        f"{name:<9} process {data['process_wall_seconds']:>7.1f} s | pipeline "
        f"{data['pipeline_seconds']:>7.1f} s | peak RSS {data['peak_rss_mb'] / 1024:>5.2f} GB | "
        f"topics {topics!s:>4} | outliers {100 * float(outliers):5.1f}%{small_talk}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pipeline.json")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--limit", type=int, default=0, help="use N transcripts spread over the corpus (0: all)"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        stage, *rest = args.child
        limit = int(rest[-1])
        if stage == "pipeline":
            corpus, store, project, exclude, _ = rest
            out = _child_pipeline(Path(corpus), Path(store), project, exclude == "1", limit)
        elif stage == "forget":
            out = _child_forget_held_out(Path(rest[0]), Path(rest[1]), limit)
        else:
            out = _child_baseline(Path(rest[0]), limit)
        print(json.dumps(out))
        return 0

    if not (args.corpus / "workforce.csv").is_file():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    corpus, limit = str(args.corpus), str(args.limit)
    figures: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_at_start": os.getloadavg(),
        "limit_transcripts": args.limit,
    }
    with tempfile.TemporaryDirectory(prefix="il-bench-") as tmp:
        store = Path(tmp) / "cold.duckdb"
        figures["cold"] = cold = _spawn("pipeline", corpus, str(store), "full", "0", limit)
        print(_line("cold", cold), flush=True)
        figures["warm"] = warm = _spawn("pipeline", corpus, str(store), "full", "0", limit)
        print(_line("warm", warm), flush=True)
        inc_store = Path(tmp) / "incremental.duckdb"
        shutil.copy(store, inc_store)
        figures["plus50_prepare"] = prep = _spawn(
            "pipeline", corpus, str(inc_store), "inc", "1", limit
        )
        print(_line("1,200", prep), flush=True)
        figures["plus50_forget"] = _spawn("forget", corpus, str(inc_store), limit)
        figures["plus50"] = plus = _spawn("pipeline", corpus, str(inc_store), "inc", "0", limit)
        print(_line("+50", plus), flush=True)
    if not args.skip_baseline:
        figures["baseline"] = base = _spawn("baseline", corpus, limit)
        print(_line("baseline", base), flush=True)
        print(
            f"baseline: embed {base['embed_seconds']} s, fit {base['fit_seconds']} s; "
            f"cold/baseline = {cold['process_wall_seconds'] / base['process_wall_seconds']:.2f}, "
            f"warm/baseline = {warm['process_wall_seconds'] / base['process_wall_seconds']:.3f}, "
            f"+50/baseline = {plus['process_wall_seconds'] / base['process_wall_seconds']:.3f}"
        )
    figures["load_average_at_end"] = os.getloadavg()
    print("cold stages:", json.dumps(cold["stages"]), json.dumps(cold.get("topic_stats", {})))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"figures -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
