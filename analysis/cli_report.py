"""``python -m analysis report (--store FILE [--project NAME] | --bundle DIR) --pptx/--html FILE``.

Builds the slide deck and/or the self-contained HTML report of an analysed project from
its saved result, never re-running a model: ``analyze`` (and the app) save every project
in the store, and result bundles (``analysis.bundle``, e.g. the demo project) hold the
same tables; a ``--streaming`` run's large project is reported from SQL aggregates
(``analysis.scale.report``), never loaded whole. Filters narrow the view exactly like the
app's sidebar; the default report has one chart per facet. Exit 0 on success, 2 on a bad
source or an unwritable file; errors are one line, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from pathlib import Path

from analysis.filters import FilterSpec
from analysis.report.content import ReportContent
from analysis.results import AnalysisResult


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="slide deck (.pptx) and self-contained HTML report of an analysed project",
        description=(
            "Write a 16:9 slide deck and/or a self-contained HTML report (findings, one "
            "chart per facet, quotes per top code) from a saved result; nothing is re-embedded."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--bundle", type=Path, help="result bundle folder (run.json + parquet frames)"
    )
    source.add_argument(
        "--store",
        type=Path,
        help="DuckDB project store (default: $INTERVIEW_LENS_STORE or a per-user file)",
    )
    parser.add_argument("--project", default="default", help="project name in the store")
    parser.add_argument("--pptx", type=Path, help="write the slide deck here")
    parser.add_argument("--html", type=Path, help="write the HTML report here")
    parser.add_argument("--title", help="report title (default: the project name)")
    parser.add_argument("--cohort", action="append", default=[], help="keep this cohort")
    parser.add_argument(
        "--occupation-group", action="append", default=[], help="keep this occupation group"
    )
    parser.add_argument(
        "--code", action="append", default=[], help="keep participants with this code id (AND)"
    )
    parser.add_argument(
        "--topic", action="append", type=int, default=[], help="keep answers in this topic id"
    )
    parser.add_argument("--keyword", default="", help="keep answers containing this text")
    parser.add_argument(
        "--min-group-size",
        type=int,
        default=5,
        help="smallest group compared in the findings (default 5)",
    )
    parser.add_argument("--date", help="date printed on the report (default: today)")
    parser.set_defaults(func=run)


def _load(args: argparse.Namespace) -> tuple[AnalysisResult, str]:
    """The saved result and its name; raises ValueError with a one-line reason."""
    if args.bundle is not None:
        from analysis.bundle import BundleError, load_result_dir

        try:
            result = load_result_dir(args.bundle)
        except (BundleError, OSError) as exc:
            raise ValueError(f"cannot read bundle {args.bundle}: {exc}") from exc
        name = str(result.run.get("project") or args.bundle.resolve().name)
        return result, name
    from analysis.store import Store

    try:
        store = Store(args.store)
    except Exception as exc:  # duckdb raises its own IOException family
        raise ValueError(f"cannot open store {args.store}: {exc}") from exc
    try:
        result = store.load_result(args.project)
    finally:
        store.close()
    if result is None:
        raise ValueError(f"no project {args.project!r} in the store (run analyze first)")
    return result, args.project


def _large_content(args: argparse.Namespace) -> ReportContent | None:
    """The report of ``--project`` when the store holds it only as a large project (a
    ``--streaming`` run): built from SQL aggregates, never loading its answers; else None."""
    if args.bundle is not None:
        return None
    from analysis.scale import queries
    from analysis.store import Store

    try:
        store = Store(args.store)
    except Exception:  # ``_load`` reports an unusable store
        return None
    try:
        if store.has_project(args.project) or queries.project_revision(store, args.project) is None:
            return None
        from analysis.report.content import plain
        from analysis.scale.report import large_report_content
        from ui.large_report_charts import large_facet_charts

        date = args.date or dt.date.today().isoformat()
        spec = _spec(args)
        content = large_report_content(
            store,
            args.project,
            spec,
            generated=date,
            charts=large_facet_charts(
                store, args.project, spec, generated=date, shown_as=args.title
            ),
            min_group_size=args.min_group_size,
        )
    finally:
        store.close()
    return dataclasses.replace(content, project=plain(args.title)) if args.title else content


def _spec(args: argparse.Namespace) -> FilterSpec:
    return FilterSpec(
        cohorts=tuple(args.cohort),
        occupation_groups=tuple(args.occupation_group),
        codes=tuple(args.code),
        topics=tuple(args.topic),
        keyword=args.keyword,
    )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def run(args: argparse.Namespace) -> int:
    if args.pptx is None and args.html is None:
        print("report: nothing to write: give --pptx FILE and/or --html FILE", file=sys.stderr)
        return 2
    # Chart building lives with the dashboard's Altair builders (``ui.charts`` and
    # ``ui.report_charts`` make no Streamlit call), so the CLI's charts match the app's.
    from analysis.report.html_report import build_html
    from analysis.report.pptx_deck import build_deck
    from ui.report_charts import build_report

    content = _large_content(args)
    if content is None:
        try:
            result, name = _load(args)
        except ValueError as exc:
            print(f"report: {exc}", file=sys.stderr)
            return 2
        content = build_report(
            result,
            _spec(args),
            project=args.title or name,
            generated=args.date or dt.date.today().isoformat(),
            min_group_size=args.min_group_size,
        )
    outputs = [(args.pptx, build_deck), (args.html, lambda c: build_html(c).encode("utf-8"))]
    for path, build in outputs:
        if path is None:
            continue
        try:
            _write(path, build(content))
        except OSError as exc:
            print(f"report: cannot write {path}: {exc.strerror}", file=sys.stderr)
            return 2
    written = " and ".join(str(p) for p, _ in outputs if p is not None)
    print(
        f"report: {content.n_participants} of {content.n_total} participants, "
        f"{len(content.charts)} charts, {len(content.quote_groups)} quote slides -> {written}"
    )
    return 0
