"""Result bundles round-trip every frame exactly, never unpickle, and reject non-bundles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.bundle import (
    FRAME_NAMES,
    MANIFEST_NAME,
    BundleError,
    bundle_is_fresh,
    fingerprint_files,
    load_result_dir,
    read_manifest,
    save_result_dir,
)
from analysis.results import AnalysisResult
from analysis.tables import (
    ASSIGNMENTS_COLUMNS,
    FILES_COLUMNS,
    SEGMENTS_ANALYSED_COLUMNS,
    TOPICS_COLUMNS,
    TRANSCRIPTS_COLUMNS,
    TURNS_COLUMNS,
)


def _hand_made_result() -> AnalysisResult:
    """A two-participant project with the awkward cases: list cells (empty, None),
    NaN coordinates, categoricals, attr.* metadata columns and non-ASCII text."""
    files = pd.DataFrame(
        [["a/nurse.txt", "parsed", 1, ""], ["a/notes.pdf", "rejected", 0, "unsupported type"]],
        columns=FILES_COLUMNS,
    )
    transcripts = pd.DataFrame(
        [
            ["t1", "workforce", "a/nurse.txt", 6, 3, "utf-8"],
            ["t2", "creatives", "a/poet.md", 4, 2, "cp1252"],
        ],
        columns=TRANSCRIPTS_COLUMNS,
    ).assign(**{"attr.site": ["Leeds", None]})
    turns = pd.DataFrame(
        [
            ["t1", 0, "Assistant", "interviewer", "What do you do?"],
            ["t1", 1, "User", "participant", "I'm an ER nurse — nights mostly."],
        ],
        columns=TURNS_COLUMNS,
    )
    segments = pd.DataFrame(
        [
            ["t1", 0, "What do you do?", "I'm an ER nurse.", 0, "nursing shifts", 0.5, -1.25,
             "outcome.keeps_human_tasks;culture.restricted"],
            ["t2", 0, "Tell me about your work.", "Poems, mostly. Café readings.", -1, "Outliers",
             np.nan, 2.0, ""],
        ],
        columns=SEGMENTS_ANALYSED_COLUMNS,
    )
    topics = pd.DataFrame(
        [
            [-1, "Outliers", 1, "poems, café", []],
            [0, "nursing shifts", 1, "nurse, shift, patient", ["I'm an ER nurse.", "Nights."]],
            [1, "empty quotes", 0, "", None],
        ],
        columns=TOPICS_COLUMNS,
    )
    participants = pd.DataFrame(
        {
            "transcript_id": ["t1", "t2"],
            "cohort": pd.Categorical(["workforce", "creatives"]),
            "occupation": ["ER nurse", ""],
            "occupation_group": ["Healthcare Practitioners and Technical", "Unclear"],
            "culture.restricted": np.array([1, 0], dtype="int8"),
            "outcome.keeps_human_tasks": [1, 0],
        }
    )
    assignments = pd.DataFrame(
        [["t1", 0, "culture.restricted", 0.91, "Completely banned on hospital computers."]],
        columns=ASSIGNMENTS_COLUMNS,
    )
    codebook = pd.DataFrame(
        [["culture.restricted", "culture", "Restricted", "AI is banned or blocked."]],
        columns=["code", "facet", "label", "description"],
    )
    hierarchy = pd.DataFrame(
        {
            "parent_id": [2],
            "child_left_id": [0],
            "child_right_id": [1],
            "distance": [0.42],
            "topics": [[0, 1]],
        }
    )
    return AnalysisResult(
        files=files,
        transcripts=transcripts,
        turns=turns,
        segments=segments,
        topics=topics,
        participants=participants,
        assignments=assignments,
        codebook=codebook,
        topic_hierarchy=hierarchy,
        run={"project": "Démo", "seconds": np.float64(1.5), "n_topics": np.int64(2)},
        messages=["2 files: 1 parsed, 1 rejected.", "Très peu de réponses."],
    )


def test_round_trip_preserves_every_frame(tmp_path: Path) -> None:
    original = _hand_made_result()
    save_result_dir(original, tmp_path / "bundle")
    loaded = load_result_dir(tmp_path / "bundle")
    for name in FRAME_NAMES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(original, name), obj=name)
    assert loaded.topics["representative_quotes"].tolist() == [
        [],
        ["I'm an ER nurse.", "Nights."],
        None,
    ]
    assert isinstance(loaded.topics["representative_quotes"].iloc[1], list)
    assert loaded.run == {"project": "Démo", "seconds": 1.5, "n_topics": 2}
    assert loaded.messages == original.messages


def test_empty_default_hierarchy_round_trips(tmp_path: Path) -> None:
    result = _hand_made_result()
    result.topic_hierarchy = pd.DataFrame()
    save_result_dir(result, tmp_path)
    pd.testing.assert_frame_equal(load_result_dir(tmp_path).topic_hierarchy, pd.DataFrame())


def test_bundle_is_parquet_and_json_only(tmp_path: Path) -> None:
    save_result_dir(_hand_made_result(), tmp_path, inputs={"fingerprint": "abc"})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([MANIFEST_NAME, *(f"{n}.parquet" for n in FRAME_NAMES)])
    for name in FRAME_NAMES:
        assert (tmp_path / f"{name}.parquet").read_bytes()[:4] == b"PAR1"
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["frames"]["topics"] == {"file": "topics.parquet", "rows": 3, "columns": 5}
    assert manifest["inputs"] == {"fingerprint": "abc"}
    assert bundle_is_fresh(tmp_path, "abc")
    assert not bundle_is_fresh(tmp_path, "abd")


def test_unserialisable_run_metadata_fails_loudly(tmp_path: Path) -> None:
    result = _hand_made_result()
    result.run = {"model": object()}
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        save_result_dir(result, tmp_path)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, r"no run\.json"),
        ("{not json", "not valid JSON"),
        ('{"format": "something-else", "version": 1}', "not an Interview Lens"),
        ('{"format": "interview-lens-result", "version": 99}', "newer than this app"),
    ],
)
def test_load_rejects_non_bundles(tmp_path: Path, manifest: str | None, message: str) -> None:
    if manifest is not None:
        (tmp_path / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
    with pytest.raises(BundleError, match=message):
        load_result_dir(tmp_path)
    assert not bundle_is_fresh(tmp_path, "anything")


def test_load_reports_missing_frame_file(tmp_path: Path) -> None:
    save_result_dir(_hand_made_result(), tmp_path)
    (tmp_path / "topics.parquet").unlink()
    with pytest.raises(BundleError, match=r"missing topics\.parquet"):
        load_result_dir(tmp_path)


def test_manifest_cannot_point_outside_the_bundle(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    save_result_dir(_hand_made_result(), outside)
    bundle = tmp_path / "bundle"
    save_result_dir(_hand_made_result(), bundle)
    manifest = read_manifest(bundle)
    manifest["frames"]["topics"]["file"] = "../outside/topics.parquet"
    (bundle / "topics.parquet").unlink()
    (bundle / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BundleError, match=r"missing topics\.parquet"):
        load_result_dir(bundle)


def test_fingerprint_tracks_names_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first, second = tmp_path / "a" / "one.txt", tmp_path / "two.txt"
    first.write_text("User: hello\n")
    second.write_text("User: bye\n")
    base = fingerprint_files([first, second], tmp_path)
    assert base == fingerprint_files([second, first], tmp_path)
    second.write_text("User: bye!\n")
    assert fingerprint_files([first, second], tmp_path) != base
    second.write_text("User: bye\n")
    renamed = tmp_path / "three.txt"
    second.rename(renamed)
    assert fingerprint_files([first, renamed], tmp_path) != base
