"""Topic-model building blocks and degenerate corpora."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.config import PipelineConfig
from analysis.embedding import HashingEmbedder
from analysis.pipeline import run_pipeline
from analysis.store import TopicEdit
from analysis.topics import (
    apply_topic_edits,
    assign_new_answers,
    exact_knn,
    fit_topics,
    readable_label,
    topic_cohort_counts,
)
from tests.engine.conftest import HASHING, ingest_of, make_transcript


def test_exact_knn_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x[7] = x[3]  # a duplicate must not displace "self first"
    idx, dist = exact_knn(x, 5, chunk=64)
    assert (idx[:, 0] == np.arange(300)).all() and (dist[:, 0] == 0).all()
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    np.testing.assert_allclose(1 - dist[:, 1], sims.max(axis=1), atol=1e-5)
    assert (np.diff(dist, axis=1) >= -1e-6).all()


def test_readable_label_drops_near_duplicates() -> None:
    assert (
        readable_label(["emails", "email", "email drafts", "clients"], 3)
        == ("Emails, drafts, clients")
        or readable_label(["emails", "email", "email drafts", "clients"], 3) == "Emails, clients"
    )


def test_new_answers_join_the_nearest_topic() -> None:
    old = np.eye(4, dtype=np.float32)[[0, 0, 1, 1]]
    ids = np.array([0, 0, 1, 1])
    coords = np.array([[0, 0], [0, 1], [5, 5], [5, 6]], dtype=np.float32)
    new = np.array([[0.9, 0.1, 0, 0], [0, 0, 0, 1]], dtype=np.float32)
    new /= np.linalg.norm(new, axis=1, keepdims=True)
    new_ids, new_coords = assign_new_answers(new, old, ids, coords, threshold=0.3, k=2)
    assert new_ids.tolist() == [0, -1]
    np.testing.assert_allclose(new_coords[0], [0.0, 0.5], atol=1e-5)


@pytest.mark.parametrize(
    ("answers", "expect"),
    [
        ([], "no participant answers"),
        (["I use it for emails every day."], "distinct answer"),
        ([f"Answer number {i} about something." for i in range(5)], "distinct answer"),
        (["I use it to draft emails."] * 200, "distinct answer"),
    ],
    ids=["zero", "one", "five", "200-identical"],
)
def test_degenerate_corpora_give_a_plain_message(answers: list[str], expect: str) -> None:
    transcripts = [make_transcript("t000", answers[:100]), make_transcript("t001", answers[100:])]
    result = run_pipeline(ingest_of(transcripts), project="d", store=None, config=HASHING)
    assert len(result.segments) == len(answers)
    assert (result.segments["topic_id"] == -1).all()
    assert result.segments[["x", "y"]].notna().all().all()
    assert any(expect in m for m in result.messages), result.messages
    assert len(result.participants) == 2


def test_unclusterable_corpus_is_a_message_not_an_exception() -> None:
    rng = np.random.default_rng(0)
    docs = [f"distinct answer {i} " + " ".join(rng.choice(list("abcdefgh"), 5)) for i in range(40)]
    embeddings = rng.standard_normal((40, 32)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    config = replace(PipelineConfig(), min_topic_size=30)
    fit = fit_topics(docs, embeddings, config, embedder=HashingEmbedder())
    assert len(fit.topic_ids) == 40 and fit.coords.shape == (40, 2)
    if (fit.topic_ids == -1).all():
        assert fit.messages


def test_topic_edits_replay_in_order() -> None:
    segments = pd.DataFrame(
        {"transcript_id": ["a", "a", "b", "b"], "topic_id": [0, 1, 2, -1], "topic_label": ""}
    )
    topics = pd.DataFrame(
        {
            "topic_id": [-1, 0, 1, 2],
            "label": ["No clear topic", "Email", "Code", "Images"],
            "size": [1, 1, 1, 1],
            "top_words": ["", "email, reply", "code, bug", "image, logo"],
            "representative_quotes": [[], ["q0"], ["q1"], ["q2"]],
        }
    )
    edits = [
        TopicEdit("merge", (1, 2), None),
        TopicEdit("rename", (1,), "Making things"),
        TopicEdit("rename", (2,), "gone"),  # merged away: skipped
    ]
    segs, tops = apply_topic_edits(segments, topics, edits)
    assert segs["topic_id"].tolist() == [0, 1, 1, -1]
    assert segs["topic_label"].tolist() == [
        "Email",
        "Making things",
        "Making things",
        "No clear topic",
    ]
    merged = tops.set_index("topic_id").loc[1]
    assert merged["size"] == 2 and merged["representative_quotes"] == ["q1", "q2"]
    assert merged["top_words"] == "code, image, bug, logo"
    transcripts = pd.DataFrame({"transcript_id": ["a", "b"], "cohort": ["x", "y"]})
    counts = topic_cohort_counts(segs, transcripts)
    assert counts["n_answers"].sum() == 4


def test_centroid_hierarchy_merges_the_closest_topics_first() -> None:
    from analysis.topics import centroid_hierarchy

    base = np.eye(4, dtype=np.float32)
    near = {
        0: base[0],
        1: 0.9 * base[0] + 0.1 * base[1],
        2: base[2],
        3: 0.9 * base[2] + 0.1 * base[3],
    }
    centroids = {t: v / np.linalg.norm(v) for t, v in near.items()}
    tree = centroid_hierarchy(centroids)
    assert len(tree) == 3
    root = tree.iloc[0]
    assert root["topics"] == [0, 1, 2, 3] and root["parent_id"] == 6
    first_merges = {
        tuple(sorted((r.child_left_id, r.child_right_id))) for r in tree.iloc[1:].itertuples()
    }
    assert first_merges == {(0, 1), (2, 3)}
    assert (np.diff(tree["distance"].to_numpy()) <= 0).all()
