"""Exchange subcommands: REFI-QDA files, project files and the public dataset.

``export-qdc``/``import-qdc`` convert codebooks, ``export-qdpx`` writes a saved project for
NVivo/ATLAS.ti/MAXQDA, ``export-project``/``import-project`` move a whole project between
stores, ``load-public`` fetches the public Anthropic Interviewer CSVs (the one command that
uses the network, and only towards the source it is given). Exit 0 on success, 2 when the
inputs cannot be used (the reason is printed on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

STORE_HELP = "DuckDB project store (default: $INTERVIEW_LENS_STORE or a per-user file)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int]
                ) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        parser.set_defaults(func=func)
        return parser

    p = command("export-qdc", "write a codebook as a REFI-QDA .qdc file", export_qdc)
    p.add_argument("--codebook", type=Path, help="codebook YAML (default: the built-in one)")
    p.add_argument("--out", required=True, type=Path, help=".qdc file to write")

    p = command("import-qdc", "convert a REFI-QDA .qdc codebook to codebook YAML", import_qdc)
    p.add_argument("qdc", type=Path, help=".qdc file from NVivo, ATLAS.ti, MAXQDA, …")
    p.add_argument("--out", required=True, type=Path, help="codebook YAML to write")

    p = command("export-qdpx", "write a saved project as a REFI-QDA .qdpx file", export_qdpx)
    p.add_argument("--store", type=Path, help=STORE_HELP)
    p.add_argument("--project", required=True, help="project name in the store")
    p.add_argument("--out", required=True, type=Path, help=".qdpx file to write")

    p = command("export-project", "write a saved project as one project file", export_proj)
    p.add_argument("--store", type=Path, help=STORE_HELP)
    p.add_argument("--project", required=True, help="project name in the store")
    p.add_argument("--out", required=True, type=Path, help="project file (.zip) to write")

    p = command("import-project", "add a project file to a store", import_proj)
    p.add_argument("file", type=Path, help="project file written by export-project or the app")
    p.add_argument("--store", type=Path, help=STORE_HELP)
    p.add_argument("--name", help="project name (default: the name in the file)")
    p.add_argument("--replace", action="store_true", help="replace a project of that name")

    p = command("load-public", "fetch the public Anthropic Interviewer CSVs (network!)",
                load_public)
    p.add_argument("--source", help="mirror URL or local folder (default: "
                                    "$INTERVIEW_LENS_PUBLIC_DATA, else Hugging Face)")
    p.add_argument("--cache", type=Path, help="cache folder (default: per-user cache)")
    p.add_argument("--refresh", action="store_true", help="fetch again even if cached")


def _fail(command: str, message: str) -> int:
    print(f"{command}: {message}", file=sys.stderr)
    return 2


def export_qdc(args: argparse.Namespace) -> int:
    from analysis.coding.codebook import CodebookError, load_codebook
    from analysis.qda import codebook_to_qdc

    try:
        text = args.codebook.read_text(encoding="utf-8") if args.codebook else None
        codebook = load_codebook(text)
    except (OSError, UnicodeDecodeError, CodebookError) as exc:
        return _fail("export-qdc", f"cannot use the codebook: {exc}")
    args.out.write_bytes(codebook_to_qdc(codebook))
    print(f"wrote {args.out} ({len(codebook.codes)} codes)")
    return 0


def import_qdc(args: argparse.Namespace) -> int:
    from analysis.qda import QdaError, qdc_to_codebook_yaml

    try:
        imported = qdc_to_codebook_yaml(args.qdc.read_bytes())
    except OSError as exc:
        return _fail("import-qdc", f"cannot read {args.qdc}: {exc.strerror}")
    except QdaError as exc:
        return _fail("import-qdc", str(exc))
    args.out.write_text(imported.yaml, encoding="utf-8")
    for note in imported.notes:
        print(f"  {note}")
    print(f"wrote {args.out} ({len(imported.codebook.codes)} codes)")
    return 0


def _open_store(path: Path | None):  # -> Store
    from analysis.store import Store

    return Store(path)


def export_qdpx(args: argparse.Namespace) -> int:
    from analysis.qda import build_qdpx, check_qdpx

    with _open_store(args.store) as store:
        result = store.load_result(args.project)
    if result is None:
        return _fail("export-qdpx", f"no saved project named {args.project!r}")
    data = build_qdpx(result, project_name=args.project)
    problems = check_qdpx(data)
    if problems:  # never hand a tool a file we know is broken
        return _fail("export-qdpx", "the file did not validate: " + "; ".join(problems[:3]))
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(result.transcripts)} sources, {len(data):,} bytes)")
    return 0


def export_proj(args: argparse.Namespace) -> int:
    from analysis.project_file import export_project

    with _open_store(args.store) as store:
        try:
            data = export_project(store, args.project)
        except KeyError:
            return _fail("export-project", f"no saved project named {args.project!r}")
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    return 0


def import_proj(args: argparse.Namespace) -> int:
    from analysis.project_file import ProjectFileError, import_project

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _fail("import-project", f"cannot read {args.file}: {exc.strerror}")
    with _open_store(args.store) as store:
        try:
            imported = import_project(store, data, name=args.name, replace=args.replace)
        except ProjectFileError as exc:
            return _fail("import-project", str(exc))
    print(f"imported {imported.name!r} ({imported.n_transcripts} transcripts, "
          f"{imported.n_edits} topic edits)")
    return 0


def load_public(args: argparse.Namespace) -> int:
    from analysis.public_dataset import ATTRIBUTION, PublicDataError, fetch_public_dataset

    try:
        dataset = fetch_public_dataset(args.source, cache_dir=args.cache, refresh=args.refresh)
    except PublicDataError as exc:
        return _fail("load-public", str(exc))
    for file in dataset.files:
        how = "cached" if file.from_cache else "fetched"
        print(f"{file.cohort:11s} {file.size:>11,} bytes  sha256 {file.sha256[:16]}…  {how}")
    paths = " ".join(str(f.path) for f in dataset.files)
    print(f"next: python -m analysis analyze {paths} --out out/public")
    print(ATTRIBUTION)
    return 0
