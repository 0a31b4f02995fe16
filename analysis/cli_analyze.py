"""``python -m analysis analyze INPUT... --out DIR [--store FILE] [--metadata FILE] ...``.

Runs ingest and every analysis stage through the same ``run_pipeline`` as the app, shows a
progress bar on stderr and writes the output files (see ``analysis.outputs``). Exit 0 when
at least one transcript parsed, 2 otherwise; errors are one line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from analysis.cli_ingest import add_input_arguments, ingest_options
from analysis.config import PipelineConfig
from analysis.embedding import BACKENDS
from analysis.engines import ENGINES, EngineError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="ingest, embed, find topics, code and write the result tables",
        description="Analyse transcripts: topics, codes and roles, written as CSV tables.",
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--store",
        type=Path,
        help="DuckDB project store (default: $INTERVIEW_LENS_STORE or a per-user file)",
    )
    parser.add_argument("--project", default="default", help="project name in the store")
    parser.add_argument("--codebook", type=Path, help="codebook YAML (default: built-in)")
    parser.add_argument(
        "--embedding-backend",
        choices=list(BACKENDS),
        default=PipelineConfig.embedding_backend,
        help=PipelineConfig.help()["embedding_backend"],
    )
    parser.add_argument("--seed", type=int, default=PipelineConfig.random_state, help="random seed")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--engine",
        choices=list(ENGINES),
        default=PipelineConfig.engine,
        help=PipelineConfig.help()["engine"],
    )
    parser.add_argument(
        "--ray-address", metavar="ADDR", help=PipelineConfig.help()["ray_address"]
    )
    parser.add_argument(
        "--ray-workers", type=int, metavar="N", help=PipelineConfig.help()["ray_workers"]
    )
    parser.add_argument(
        "--streaming",
        action="store_true",
        help="stream the corpus through the store chunk by chunk (large corpora; resumable; "
        "see analysis.scale)",
    )
    parser.set_defaults(func=run)


class _Bar:
    """A tqdm bar on stderr driven by ``progress(message, fraction)``."""

    def __init__(self, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=1000, file=sys.stderr, bar_format="{l_bar}{bar}| {elapsed}")

    def __call__(self, message: str, fraction: float) -> None:
        if self._bar is None:
            return
        self._bar.set_description_str(message[:60])
        self._bar.n = int(1000 * fraction)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run(args: argparse.Namespace) -> int:
    from analysis.outputs import write_outputs
    from analysis.pipeline import run_pipeline
    from analysis.store import Store

    codebook_yaml = None
    if args.codebook is not None:
        try:
            codebook_yaml = args.codebook.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"analyze: cannot read codebook {args.codebook}: {exc}", file=sys.stderr)
            return 2
        from analysis.coding import validate_codebook_yaml

        problems = validate_codebook_yaml(codebook_yaml)
        if problems:  # before any file is read or model run, not after the topic fit
            print(f"analyze: {'; '.join(problems)}", file=sys.stderr)
            return 2
    if args.engine != "ray" and (args.ray_address or args.ray_workers is not None):
        print("analyze: --ray-address and --ray-workers need --engine ray", file=sys.stderr)
        return 2
    if args.ray_workers is not None and args.ray_workers < 1:
        print("analyze: --ray-workers must be at least 1", file=sys.stderr)
        return 2
    config = replace(
        PipelineConfig(),
        embedding_backend=args.embedding_backend,
        random_state=args.seed,
        engine=args.engine,
        ray_address=args.ray_address,
        ray_workers=args.ray_workers,
    )
    try:
        store = Store(args.store)
    except Exception as exc:  # duckdb raises its own IOException family
        print(f"analyze: cannot open store {args.store}: {exc}", file=sys.stderr)
        return 2
    bar = _Bar(not args.no_progress)
    try:
        if args.streaming:  # same outputs, written from the store's tables in chunks
            from analysis.scale.cli import run_streaming

            return run_streaming(args, store, config, codebook_yaml, bar)
        result = run_pipeline(
            args.inputs,
            project=args.project,
            store=store,
            config=config,
            metadata=args.metadata,
            ingest_options=ingest_options(args),
            codebook_yaml=codebook_yaml,
            progress=bar,
        )
    except (ValueError, EngineError) as exc:  # invalid codebook; Ray cluster unreachable
        bar.close()
        print(f"analyze: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
        store.close()
    try:
        write_outputs(result, args.out)
    except OSError as exc:
        print(f"analyze: cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    for message in result.messages:
        print(f"note: {message}", file=sys.stderr)
    counts = result.run.get("counts", {})
    reopened = "reopened" in result.run
    print(
        f"analyze: {len(result.transcripts)} transcripts, {len(result.segments)} answers, "
        f"{counts.get('topics', 0)} topics "
        f"({100 * counts.get('outlier_share', 0):.1f}% without a topic), "
        f"{len(result.assignments)} code assignments"
        f"{' (saved result reused)' if reopened else ''} -> {args.out}"
    )
    return 0 if len(result.transcripts) else 2
