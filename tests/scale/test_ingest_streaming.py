"""Streaming ingest: same transcripts as the in-memory ingest, bad files listed with a
reason while the others parse, duplicates left out, resumable per file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.ingest import ingest_paths
from analysis.scale.db import query_frame
from analysis.scale.ingest import ingest_streaming
from analysis.store import Store
from tests.engine.conftest import ENGINE_CORPUS


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(ENGINE_CORPUS / "office.csv", folder / "a_office.csv")
    shutil.copy(ENGINE_CORPUS / "office.csv", folder / "b_office_again.csv")  # all duplicates
    shutil.copy(ENGINE_CORPUS / "studio.csv", folder / "c_studio.csv")
    (folder / "d_binary.csv").write_bytes(bytes(range(256)) * 50)
    (folder / "e_empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "f_no_text_column.csv").write_text("id,n\n1,2\n", encoding="utf-8")
    (folder / "g_scan.pdf").write_bytes(b"%PDF-1.4 not a transcript")
    (folder / "h_interview.txt").write_text(
        "Interviewer: What do you use AI for at work?\n\n"
        "Participant: Mostly drafting emails to clients, then I fix the tone myself.\n",
        encoding="utf-8",
    )
    return folder


def _files(store: Store) -> dict[str, tuple[str, int, str]]:
    frame = query_frame(
        store, "SELECT file, status, transcripts, reason FROM scale_files WHERE project = ?", ["p"]
    )
    return {
        Path(f).name: (s, int(n), r)
        for f, s, n, r in zip(
            frame["file"], frame["status"], frame["transcripts"], frame["reason"], strict=True
        )
    }


def test_bad_files_are_listed_with_a_reason_and_the_rest_parses(
    mixed_folder: Path, tmp_path: Path
) -> None:
    with Store(tmp_path / "store.duckdb") as store:
        summary = ingest_streaming([mixed_folder, tmp_path / "missing"], project="p", store=store)
        files = _files(store)
        transcripts = query_frame(
            store,
            "SELECT transcript_id, cohort FROM scale_transcripts WHERE project = ? ORDER BY ALL",
            ["p"],
        )
    memory = ingest_paths([mixed_folder, tmp_path / "missing"])
    expected = {Path(f.file).name: (f.status, f.transcripts) for f in memory.files}
    assert {name: (s, n) for name, (s, n, _r) in files.items()} == expected
    for name in ("d_binary.csv", "e_empty.txt", "f_no_text_column.csv", "g_scan.pdf", "missing"):
        status, _n, reason = files[name]
        assert status == "rejected" and reason, name
    assert files["a_office.csv"][0] == files["c_studio.csv"][0] == "parsed"
    assert summary.duplicates == len(memory.duplicates) == 6
    assert summary.streamed_files == 3
    assert transcripts["transcript_id"].tolist() == sorted(
        t.transcript_id for t in memory.transcripts
    )
    cohorts = {t.transcript_id: t.cohort for t in memory.transcripts}
    assert transcripts["cohort"].tolist() == [cohorts[t] for t in transcripts["transcript_id"]]


def test_ingest_resumes_at_the_first_unfinished_file(mixed_folder: Path, tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def stop_after_two_files(_message: str, fraction: float) -> None:
        if fraction >= 2 / 8:
            raise Stop

    sql = "SELECT * EXCLUDE (project) FROM scale_segments WHERE project = ? ORDER BY ALL"
    with Store(tmp_path / "a.duckdb") as store:
        with pytest.raises(Stop):
            ingest_streaming(
                [mixed_folder], project="p", store=store, progress=stop_after_two_files
            )
        assert len(_files(store)) == 2
        ingest_streaming([mixed_folder], project="p", store=store)
        resumed, resumed_files = query_frame(store, sql, ["p"]), _files(store)
    with Store(tmp_path / "b.duckdb") as store:
        ingest_streaming([mixed_folder], project="p", store=store)
        clean, clean_files = query_frame(store, sql, ["p"]), _files(store)
    assert resumed.equals(clean) and resumed_files == clean_files
