"""The exchange subcommands, run in-process through ``analysis.cli.main``."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main
from analysis.coding.codebook import load_codebook
from analysis.qda import check_qdc, check_qdpx
from analysis.store import Store
from tests.app.fixture_result import build_result
from tests.exchange.public_server import hf_layout, serve
from tests.exchange.test_public_dataset import small_csv


def test_codebook_to_qdc_and_back(tmp_path: Path, capsys) -> None:
    assert main(["export-qdc", "--out", str(tmp_path / "c.qdc")]) == 0
    assert check_qdc((tmp_path / "c.qdc").read_bytes()) == []
    assert main(["import-qdc", str(tmp_path / "c.qdc"), "--out", str(tmp_path / "c.yaml")]) == 0
    assert load_codebook((tmp_path / "c.yaml").read_text()).code_ids == load_codebook().code_ids
    assert "group 'Outcomes' → facet 'outcome'" in capsys.readouterr().out


def test_hostile_qdc_exits_2_with_the_reason(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.qdc").write_bytes(b'<!DOCTYPE x [<!ENTITY e "e">]><CodeBook/>')
    assert main(["import-qdc", str(tmp_path / "x.qdc"), "--out", str(tmp_path / "x.yaml")]) == 2
    assert "declares a DTD or entities" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()


def test_project_to_qdpx_and_project_file_round_trip(tmp_path: Path, capsys) -> None:
    with Store(tmp_path / "a.duckdb") as store:
        store.save_result("Study", build_result())
    args = ["--store", str(tmp_path / "a.duckdb"), "--project", "Study"]
    assert main(["export-qdpx", *args, "--out", str(tmp_path / "s.qdpx")]) == 0
    assert check_qdpx((tmp_path / "s.qdpx").read_bytes()) == []
    assert main(["export-project", *args, "--out", str(tmp_path / "s.zip")]) == 0
    assert main(["import-project", str(tmp_path / "s.zip"),
                 "--store", str(tmp_path / "b.duckdb")]) == 0
    with Store(tmp_path / "b.duckdb") as fresh:
        assert [p.name for p in fresh.list_projects()] == ["Study"]
    assert main(["export-qdpx", "--store", str(tmp_path / "a.duckdb"), "--project", "Nope",
                 "--out", str(tmp_path / "n.qdpx")]) == 2
    assert "no saved project named 'Nope'" in capsys.readouterr().err


def test_load_public_from_a_loopback_mirror(tmp_path: Path, capsys, monkeypatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "m"
    folder.mkdir()
    for cohort in ("workforce", "creatives", "scientists"):
        (folder / f"{cohort}.csv").write_bytes(small_csv(cohort))
    with serve(hf_layout(folder)) as served:
        assert main(["load-public", "--source", served.base,
                     "--cache", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "workforce" in out and "fetched" in out and "CC-BY" in out
    assert main(["load-public", "--source", "ftp://example.org/x"]) == 2


@pytest.mark.parametrize("bad", ["codes: [", "codes: []"])
def test_export_qdc_refuses_an_invalid_codebook(tmp_path: Path, bad: str) -> None:
    (tmp_path / "bad.yaml").write_text(bad)
    assert main(["export-qdc", "--codebook", str(tmp_path / "bad.yaml"),
                 "--out", str(tmp_path / "x.qdc")]) == 2
    assert not (tmp_path / "x.qdc").exists()
