"""Command-line entry point; each subcommand lives in its own ``cli_*`` module."""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "ingest": "analysis.cli_ingest",
    "analyze": "analysis.cli_analyze",
    "evaluate": "analysis.cli_evaluate",
    "exchange": "analysis.cli_exchange",  # export-qdc/qdpx, import-qdc, *-project, load-public
    "report": "analysis.cli_report",  # slide deck (.pptx) and self-contained HTML report
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Interview Lens: analyse interview transcripts about AI at work.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module_name in SUBCOMMANDS.values():
        module = importlib.import_module(module_name)
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
