"""The public dataset loader: loopback HTTP only, size cap, 404, timeout, cache, folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from analysis.ingest import ingest_paths
from analysis.public_dataset import (
    COHORTS,
    SOURCE_ENV,
    PublicDataError,
    fetch_public_dataset,
    resolve_source,
)
from tests.exchange.public_server import HF_PREFIX, hf_layout, serve

PREFIX = {"workforce": "work", "creatives": "creativity", "scientists": "science"}


def small_csv(cohort: str, n: int = 2) -> bytes:
    rows = ["transcript_id,text"]
    for i in range(n):
        rows.append(f'{PREFIX[cohort]}_{i:04d},"Assistant: Hello, thanks for joining.\n\n'
                    f"User: I use AI to draft emails for my {cohort} work, case {i}.\n\n"
                    f'AI: What made you start?\n\nUser: Deadlines, mostly.\n\nAI: Thank you."')
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mirror"
    folder.mkdir()
    for cohort in COHORTS:
        (folder / f"{cohort}.csv").write_bytes(small_csv(cohort))
    return folder


@pytest.fixture(autouse=True)
def _no_proxy_no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests must never be routed through a proxy, and no setting leaks in."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY", SOURCE_ENV):
        monkeypatch.delenv(name, raising=False)


def test_fetches_hf_style_names_records_checksums_then_serves_from_cache(
        small_folder: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    with serve(hf_layout(small_folder)) as served:
        dataset = fetch_public_dataset(served.base, cache_dir=tmp_path / "cache",
                                       progress=lambda c, d, t: seen.append((c, d, t)))
        assert served.requests == [f"{HF_PREFIX}{c}_transcripts.csv" for c in COHORTS]
        again = fetch_public_dataset(served.base, cache_dir=tmp_path / "cache")
        assert len(served.requests) == 3  # checksums match: no second download
    assert [f.path.name for f in dataset.files] == [f"{c}.csv" for c in COHORTS]
    manifest = json.loads((tmp_path / "cache" / "manifest.json").read_text())
    for file in dataset.files:
        expected = hashlib.sha256((small_folder / f"{file.cohort}.csv").read_bytes()).hexdigest()
        assert file.sha256 == expected == manifest[file.cohort]["sha256"]
        assert not file.from_cache
    assert all(f.from_cache for f in again.files)
    assert seen[-1] == ("scientists", len(small_csv("scientists")), len(small_csv("scientists")))
    ingest = ingest_paths(dataset.paths)
    assert sorted({t.cohort for t in ingest.transcripts}) == sorted(COHORTS)
    assert len(ingest.transcripts) == 6


def test_a_changed_cache_file_is_fetched_again(small_folder: Path, tmp_path: Path) -> None:
    with serve(hf_layout(small_folder)) as served:
        fetch_public_dataset(served.base, cache_dir=tmp_path)
        (tmp_path / "creatives.csv").write_bytes(b"transcript_id,text\ntampered,x\n")
        dataset = fetch_public_dataset(served.base, cache_dir=tmp_path)
        assert served.requests[-1].endswith("creatives_transcripts.csv")
        assert len(served.requests) == 4
    assert (tmp_path / "creatives.csv").read_bytes() == small_csv("creatives")
    assert [f.from_cache for f in dataset.files] == [True, False, True]


def test_a_mirror_with_local_file_names_works_after_a_404(small_folder: Path,
                                                          tmp_path: Path) -> None:
    files = {f"{HF_PREFIX}{c}.csv": small_csv(c) for c in COHORTS}
    with serve(files) as served:
        dataset = fetch_public_dataset(served.base, cache_dir=tmp_path)
        assert served.requests[:2] == [f"{HF_PREFIX}workforce_transcripts.csv",
                                       f"{HF_PREFIX}workforce.csv"]
    assert [f.origin.rsplit("/", 1)[-1] for f in dataset.files] == [f"{c}.csv" for c in COHORTS]


def test_missing_files_are_a_readable_error(tmp_path: Path) -> None:
    with serve({}) as served, pytest.raises(PublicDataError, match="has no workforce_tr"):
        fetch_public_dataset(served.base, cache_dir=tmp_path)


def test_size_cap_stops_the_download_and_leaves_nothing(small_folder: Path,
                                                        tmp_path: Path) -> None:
    with serve(hf_layout(small_folder)) as served, \
            pytest.raises(PublicDataError, match="larger than the 100-byte limit"):
        fetch_public_dataset(served.base, cache_dir=tmp_path / "cache", max_bytes=100)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == []


def test_a_server_that_stalls_times_out(small_folder: Path, tmp_path: Path) -> None:
    with serve(hf_layout(small_folder), delay=3.0) as served, \
            pytest.raises(PublicDataError, match=r"did not answer within 0\.5 s"):
        fetch_public_dataset(served.base, cache_dir=tmp_path, timeout=0.5)


def test_an_html_error_page_is_not_taken_for_the_dataset(tmp_path: Path) -> None:
    files = {f"{HF_PREFIX}{c}_transcripts.csv": b"<html>login</html>" for c in COHORTS}
    with serve(files) as served, pytest.raises(PublicDataError, match="not a transcript CSV"):
        fetch_public_dataset(served.base, cache_dir=tmp_path)


def test_a_local_folder_from_the_environment_works_offline(
        small_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(small_folder))
    dataset = fetch_public_dataset(cache_dir=tmp_path / "cache")
    assert dataset.source.kind == "folder"
    assert [f.path.read_bytes() for f in dataset.files] == [small_csv(c) for c in COHORTS]


def test_source_setting_rules(tmp_path: Path) -> None:
    assert resolve_source().location.startswith("https://huggingface.co/datasets/Anthropic/")
    assert resolve_source("http://127.0.0.1:9/x").location == "http://127.0.0.1:9/x/"
    with pytest.raises(PublicDataError, match="http"):
        resolve_source("file:///etc")
    with pytest.raises(PublicDataError, match="no folder"):
        resolve_source(str(tmp_path / "absent"))


@pytest.mark.corpus
def test_the_shared_corpus_served_like_hugging_face_loads_completely(
        corpus_dir: Path, tmp_path: Path) -> None:
    with serve(hf_layout(corpus_dir)) as served:
        dataset = fetch_public_dataset(served.base, cache_dir=tmp_path)
    for file in dataset.files:
        assert file.path.read_bytes() == (corpus_dir / f"{file.cohort}.csv").read_bytes()
    ingest = ingest_paths(dataset.paths)
    counts = {c: sum(t.cohort == c for t in ingest.transcripts) for c in COHORTS}
    assert counts == {"workforce": 1000, "creatives": 125, "scientists": 125}
