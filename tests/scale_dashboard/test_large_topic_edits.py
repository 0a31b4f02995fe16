"""Renaming and merging topics of a large project: in SQL, as ``apply_topic_edits`` does.

The bundled demo project (447 answers, 8 topics, two of them the same size) is written to
the scale tables; the same edits are applied there by ``analysis.scale.topic_edits`` and in
memory by ``analysis.topics.apply_topic_edits``, and the topic tables, the per-answer topic
ids and every page aggregate must agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.bundle import load_result_dir
from analysis.filters import FilterSpec
from analysis.results import AnalysisResult
from analysis.scale import queries, topic_edits
from analysis.scale.convert import write_result_tables
from analysis.scale.db import query_frame
from analysis.store import Store, TopicEdit
from analysis.topics import apply_topic_edits
from tests.scale_dashboard.conftest import open_large_project
from tests.scale_dashboard.parity import check_all
from ui import state

DEMO = Path(__file__).resolve().parents[2] / "demo" / "project"
PROJECT, OTHER = "demo large", "other large"
EDITS = [
    TopicEdit("rename", (2,), "Sharing prompts with colleagues"),
    TopicEdit("merge", (0, 4, 5), None),  # 4 and 5 have 42 answers each: a tie to order
    TopicEdit("merge", (1, 3), "Writing and checking"),
    TopicEdit("rename", (1,), "Drafts, code and checks"),
]
RUN_JSON = "SELECT run_json FROM scale_projects WHERE project = ?"
SPECS = [
    FilterSpec(),
    FilterSpec(topics=(0, 2)),
    FilterSpec(cohorts=("workforce",), keyword="the"),
]


@pytest.fixture(scope="module")
def demo() -> AnalysisResult:
    return load_result_dir(DEMO)


@pytest.fixture
def store(demo: AnalysisResult) -> Iterator[Store]:
    """The demo as a large project (plus another one that must stay untouched), with a
    stage's leftover ``scale_topic_rows`` so every per-answer table is exercised."""
    with Store(":memory:") as store:
        write_result_tables(store, PROJECT, demo)
        write_result_tables(store, OTHER, demo)
        with store.locked_connection() as con:
            con.execute("INSERT INTO scale_topic_rows SELECT project, transcript_id, "
                        "segment_index, topic_id, x, y FROM scale_segments WHERE project = ?",
                        [PROJECT])
        yield store


def apply_sql(store: Store, edits: list[TopicEdit]) -> None:
    for edit in edits:
        if edit.kind == "rename":
            topic_edits.rename_topic(store, PROJECT, edit.topic_ids[0], str(edit.label))
        else:
            # the ids in another order than the stored edit: the module sorts them
            topic_edits.merge_topics(store, PROJECT, list(reversed(edit.topic_ids)), edit.label)


def edited(result: AnalysisResult, edits: list[TopicEdit]) -> AnalysisResult:
    segments, topics = apply_topic_edits(result.segments, result.topics, edits)
    return dataclasses.replace(result, segments=segments, topics=topics)


def answer_topics(store: Store, table: str, project: str = PROJECT) -> pd.DataFrame:
    frame = query_frame(store, f"SELECT transcript_id, segment_index, topic_id FROM {table} "
                        "WHERE project = ? ORDER BY transcript_id, segment_index", [project])
    return frame.astype({"segment_index": int, "topic_id": int})


def snapshot(store: Store, project: str = PROJECT) -> dict[str, object]:
    """Everything an edit may write: topics, per-answer ids, the project row."""
    return {
        "topics": queries.topics(store, project).to_dict("records"),
        "segments": answer_topics(store, "scale_segments", project).to_dict("records"),
        "rows": answer_topics(store, "scale_topic_rows", project).to_dict("records"),
        "project": query_frame(store, "SELECT * FROM scale_projects WHERE project = ?",
                               [project]).astype(str).to_dict("records"),
    }


def test_renames_and_merges_equal_apply_topic_edits(store: Store, demo: AnalysisResult) -> None:
    revision = queries.project_revision(store, PROJECT)
    untouched = snapshot(store, OTHER)
    run = query_frame(store, RUN_JSON, [PROJECT])["run_json"].iloc[0]
    apply_sql(store, EDITS)
    memory = edited(demo, EDITS)

    sql = queries.topics(store, PROJECT)
    mem = memory.topics.sort_values("topic_id").reset_index(drop=True)
    assert sql["topic_id"].tolist() == mem["topic_id"].astype(int).tolist() == [-1, 0, 1, 2, 6, 7]
    assert sql["label"].tolist() == mem["label"].tolist()
    assert sql["size"].tolist() == mem["size"].astype(int).tolist()
    assert sql["top_words"].tolist() == mem["top_words"].astype(str).tolist()
    assert sql["representative_quotes"].tolist() == [list(q) for q in
                                                      mem["representative_quotes"]]
    merged = sql.set_index("topic_id")
    assert merged.at[0, "size"] == 77 + 42 + 42
    assert merged.at[0, "label"] == "Software, writer, editor"  # the biggest topic's
    assert merged.at[1, "label"] == "Drafts, code and checks"

    expected = (memory.segments[["transcript_id", "segment_index", "topic_id"]]
                .astype({"segment_index": int, "topic_id": int})
                .sort_values(["transcript_id", "segment_index"]).reset_index(drop=True))
    for table in ("scale_segments", "scale_topic_rows"):
        pd.testing.assert_frame_equal(answer_topics(store, table), expected, check_dtype=False)

    row = query_frame(store, "SELECT n_topics FROM scale_projects WHERE project = ?", [PROJECT])
    assert int(row["n_topics"].iloc[0]) == int((memory.topics["topic_id"] >= 0).sum()) == 5
    assert queries.project_revision(store, PROJECT) > str(revision)  # cached pages re-query
    # the run record keeps what the run found (as an in-memory project's run after edits)
    assert query_frame(store, RUN_JSON, [PROJECT])["run_json"].iloc[0] == run
    assert snapshot(store, OTHER) == untouched


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_aggregates_after_a_merge_equal_in_memory(store: Store, demo: AnalysisResult,
                                                  spec: FilterSpec) -> None:
    apply_sql(store, EDITS)
    memory = edited(demo, EDITS)
    assert check_all(store, PROJECT, memory, spec) > 0  # topic sizes, topic_by_group, ...
    by_cohort = queries.topic_by_group(store, PROJECT, spec, "cohort")
    assert 4 not in set(by_cohort["topic_id"]) and 5 not in set(by_cohort["topic_id"])


def test_every_edit_moves_the_revision(store: Store) -> None:
    seen = [queries.project_revision(store, PROJECT)]
    for _ in range(3):  # back to back, faster than the clock may tick
        topic_edits.rename_topic(store, PROJECT, 6, "Customer conversations")
        seen.append(queries.project_revision(store, PROJECT))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


INVALID: list[tuple[Callable[[Store], None], type[Exception], str]] = [
    (lambda s: topic_edits.rename_topic(s, PROJECT, 99, "New"), ValueError, "unknown topic"),
    (lambda s: topic_edits.rename_topic(s, PROJECT, -1, "New"), ValueError, "outlier"),
    (lambda s: topic_edits.rename_topic(s, PROJECT, 2, "   "), ValueError, "empty"),
    (lambda s: topic_edits.merge_topics(s, PROJECT, [3]), ValueError, "at least two"),
    (lambda s: topic_edits.merge_topics(s, PROJECT, [3, 3]), ValueError, "at least two"),
    (lambda s: topic_edits.merge_topics(s, PROJECT, [3, -1]), ValueError, r"\[-1\]"),
    (lambda s: topic_edits.merge_topics(s, PROJECT, [3, 42], "x"), ValueError, r"\[42\]"),
    (lambda s: topic_edits.merge_topics(s, "no such", [1, 2]), KeyError, "no large project"),
]


@pytest.mark.parametrize(("edit", "error", "message"), INVALID)
def test_invalid_edits_raise_and_change_nothing(store: Store, edit, error, message) -> None:
    before = snapshot(store)
    with pytest.raises(error, match=message):
        edit(store)
    assert snapshot(store) == before


def test_a_project_still_being_analysed_is_refused(store: Store) -> None:
    with store.locked_connection() as con:
        con.execute("UPDATE scale_projects SET status = 'topics' WHERE project = ?", [PROJECT])
    before = snapshot(store)
    with pytest.raises(ValueError, match="still being analysed"):
        topic_edits.merge_topics(store, PROJECT, [1, 2])
    assert snapshot(store) == before


def test_a_failure_part_way_rolls_the_whole_merge_back(store: Store, monkeypatch) -> None:
    before = snapshot(store)
    # the topic row is rewritten and the others deleted before the answers move: make
    # moving them fail, and nothing of the merge may remain
    monkeypatch.setattr(topic_edits, "answer_topic_tables",
                        lambda con: ["scale_segments", "scale_no_such_table"])
    with pytest.raises(Exception, match="scale_no_such_table"):
        topic_edits.merge_topics(store, PROJECT, [4, 5])
    assert snapshot(store) == before


# --- the Topics page --------------------------------------------------------------------


@pytest.fixture
def open_topics(tmp_path: Path, demo: AnalysisResult, monkeypatch: pytest.MonkeyPatch
                ) -> Callable[[], AppTest]:
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        write_result_tables(store, PROJECT, demo)
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(path))

    def _open() -> AppTest:
        at = open_large_project("app_pages/topics.py", PROJECT)
        _ok(at)
        return at

    return _open


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _table_labels(at: AppTest) -> dict[int, str]:
    table = at.dataframe[0].value
    return dict(zip(table["topic_id"].astype(int), table["label"], strict=True))


def test_topics_page_renames_and_merges_a_large_topic(open_topics) -> None:
    at = open_topics()
    assert not any("not available" in str(c.value) for c in at.caption)
    revision = at.session_state["project.large.revision"]
    at.selectbox(key="topics.rename.topic").set_value(2)
    at.text_input(key="topics.rename.label").set_value("Sharing prompts")
    at.button(key="FormSubmitter:topics.rename-Rename").click().run()
    _ok(at)
    assert _table_labels(at)[2] == "Sharing prompts"
    assert at.session_state["project.large.revision"] != revision
    shell = at.session_state[state.ACTIVE_RESULT].topics
    assert shell.loc[shell["topic_id"] == 2, "label"].item() == "Sharing prompts"

    at.multiselect(key="topics.merge.topics").set_value([5, 4])
    at.text_input(key="topics.merge.label").set_value("Policy and saved time")
    at.button(key="FormSubmitter:topics.merge-Merge").click().run()
    _ok(at)
    labels = _table_labels(at)
    assert labels[4] == "Policy and saved time" and 5 not in labels
    sizes = at.dataframe[0].value.set_index("topic_id")["answers in view"]
    assert int(sizes[4]) == 84
    options = at.multiselect(key="topics.merge.topics").options
    assert any("Policy and saved time" in str(o) for o in options)
    assert not any("#5 " in str(o) for o in options)
