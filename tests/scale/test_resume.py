"""An interrupted streaming run resumes: finished chunks and stages are never redone."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.embedding import CachedEmbedder, HashingEmbedder
from analysis.scale import code as scale_code
from analysis.scale import topics as scale_topics
from analysis.scale.db import query_frame, save_stage, stage_state, transaction
from analysis.scale.embed import count_missing, embed_streaming
from analysis.scale.ingest import ingest_streaming
from analysis.scale.run import run_scale
from analysis.store import Store
from tests.engine.conftest import ENGINE_CORPUS
from tests.scale.conftest import SMALL_CHUNKS, BothRuns


class Stop(Exception):
    """Stands in for a crash or Ctrl-C in the middle of a stage."""


def _vectors(store: Store, project: str, model_id: str) -> dict[str, bytes]:
    keys = query_frame(
        store, "SELECT DISTINCT text_hash FROM scale_segments WHERE project = ?", [project]
    )["text_hash"].tolist()
    return {k: v.tobytes() for k, v in store.get_vectors(keys, model_id).items()}


def test_embedding_resumes_after_the_first_chunk(tmp_path: Path) -> None:
    stores = [Store(tmp_path / "a.duckdb"), Store(tmp_path / "b.duckdb")]
    try:
        for store in stores:
            ingest_streaming([ENGINE_CORPUS], project="p", store=store)
        interrupted, clean = stores
        embedder = CachedEmbedder(HashingEmbedder(), interrupted)
        total = count_missing(interrupted, "p", embedder.model_id)
        assert total > 16  # several chunks of 8

        def stop_after_first_chunk(_message: str, _fraction: float) -> None:
            raise Stop

        with pytest.raises(Stop):
            embed_streaming(
                interrupted, "p", embedder, chunk_rows=8, progress=stop_after_first_chunk
            )
        assert embedder.n_computed == 8
        resumed = CachedEmbedder(HashingEmbedder(), interrupted)
        second = embed_streaming(interrupted, "p", resumed, chunk_rows=8)
        assert second.n_missing == total - 8
        assert second.n_computed == total - 8  # nothing from the first chunk is redone
        assert count_missing(interrupted, "p", resumed.model_id) == 0
        third = embed_streaming(interrupted, "p", resumed, chunk_rows=8)
        assert third.n_computed == 0 and third.n_chunks == 0

        whole = embed_streaming(clean, "p", CachedEmbedder(HashingEmbedder(), clean), chunk_rows=8)
        assert whole.n_computed == total
        model = resumed.model_id
        assert _vectors(interrupted, "p", model) == _vectors(clean, "p", model)
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("cursor_from_older_version", [False, True])
def test_a_crash_while_coding_resumes_at_the_next_chunk(
    both_runs: BothRuns,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cursor_from_older_version: bool,
) -> None:
    """``cursor_from_older_version``: the stopped run kept no cue hits (versions before
    ``scale_coding_hits``); the resumed run finds them again instead of coding nothing."""
    store = Store(tmp_path / "store.duckdb")
    original = scale_code.code_chunk
    calls: list[int] = []
    crashed: list[bool] = []

    def crash_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3 and not crashed:
            crashed.append(True)
            raise Stop
        return original(*args, **kwargs)

    monkeypatch.setattr(scale_code, "code_chunk", crash_on_third)
    try:
        with pytest.raises(Stop):
            run_scale([ENGINE_CORPUS], project="big", store=store, config=SMALL_CHUNKS)
        assert stage_state(store, "big", "topics")["status"] == "done"
        coding = stage_state(store, "big", "coding")
        assert coding["status"] == "running" and coding["cursor"]["done"] > 0
        if cursor_from_older_version:
            old = {k: v for k, v in coding["cursor"].items() if k != "hits_kept"}
            with transaction(store) as con:
                con.execute("DELETE FROM scale_coding_hits WHERE project = 'big'")
                save_stage(con, "big", "coding", status="running", cursor=old, seconds=1.0)

        def no_refit(*_args, **_kwargs):
            raise AssertionError("finished stages must not run again")

        monkeypatch.setattr(scale_topics, "fit_topics", no_refit)
        calls.clear()
        run_scale([ENGINE_CORPUS], project="big", store=store, config=SMALL_CHUNKS)
        n_chunks = len(calls)
        assert n_chunks >= 2  # only the chunks after the two written ones
        sql = (
            "SELECT transcript_id, segment_index, code, confidence, evidence FROM "
            "scale_assignments WHERE project = ? ORDER BY ALL"
        )
        resumed = query_frame(store, sql, ["big"])
        clean = query_frame(both_runs.store, sql, ["big"])
        assert resumed.equals(clean)

        # a new codebook: only the coding stage runs again (topics untouched)
        smaller = _codebook_without_first_code()
        calls.clear()
        run_scale(
            [ENGINE_CORPUS], project="big", store=store, config=SMALL_CHUNKS, codebook_yaml=smaller
        )
        assert len(calls) == n_chunks + 2
        codes = query_frame(
            store, "SELECT count(*) AS n FROM scale_codebook WHERE project = ?", ["big"]
        )
        clean_codes = query_frame(
            both_runs.store, "SELECT count(*) AS n FROM scale_codebook WHERE project = ?", ["big"]
        )
        assert int(codes["n"].iloc[0]) == int(clean_codes["n"].iloc[0]) - 1
    finally:
        store.close()


def _codebook_without_first_code() -> str:
    from analysis.coding import Codebook, default_codebook_yaml, dump_codebook, load_codebook

    book = load_codebook(default_codebook_yaml())
    return dump_codebook(
        Codebook(codes=book.codes[1:], occupation_groups=book.occupation_groups, facets=book.facets)
    )
