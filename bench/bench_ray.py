"""Benchmark the Ray engine against the local one: 1 vs 2 Ray workers, same 2,000 answers.

Each mode runs in its own fresh process with an empty vector store (so every answer is
embedded), on the same fixed set of real answers from the shared corpus (the first N
distinct answers in text-hash order: a spread over all cohorts that never changes):

- ``local``: the local engine (onnxruntime, 2 threads on a 2-core machine);
- ``ray-1`` / ``ray-2``: a local Ray cluster with 1 or 2 CPUs and as many worker actors.

Per mode it reports: seconds to start the cluster, to embed (Ray Data batch inference,
results written to the store block by block) and to code (partitions of whole transcripts);
peak RSS of the driver and of the driver plus every process it started (Ray's raylet,
GCS and workers; sampled with psutil every 0.2 s, or ru_maxrss of children without it);
and a checksum of the embeddings and codes, which must be identical in every mode.

usage: python bench/bench_ray.py [--corpus DIR] [--answers N] [--out FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "anthropic_interviewer"
MODES = ("local", "ray-1", "ray-2")


class TreeMemory:
    """Peak RSS (MB) of this process alone and of this process plus all its descendants."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_self = 0.0
        self.peak_tree = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        try:
            import psutil
        except ImportError:  # ru_maxrss of reaped children is the fallback (see result())
            return
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_tree = max(self.peak_tree, total / 2**20)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict[str, float]:
        self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        tree = self.peak_tree or self_mb + children_mb
        return {"driver_peak_rss_mb": round(self_mb, 1), "tree_peak_rss_mb": round(tree, 1)}


def fixed_answers(corpus: Path, n: int):
    """(segments, transcripts) holding the first ``n`` distinct answers by text hash."""
    from analysis.embedding import text_key
    from analysis.ingest import ingest_paths
    from analysis.ingest.tables import segments_frame, transcripts_frame
    from analysis.segment import segment_transcripts

    ingest = ingest_paths([corpus])
    segments = segments_frame(segment_transcripts(ingest.transcripts))
    segments = segments[segments["answer"].str.strip() != ""].copy()
    segments["key"] = [text_key(a) for a in segments["answer"]]
    segments = segments.drop_duplicates("key").sort_values("key").head(n)
    segments = segments.sort_values(["transcript_id", "segment_index"]).reset_index(drop=True)
    transcripts = transcripts_frame(ingest)
    transcripts = transcripts[transcripts["transcript_id"].isin(set(segments["transcript_id"]))]
    return segments.drop(columns=["key"]), transcripts.reset_index(drop=True)


def run_mode(mode: str, corpus: Path, n: int) -> dict:
    """One mode, in this (fresh) process."""
    from analysis.config import PipelineConfig
    from analysis.embedding import embed_answers
    from analysis.engines import EmbedderSpec, engine_for
    from analysis.store import Store

    segments, transcripts = fixed_answers(corpus, n)
    spec = EmbedderSpec.of(PipelineConfig())
    base = spec.build()
    base.embed(["load the model"])  # the driver's model load is not embedding time
    figures: dict = {"mode": mode, "answers": len(segments), "transcripts": len(transcripts)}
    with TreeMemory() as memory, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        if mode == "local":
            engine = engine_for("local")
        else:
            from analysis.engines import cluster

            workers = int(mode.split("-")[1])
            cluster.connect(None, workers=workers)
            engine = engine_for("ray", workers=workers)
        figures["start_s"] = round(time.perf_counter() - started, 2)
        with Store(Path(folder) / "store.duckdb") as store:
            cached = engine.cached_embedder(spec, base, store)
            started = time.perf_counter()
            embeddings = embed_answers(cached, list(segments["answer"]), 0)
            figures["embed_s"] = round(time.perf_counter() - started, 2)
            figures["embedded"] = cached.n_computed
            started = time.perf_counter()
            coded, roles = engine.code(segments, transcripts, embeddings, cached.embed, None, None)
            figures["code_s"] = round(time.perf_counter() - started, 2)
        figures["answers_per_s"] = round(len(segments) / figures["embed_s"], 1)
        figures["engine_runs"] = getattr(engine, "runs", {})
        figures["embeddings_sha256"] = hashlib.sha256(embeddings.tobytes()).hexdigest()[:16]
        figures["codes_sha256"] = hashlib.sha256(
            (coded.assignments.to_csv() + roles.to_csv()).encode()
        ).hexdigest()[:16]
    figures.update(memory.result())
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ray_2000.json")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child, args.corpus, args.answers)))
        return 0
    load_before = os.getloadavg()
    results = []
    for mode in MODES:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--corpus", str(args.corpus),
             "--answers", str(args.answers)],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        row = results[-1]
        print(
            f"{mode:6} start {row['start_s']:6.1f} s  embed {row['embed_s']:6.1f} s "
            f"({row['answers_per_s']:5.1f}/s)  code {row['code_s']:5.1f} s  "
            f"driver {row['driver_peak_rss_mb']:6.0f} MB  all {row['tree_peak_rss_mb']:6.0f} MB",
            flush=True,
        )
    same = len({(r["embeddings_sha256"], r["codes_sha256"]) for r in results}) == 1
    report = {
        "answers": args.answers,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "identical_results": same,
        "modes": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"identical embeddings and codes in every mode: {same}; "
          f"load average {report['load_average_before']} -> {report['load_average_after']}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
