"""``python -m analysis analyze INPUT... --out DIR --streaming``: the streaming run of the CLI.

Same options and output files as the in-memory ``analyze`` (``analysis.cli_analyze``
parses them and hands over here); the corpus goes through ``analysis.scale.run_scale`` and
the files are written from the store by ``analysis.scale.export``. Exit codes as
``analyze``: 0 when at least one transcript parsed, 2 otherwise; errors are one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from analysis.cli_ingest import ingest_options
from analysis.config import PipelineConfig
from analysis.scale.export import write_scale_outputs
from analysis.scale.run import ScaleConfig, run_scale
from analysis.store import Store


def run_streaming(
    args: argparse.Namespace,
    store: Store,
    config: PipelineConfig,
    codebook_yaml: str | None,
    progress: Callable[[str, float], None],
) -> int:
    """Run the streaming pipeline for parsed ``analyze`` arguments and write the outputs."""
    # An invalid codebook (ValueError) or an unreachable cluster ends in the caller, as one
    # line for both the streaming and the in-memory run.
    run = run_scale(
        args.inputs,
        project=args.project,
        store=store,
        config=ScaleConfig(pipeline=config),
        codebook_yaml=codebook_yaml,
        progress=progress,
        ingest_options=ingest_options(args),
        metadata=args.metadata,
    )
    try:
        write_scale_outputs(store, args.project, args.out, run)
    except OSError as exc:
        print(f"analyze: cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    ingest = run["stage_details"].get("ingest", {})
    coding = run["stage_details"].get("coding", {})
    topics = run["stage_details"].get("topics", {}).get("topic_stats", {})
    print(
        f"analyze: {ingest.get('transcripts', 0)} transcripts, {ingest.get('segments', 0)} "
        f"answers, {int(topics.get('topics', 0))} topics, "
        f"{coding.get('assignments', 0)} code assignments (streaming) -> {args.out}"
    )
    return 0 if ingest.get("transcripts", 0) else 2
