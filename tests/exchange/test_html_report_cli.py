"""``python -m analysis report``: deck and HTML from a result bundle or a project store,
with the sidebar's filters, without re-running any model; clear one-line errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import html
from pptx import Presentation

from analysis.bundle import save_result_dir
from analysis.cli import main
from analysis.store import Store
from tests.app.fixture_result import build_result


def test_report_from_a_bundle_with_filters(tmp_path: Path, capsys, monkeypatch) -> None:
    import analysis.pipeline as pipeline

    def no_models(*args, **kwargs):
        raise AssertionError("report must not run the pipeline")

    monkeypatch.setattr(pipeline, "run_pipeline", no_models)
    bundle = tmp_path / "bundle"
    save_result_dir(build_result(), bundle)
    deck, page = tmp_path / "out" / "deck.pptx", tmp_path / "out" / "report.html"
    code = main(["report", "--bundle", str(bundle), "--pptx", str(deck), "--html", str(page),
                 "--cohort", "workforce", "--cohort", "creatives", "--date", "2026-01-02",
                 "--title", "Pilot study"])
    assert code == 0
    out = capsys.readouterr().out
    assert "report: 10 of 12 participants, 4 charts, 4 quote slides" in out
    slides = Presentation(io.BytesIO(deck.read_bytes())).slides
    first = "\n".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Pilot study" in first and "N = 10 of 12 participants" in first
    assert "Filters: Cohort: workforce, creatives" in first and "2026-01-02" in first
    tree = html.document_fromstring(page.read_text(encoding="utf-8"))
    assert tree.findtext(".//h1") == "Pilot study"
    assert "Filters: Cohort: workforce, creatives" in tree.text_content()
    assert not list(tree.iter("script"))
    assert not list(tmp_path.glob("out/*.tmp"))  # written via a temporary name


def test_report_from_the_store_reads_the_saved_project(tmp_path: Path, capsys) -> None:
    store_path = tmp_path / "store.duckdb"
    with Store(store_path) as store:
        store.save_result("interviews", build_result())
        store.rename_topic("interviews", 1, "Fixing formulas")
    page = tmp_path / "report.html"
    code = main(["report", "--store", str(store_path), "--project", "interviews",
                 "--html", str(page), "--topic", "1", "--date", "2026-01-02"])
    assert code == 0, capsys.readouterr().err
    text = html.document_fromstring(page.read_text(encoding="utf-8")).text_content()
    assert "Filters: Topic: Fixing formulas" in text  # the user's rename is applied
    assert "N = 5 of 12 participants" in text
    assert "interviews" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--html", "x.html", "--project", "missing"], "no project 'missing' in the store"),
        ([], "nothing to write: give --pptx FILE and/or --html FILE"),
    ],
)
def test_report_errors_are_one_line(tmp_path: Path, capsys, args, message) -> None:
    store_path = tmp_path / "store.duckdb"
    Store(store_path).close()
    code = main(["report", "--store", str(store_path), *[
        str(tmp_path / a) if a.endswith(".html") else a for a in args]])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bundle_that_is_not_a_bundle_is_refused(tmp_path: Path, capsys) -> None:
    code = main(["report", "--bundle", str(tmp_path), "--html", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot read bundle" in err and not (tmp_path / "r.html").exists()
