"""Benchmark the streaming pipeline (``analysis.scale``) from 1k to 100k transcripts.

For each size: a synthetic corpus (``bench/make_corpus.py``, outside the repo), then each
stage — ingest, embed, topics, coding, page aggregation — in a fresh Python process
(``run_scale(stop_after=stage)`` continues the project the previous process left in the
store), so a stage's peak RSS is its own (plus imports). Prints and writes per stage
seconds and peak RSS, as JSON and a Markdown table (``bench/results/scale_<sizes>.*``).

Embedding, honestly: synthetic corpora recombine the ~14,000 distinct answers of the shared
corpus, so a text is embedded once and then read from the vector cache. Sizes listed in
``--cold-sizes`` (default: the smallest) start from an empty store and measure the model's
cost per answer; every other size starts from a copy of the previous size's store (warm
cache) and measures the cached path (anti-join + vector reads). The table also gives the
cold model time a corpus of N *distinct* answers would need (answers x measured cost).

Page aggregation runs the dashboard's SQL (``analysis.scale.queries``): overview, code
prevalence overall and by cohort, co-occurrence, topic sizes and topic x cohort, and a
page of quotes unfiltered and filtered by a code.

usage: python bench/bench_scale.py [--sizes 1000 5000 20000 100000] [--cold-sizes 1000]
       [--work /tmp/il_scale] [--warm-from STORE] [--embedding-backend minilm-int8]
       [--out-dir bench/results]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAGES = ("ingest", "embed", "topics", "coding")
PROJECT = "bench"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the coder's worker processes):
    less sensitive than wall time to other work on a shared machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 2)


# -- child processes ---------------------------------------------------------------------
def _child_stage(stage: str, store_path: Path, corpus: Path, backend: str) -> dict[str, Any]:
    from analysis.config import PipelineConfig
    from analysis.scale.run import ScaleConfig, run_scale
    from analysis.store import Store

    config = ScaleConfig(pipeline=replace(PipelineConfig(), embedding_backend=backend))
    started = time.perf_counter()
    with Store(store_path) as store:
        run = run_scale([corpus], project=PROJECT, store=store, config=config, stop_after=stage)
    return {
        "stage": stage,
        "seconds": run["stages"].get(stage),
        "process_seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": _cpu_seconds(),
        "peak_rss_mb": _peak_rss_mb(),
        "detail": run["stage_details"].get(stage, {}),
    }


def _child_pages(store_path: Path) -> dict[str, Any]:
    from analysis.filters import FilterSpec
    from analysis.scale import queries
    from analysis.store import Store

    spec = FilterSpec()
    timings: dict[str, float | str] = {}
    started = time.perf_counter()
    with Store(store_path) as store:
        first_code = str(queries.codebook(store, PROJECT)["code"].iloc[0])
        calls = {
            "overview": lambda: queries.overview(store, PROJECT, spec),
            "code_prevalence": lambda: queries.code_prevalence(store, PROJECT, spec),
            "prevalence_by_cohort": lambda: queries.prevalence_by_group(
                store, PROJECT, spec, "cohort"
            ),
            "cooccurrence": lambda: queries.cooccurrence(store, PROJECT, spec),
            "topic_sizes": lambda: queries.topic_sizes(store, PROJECT, spec),
            "topic_by_cohort": lambda: queries.topic_by_group(store, PROJECT, spec, "cohort"),
            "quotes_page": lambda: queries.answers_page(store, PROJECT, spec, limit=20),
            "quotes_page_by_code": lambda: queries.answers_page(
                store, PROJECT, FilterSpec(codes=(first_code,)), limit=20
            ),
        }
        for name, call in calls.items():
            t0 = time.perf_counter()
            try:
                call()
                timings[name] = round(time.perf_counter() - t0, 3)
            except Exception as exc:  # report, do not hide: a failing query is a result
                timings[name] = f"error: {type(exc).__name__}"
    return {
        "stage": "pages",
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": _cpu_seconds(),
        "peak_rss_mb": _peak_rss_mb(),
        "detail": timings,
    }


def _run_child(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_scale: child {args[:2]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the benchmark -----------------------------------------------------------------------
def _counts(store_path: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(store_path), read_only=True)
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM scale_transcripts WHERE project = ?), "
            "(SELECT count(*) FROM scale_segments WHERE project = ?), "
            "(SELECT count(DISTINCT text_hash) FROM scale_segments WHERE project = ?), "
            "(SELECT count(*) FROM scale_assignments WHERE project = ?)",
            [PROJECT] * 4,
        ).fetchall()[0]
    finally:
        con.close()
    return {
        "transcripts": int(row[0]),
        "answers": int(row[1]),
        "distinct_answers": int(row[2]),
        "assignments": int(row[3]),
    }


def bench_size(
    size: int, work: Path, backend: str, warm_from: Path | None
) -> tuple[dict[str, Any], Path]:
    from make_corpus import make_corpus

    corpus = work / str(size)
    if not (corpus / ".manifest.json").is_file():
        make_corpus(size, corpus)
    store_path = work / f"bench_{size}.duckdb"
    for leftover in (store_path, store_path.with_name(store_path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if warm_from is not None:
        shutil.copy(warm_from, store_path)
    stages = {}
    for stage in STAGES:
        stages[stage] = _run_child(
            ["--child", stage, "--store", str(store_path), "--corpus", str(corpus),
             "--embedding-backend", backend]
        )  # fmt: skip
        print(f"  {size:>7,} {stage:<7} {stages[stage]['seconds']:>9.1f} s "
              f"{stages[stage]['peak_rss_mb']:>8.0f} MB", flush=True)  # fmt: skip
    stages["pages"] = _run_child(["--child", "pages", "--store", str(store_path)])
    print(f"  {size:>7,} pages   {stages['pages']['seconds']:>9.1f} s "
          f"{stages['pages']['peak_rss_mb']:>8.0f} MB", flush=True)  # fmt: skip
    embed = stages["embed"]["detail"]
    computed = int(embed.get("n_computed", 0))
    record = {
        "size": size,
        "cache": f"warm (copy of {warm_from.name})" if warm_from else "cold (empty)",
        **_counts(store_path),
        "answers_embedded": computed,
        "answers_per_second": round(computed / stages["embed"]["seconds"], 1) if computed else None,
        "stages": stages,
        "load_average": os.getloadavg(),
    }
    return record, store_path


def markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Streaming pipeline, {meta['embedding_backend']} embeddings, {meta['cpus']} CPUs; "
        f"load average at start {meta['load_start']}, at end {meta['load_end']}.",
        "",
        "Cells: wall seconds (process CPU seconds, where measured) / peak RSS MB.",
        "",
        "| transcripts | answers | distinct | cache | ingest | embed (answers embedded) "
        "| topics | coding | pages |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in records:
        s = r["stages"]

        def cell(name: str, s: dict = s) -> str:
            cpu = s[name].get("cpu_seconds")
            shown = f"{s[name]['seconds']:.1f}" + (f" ({cpu:.0f})" if cpu is not None else "")
            return f"{shown} / {s[name]['peak_rss_mb']:.0f}"

        lines.append(
            f"| {r['transcripts']:,} | {r['answers']:,} | {r['distinct_answers']:,} | "
            f"{r['cache'].split()[0]} | {cell('ingest')} | {cell('embed')} "
            f"({r['answers_embedded']:,}) | {cell('topics')} | {cell('coding')} | "
            f"{cell('pages')} |"
        )
    cold = [r for r in records if r["answers_per_second"]]
    if cold:
        rate = cold[0]["answers_per_second"]
        lines += [
            "",
            f"Cold embedding measured at {rate} answers/s ({cold[0]['size']:,} transcripts, "
            "empty cache). A corpus whose answers are all distinct would need about: "
            + ", ".join(
                f"{r['answers']:,} answers {r['answers'] / rate / 3600:.1f} h" for r in records
            )
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 100000])
    parser.add_argument("--cold-sizes", type=int, nargs="*", help="default: the smallest size")
    parser.add_argument("--work", type=Path, default=Path("/tmp/il_scale"))
    parser.add_argument(
        "--warm-from",
        type=Path,
        help="a store whose vector cache seeds the first warm size (e.g. a copy of an earlier "
        "run's store): re-measure every stage but the cold model time without paying it again",
    )
    parser.add_argument("--embedding-backend", default="minilm-int8")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--render", type=Path, help="re-write the Markdown table of a JSON result")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render is not None:
        data = json.loads(args.render.read_text(encoding="utf-8"))
        table = markdown(data["sizes"], data["meta"])
        args.render.with_suffix(".md").write_text(table, encoding="utf-8")
        print(table)
        return 0
    if args.child == "pages":
        print(json.dumps(_child_pages(args.store)))
        return 0
    if args.child:
        print(json.dumps(_child_stage(args.child, args.store, args.corpus, args.embedding_backend)))
        return 0
    sizes = sorted(args.sizes)
    cold = set(args.cold_sizes) if args.cold_sizes is not None else {sizes[0]}
    args.work.mkdir(parents=True, exist_ok=True)
    meta = {
        "embedding_backend": args.embedding_backend,
        "cpus": os.cpu_count(),
        "load_start": [round(x, 2) for x in os.getloadavg()],
    }
    stem = args.out_dir / f"scale_{'-'.join(str(s) for s in sizes)}"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    records, previous = [], args.warm_from
    for size in sizes:  # results are written after every size, so a long run keeps them
        warm = None if size in cold else previous
        record, previous = bench_size(size, args.work, args.embedding_backend, warm)
        records.append(record)
        meta["load_end"] = [round(x, 2) for x in os.getloadavg()]
        table = markdown(records, meta)
        stem.with_suffix(".json").write_text(
            json.dumps({"meta": meta, "sizes": records}, indent=2), encoding="utf-8"
        )
        stem.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
