"""Participant withdrawal: every derived row goes, the numbers update, no byte remains."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.embedding import text_key
from analysis.store import Store
from analysis.withdraw import text_keys_of, withdraw_participant
from tests.team.forensics import occurrences
from tests.team.withdraw_fixture import (
    MARKER,
    OTHER,
    PARTICIPANT,
    PROJECT,
    SHARED,
    build_store,
    marked_result,
)


def _store_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + ".wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def store(tmp_path: Path):
    opened = build_store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def test_marker_is_visible_in_the_file_before_withdrawal(store: Store) -> None:
    """Positive control: the scanner finds the participant's text and id while stored."""
    store._con.execute("CHECKPOINT")
    raw = _store_bytes(store.path)
    assert occurrences(raw, MARKER) > 0
    assert occurrences(raw, PARTICIPANT) > 0


def test_withdrawal_leaves_no_trace_in_the_store_file(store: Store) -> None:
    report = withdraw_participant(store, PROJECT, PARTICIPANT)
    store.close()
    raw = _store_bytes(store.path)
    assert occurrences(raw, MARKER) == 0
    assert occurrences(raw, PARTICIPANT) == 0
    assert PARTICIPANT not in report.detail() and MARKER not in report.detail()
    reopened = Store(store.path)
    try:
        assert reopened.load_result(PROJECT) is not None  # the rewritten file opens
    finally:
        reopened.close()


def test_without_the_rewrite_duckdb_keeps_the_deleted_text(store: Store) -> None:
    """Why ``compact`` exists: DuckDB reuses freed blocks but does not wipe them."""
    withdraw_participant(store, PROJECT, PARTICIPANT, compact=False)
    store._con.execute("CHECKPOINT")
    assert occurrences(_store_bytes(store.path), MARKER) > 0
    store.compact()
    assert occurrences(_store_bytes(store.path), MARKER) == 0


def test_every_frame_and_number_updates(store: Store) -> None:
    before = store.load_result(PROJECT)
    assert before is not None
    mine = before.segments["transcript_id"] == PARTICIPANT
    n_answers = int(mine.sum())
    report = withdraw_participant(store, PROJECT, PARTICIPANT)
    after = store.load_result(PROJECT)
    assert after is not None
    assert len(after.transcripts) == len(before.transcripts) - 1
    assert len(after.participants) == len(before.participants) - 1
    assert len(after.segments) == len(before.segments) - n_answers
    assert report.answers == n_answers and report.turns > 0 and report.assignments > 0
    for frame in (after.transcripts, after.turns, after.segments, after.participants,
                  after.assignments):
        assert PARTICIPANT not in set(frame["transcript_id"])
    assert not after.messages
    real = after.topics[after.topics["topic_id"] >= 0]
    sizes = after.segments["topic_id"].value_counts()
    assert all(int(r.size) == int(sizes.get(r.topic_id, 0)) for r in real.itertuples())
    quotes = [q for qs in after.topics["representative_quotes"] for q in qs]
    assert quotes and not any(MARKER in q for q in quotes)
    assert report.topics_requoted >= 1
    remaining = set(after.segments["answer"])
    assert all(q in remaining for q in quotes)  # replacements are other members' answers
    state = store.get_state(PROJECT)
    assert state is not None and PARTICIPANT not in set(state.segment_keys["transcript_id"])
    assert after.run["withdrawals"] == 1
    assert after.run["counts"]["transcripts"] == len(after.transcripts)


def test_vectors_go_unless_another_project_has_the_same_text(store: Store) -> None:
    result = marked_result()
    theirs = list(result.segments.loc[result.segments["transcript_id"] == PARTICIPANT,
                                      "answer"])
    model = store.get_state(PROJECT).model_id
    marked = text_keys_of([a for a in theirs if a != SHARED], 120)
    assert len(store.get_vectors(sorted(marked), model)) == len(marked)
    report = withdraw_participant(store, PROJECT, PARTICIPANT)
    assert store.get_vectors(sorted(marked), model) == {}
    assert text_key(SHARED) in store.get_vectors([text_key(SHARED)], model)
    assert report.vectors_kept_shared >= 1
    assert report.vectors_deleted >= len(marked)
    other = store.load_result(OTHER)
    assert other is not None and SHARED in set(other.segments["answer"])


def test_topic_edits_survive_and_unknown_participants_are_refused(store: Store) -> None:
    store.rename_topic(PROJECT, 3, "Leadership push")
    withdraw_participant(store, PROJECT, PARTICIPANT)
    after = store.load_result(PROJECT)
    assert "Leadership push" in set(after.topics["label"])
    with pytest.raises(KeyError):
        withdraw_participant(store, PROJECT, PARTICIPANT)
    with pytest.raises(KeyError):
        withdraw_participant(store, "nobody@lab.org/none", "w02")
