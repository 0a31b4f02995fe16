"""Saved project files: export -> import into a fresh store gives the same project."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest

from analysis.coding.codebook import default_codebook_yaml
from analysis.project_file import (
    ProjectFileError,
    export_project,
    import_project,
    read_project_file,
)
from analysis.store import RESULT_FRAMES, ProjectState, Store
from tests.app.fixture_result import build_result

CODEBOOK = default_codebook_yaml().replace("Wording and polish", "Wording help")


@pytest.fixture
def source(tmp_path) -> Store:
    store = Store(tmp_path / "a.duckdb")
    keys = pd.DataFrame({"transcript_id": ["work_001"], "segment_index": [0],
                         "text_hash": ["abc"]})
    state = ProjectState(fit_key="fit", result_key="res", model_id="minilm@1",
                         config={"min_topic_size": 5, "extra_stop_words": ["um"]},
                         codebook_yaml=CODEBOOK, segment_keys=keys)
    result = build_result()
    result.run = {"seconds": 1.5, "stages": {"topics": 0.5}}
    result.messages = ["2 duplicates skipped"]
    store.save_result("Team study", result, state)
    store.rename_topic("Team study", 1, "Fixing code")
    store.merge_topics("Team study", [2, 3], "Research and rules")
    yield store
    store.close()


def test_export_then_import_into_a_fresh_store_is_the_same_project(source, tmp_path) -> None:
    data = export_project(source, "Team study")
    with Store(tmp_path / "b.duckdb") as fresh:
        imported = import_project(fresh, data)
        assert (imported.name, imported.n_transcripts, imported.n_edits) == ("Team study", 12, 2)
        before, after = source.load_result("Team study"), fresh.load_result("Team study")
        for name in RESULT_FRAMES:
            pd.testing.assert_frame_equal(getattr(after, name), getattr(before, name),
                                          check_like=False, obj=name)
        assert (after.run, after.messages) == (before.run, before.messages)
        assert fresh.get_topic_edits("Team study") == source.get_topic_edits("Team study")
        a, b = source.get_state("Team study"), fresh.get_state("Team study")
        assert (b.fit_key, b.result_key, b.model_id, b.config, b.codebook_yaml) == (
            a.fit_key, a.result_key, a.model_id, a.config, a.codebook_yaml)
        pd.testing.assert_frame_equal(b.segment_keys, a.segment_keys)
        topics = after.topics.set_index("topic_id")["label"]
        assert topics[1] == "Fixing code" and topics[2] == "Research and rules"


def test_a_taken_name_gets_a_suffix_unless_replacing(source) -> None:
    data = export_project(source, "Team study")
    assert import_project(source, data).name == "Team study (2)"
    assert import_project(source, data, replace=True).name == "Team study"
    assert import_project(source, data, name="  Copy   for Ana ").name == "Copy for Ana"


def test_a_refused_replacement_leaves_the_existing_project_alone(source) -> None:
    bad = _rewrite(export_project(source, "Team study"), _manifest(
        lambda j: j["topic_edits"].append({"kind": "merge", "topic_ids": [2, 3]})))
    with pytest.raises(ProjectFileError, match="does not fit"):  # 3 was merged into 2
        import_project(source, bad, replace=True)
    assert source.load_result("Team study").topics.set_index("topic_id")["label"][1] == (
        "Fixing code")


def _rewrite(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {n: source.read(n) for n in source.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, blob in members.items():
            target.writestr(name, blob)
    return out.getvalue()


def _manifest(change):
    def apply(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["project.json"])
        change(manifest)
        members["project.json"] = json.dumps(manifest).encode()
    return apply


@pytest.mark.parametrize(("change", "reason"), [
    (lambda m: m.__setitem__("frames/topics.parquet", b"PAR1 not parquet"), "checksum"),
    (lambda m: m.pop("frames/segments.parquet"), "segments.parquet is missing"),
    (_manifest(lambda j: j.__setitem__("format", "something-else")), "not an Interview Lens"),
    (_manifest(lambda j: j.__setitem__("version", 99)), "newer version"),
    (_manifest(lambda j: j["topic_edits"].append({"kind": "rename", "topic_ids": [77],
                                                   "label": "x"})), "does not fit"),
    (_manifest(lambda j: j["state"].__setitem__("codebook_yaml", "codes: 3")),
     "codebook is not valid"),
    (lambda m: m.__setitem__("../../evil.txt", b"x" * 10), None),
    (lambda m: m.__setitem__("frames/bomb.parquet", b"\0" * 5_000_000), None),
])
def test_tampered_files_are_refused_and_never_half_imported(source, tmp_path, change,
                                                            reason) -> None:
    data = _rewrite(export_project(source, "Team study"), change)
    with Store(tmp_path / "c.duckdb") as fresh:
        if reason is None:  # unexpected members are ignored, never extracted or read
            assert import_project(fresh, data).name == "Team study"
            return
        with pytest.raises(ProjectFileError, match=reason):
            import_project(fresh, data)
        assert fresh.list_projects() == []


def test_not_a_zip_and_a_zip_bomb_are_refused() -> None:
    with pytest.raises(ProjectFileError, match="not a ZIP"):
        read_project_file(b"hello")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", b" " * 50_000_000)
    with pytest.raises(ProjectFileError, match="zip bomb"):
        read_project_file(out.getvalue())


def test_unknown_project_cannot_be_exported(source) -> None:
    with pytest.raises(KeyError):
        export_project(source, "Nope")



def test_a_brotli_compressed_table_is_refused_before_any_decoder_runs(source, tmp_path) -> None:
    """A colleague's file may use any Parquet codec; Brotli never reaches pyarrow's decoder."""
    import hashlib

    import pyarrow.parquet as pq

    def to_brotli(members: dict[str, bytes]) -> None:
        sink = io.BytesIO()
        pq.write_table(pq.read_table(io.BytesIO(members["frames/topics.parquet"])), sink,
                       compression="brotli")
        members["frames/topics.parquet"] = sink.getvalue()
        manifest = json.loads(members["project.json"])
        manifest["frames"]["topics"]["sha256"] = hashlib.sha256(sink.getvalue()).hexdigest()
        members["project.json"] = json.dumps(manifest).encode()

    data = _rewrite(export_project(source, "Team study"), to_brotli)
    with Store(tmp_path / "d.duckdb") as fresh:
        with pytest.raises(ProjectFileError, match="BROTLI compression"):
            import_project(fresh, data)
        assert fresh.list_projects() == []
