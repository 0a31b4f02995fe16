"""Benchmark: the dashboard's SQL queries on synthetic large projects of 10k to 1M answers.

Run: ``.venv/bin/python bench/bench_dashboard_scale.py [--sizes 10000,100000,500000,1000000]
[--out bench/results/dashboard_scale]``. Each size runs in its own process (so its peak RSS
is its own): the project is written with SQL (``analysis.scale.synthetic_tables``, about
one participant per 11.6 answers, like 86,000 people giving a million answers) into a fresh
store file, then every query a converted page makes is timed 5 times under two filters
(none; a cohort plus a keyword) and the median is reported, with the build time and the
process's peak RSS. ``page_*`` rows add up the queries one page draw needs on a cold
cache (what a filter change costs). Results go to ``<out>.json`` and ``<out>.md``.

Why these numbers: the claim "the dashboard stays responsive on a million answers" is that
every page draw is a handful of sub-second queries and memory does not grow with the
corpus beyond DuckDB's own buffers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.filters import FilterSpec  # noqa: E402
from analysis.scale import queries  # noqa: E402
from analysis.scale.synthetic_tables import (  # noqa: E402
    CODES,
    COHORTS,
    KEYWORD,
    write_synthetic_project,
)
from analysis.store import Store  # noqa: E402

SIZES = (10_000, 100_000, 500_000, 1_000_000)
ANSWERS_PER_PERSON = 1_000_000 / 86_000
REPEATS = 5
PROJECT = "bench"
FILTERS = {"none": FilterSpec(), "cohort+keyword": FilterSpec(cohorts=(COHORTS[0],),
                                                               keyword=KEYWORD)}
PAGES = {
    "page_overview": ("overview", "code_prevalence"),
    "page_facet": ("overview", "code_prevalence_facet", "count_evidence", "evidence_page"),
    "page_topics": ("overview", "topic_sizes", "map_sample", "topic_by_group",
                    "count_topic_answers", "topic_quotes"),
    "page_quotes": ("overview", "count_answers", "answers_page"),
}
"""The queries each converted page makes on a draw (the sidebar's options are cached
per project, not per filter, so they are listed separately)."""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _queries(store: Store, spec: FilterSpec) -> dict[str, Callable[[], Any]]:
    code = CODES[5]
    return {
        "overview": lambda: queries.overview(store, PROJECT, spec),
        "code_prevalence": lambda: queries.code_prevalence(store, PROJECT, spec),
        "code_prevalence_facet": lambda: queries.code_prevalence(store, PROJECT, spec,
                                                                 "pattern"),
        "prevalence_by_group": lambda: queries.prevalence_by_group(
            store, PROJECT, spec, "occupation_group"),
        "cooccurrence": lambda: queries.cooccurrence(store, PROJECT, spec),
        "topic_sizes": lambda: queries.topic_sizes(store, PROJECT, spec),
        "topic_by_group": lambda: queries.topic_by_group(store, PROJECT, spec, "cohort"),
        "map_sample": lambda: queries.map_sample(store, PROJECT, spec, 3000),
        "count_evidence": lambda: queries.count_evidence(store, PROJECT, spec, code),
        "evidence_page": lambda: queries.evidence_for_code(store, PROJECT, spec, code, 20),
        "evidence_page_deep": lambda: queries.evidence_for_code(store, PROJECT, spec, code,
                                                                20, 2000),
        "count_topic_answers": lambda: queries.count_topic_answers(store, PROJECT, spec, 3),
        "topic_quotes": lambda: queries.topic_quotes(store, PROJECT, spec, 3, 5),
        "count_answers": lambda: queries.count_answers(store, PROJECT, spec, search="answer 1"),
        "answers_page": lambda: queries.answers_page(store, PROJECT, spec, search="answer 1",
                                                     limit=20, offset=40),
        "filter_options": lambda: queries.filter_options(store, PROJECT),
    }


def _median_seconds(run: Callable[[], Any]) -> tuple[float, float]:
    """Median wall and CPU seconds of ``REPEATS`` runs.

    CPU time counts every DuckDB thread of this process; on a machine shared with other
    work it is the steadier figure (wall time grows with everyone else's load).
    """
    wall, cpu = [], []
    for _ in range(REPEATS):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(wall), statistics.median(cpu)


def run_one(n_answers: int) -> dict[str, Any]:
    """Build one size and time every query (called in a child process)."""
    n_people = max(1, round(n_answers / ANSWERS_PER_PERSON))
    rss_start = _peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store.duckdb") as store:
        started = time.perf_counter()
        write_synthetic_project(store, PROJECT, n_answers, n_people)
        build_s = time.perf_counter() - started
        rss_built = _peak_rss_mb()
        seconds: dict[str, dict[str, float]] = {}
        cpu_seconds: dict[str, dict[str, float]] = {}
        for name, spec in FILTERS.items():
            both = {query: _median_seconds(run) for query, run in _queries(store, spec).items()}
            timed = {query: pair[0] for query, pair in both.items()}
            cpu = {query: pair[1] for query, pair in both.items()}
            for page, parts in PAGES.items():
                timed[page] = sum(timed[p] for p in parts)
                cpu[page] = sum(cpu[p] for p in parts)
            seconds[name], cpu_seconds[name] = timed, cpu
        size_mb = Path(store.path).stat().st_size / 1e6
    return {"n_answers": n_answers, "n_participants": n_people, "build_s": build_s,
            "store_mb": size_mb, "peak_rss_mb_after_imports": rss_start,
            "peak_rss_mb_after_build": rss_built, "peak_rss_mb": _peak_rss_mb(),
            "load_average": os.getloadavg(), "seconds": seconds, "cpu_seconds": cpu_seconds}


def _markdown(rows: list[dict[str, Any]]) -> str:
    sizes = [f"{r['n_answers']:,}" for r in rows]
    lines = ["# Dashboard queries on synthetic large projects", "",
             f"Median of {REPEATS} runs per query, seconds (wall / CPU of all threads), "
             "2-core machine shared with other work (1-minute load average at the end of "
             "each size: " + ", ".join(f"{r['load_average'][0]:.1f}" for r in rows) + "); "
             "one process per size. Filters: `none` = all participants; `cohort+keyword` = "
             "one cohort and a keyword in answers.", "",
             "| | " + " | ".join(sizes) + " |", "|---" * (len(rows) + 1) + "|",
             "| participants | " + " | ".join(f"{r['n_participants']:,}" for r in rows) + " |",
             "| build (SQL) s | " + " | ".join(f"{r['build_s']:.2f}" for r in rows) + " |",
             "| store file MB | " + " | ".join(f"{r['store_mb']:.0f}" for r in rows) + " |",
             "| peak RSS MB | " + " | ".join(f"{r['peak_rss_mb']:.0f}" for r in rows) + " |"]
    for name in FILTERS:
        for query in rows[0]["seconds"][name]:
            lines.append(f"| {query} ({name}) | " + " | ".join(
                f"{r['seconds'][name][query]:.3f} / {r['cpu_seconds'][name][query]:.3f}"
                for r in rows) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard_scale"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args(argv[1:])
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        child = subprocess.run([sys.executable, __file__, "--one", str(size)], check=True,
                               capture_output=True, text=True)
        row = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append(row)
        worst = max(v for s in row["seconds"].values() for v in s.values())
        print(f"{size:>9,} answers: build {row['build_s']:.2f} s, peak RSS "
              f"{row['peak_rss_mb']:.0f} MB, slowest query/page {worst:.3f} s", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    table = _markdown(rows)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
