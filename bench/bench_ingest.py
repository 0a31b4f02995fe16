"""Benchmark: ingest and segment the 1,250 shared transcripts; print seconds and peak RSS.

Run: ``.venv/bin/python bench/bench_ingest.py [CORPUS_DIR]`` (default ``../shared/data/
anthropic_interviewer``). Target from issue 2: ingestion under 10 s on 2 cores.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.ingest import ingest_paths  # noqa: E402
from analysis.segment import segment_transcripts  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "anthropic_interviewer"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    files = [corpus / f"{name}.csv" for name in ("workforce", "creatives", "scientists")]
    if not all(f.is_file() for f in files):
        print(f"corpus not found in {corpus}", file=sys.stderr)
        return 2
    rss_before = _peak_rss_mb()
    cpu_started = time.process_time()
    started = time.perf_counter()
    result = ingest_paths(files)
    ingested = time.perf_counter()
    segments = segment_transcripts(result.transcripts)
    segmented = time.perf_counter()
    rejected = sum(f.status == "rejected" for f in result.files)
    print(f"transcripts      {len(result.transcripts):>8,}   rejected files {rejected}")
    print(f"answers          {len(segments):>8,}")
    print(f"ingest_paths     {ingested - started:>8.2f} s")
    print(f"segment          {segmented - ingested:>8.2f} s")
    print(f"total            {segmented - started:>8.2f} s wall")
    print(f"cpu              {time.process_time() - cpu_started:>8.2f} s (steadier than wall)")
    print(f"peak RSS         {_peak_rss_mb():>8.0f} MB (after imports {rss_before:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
