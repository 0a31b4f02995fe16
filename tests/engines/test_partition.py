"""Coding split into partitions and reassembled equals whole-corpus coding (no Ray needed).

This is the contract the Ray engine relies on; checking it without a cluster pins failures
to the split/reassembly rather than to Ray. Partitions are coded in reverse order to show
the reassembly does not depend on the order workers finish in.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.embedding import CachedEmbedder, HashingEmbedder, embed_answers
from analysis.engines import LocalEngine
from analysis.engines.partition import (
    TRANSCRIPT,
    assemble,
    code_partition,
    coding_context,
    coding_partitions,
    count_partition,
    question_prior,
)
from analysis.ingest.tables import segments_frame, transcripts_frame
from analysis.records import IngestResult
from analysis.segment import segment_transcripts
from tests.engine.conftest import make_transcript

ROLE_DEFINING = [
    "I'm a data scientist at a hospital and I use it to draft SQL for my reports.",
    "When I'm stuck debugging Python code I paste the error and ask it why.",
    "My manager is worried about privacy, so I never paste patient data into it.",
]


@pytest.fixture(scope="module")
def corpus(fixture_ingest: IngestResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine fixture corpus plus a transcript with no answers and one with a role."""
    extra = [make_transcript("zz_empty", []), make_transcript("zz_roles", ROLE_DEFINING)]
    transcripts = [*fixture_ingest.transcripts, *extra]
    ingest = IngestResult(transcripts=transcripts, files=fixture_ingest.files)
    segments = segments_frame(segment_transcripts(ingest.transcripts))
    segments = segments.sort_values(["transcript_id", "segment_index"]).reset_index(drop=True)
    frame = transcripts_frame(ingest)
    frame["attr.role"] = [None] * (len(frame) - 1) + ["Registered nurse"]
    return segments, frame


@pytest.fixture(scope="module")
def embedded(corpus):
    """Hashing vectors of the corpus answers and the embed function for code texts."""
    segments, _ = corpus
    embedder = CachedEmbedder(HashingEmbedder(), None)
    return embed_answers(embedder, list(segments["answer"]), 0), embedder.embed


@pytest.fixture(scope="module")
def whole_corpus(corpus, embedded):
    """The local engine's coding of the whole corpus, per role column."""
    segments, transcripts = corpus
    embeddings, embed = embedded
    return {
        column: LocalEngine().code(segments, transcripts, embeddings, embed, None, column)
        for column in (None, "attr.role")
    }


def context_codes() -> list[str]:
    from analysis.coding import load_codebook

    return load_codebook(None).code_ids


def _batch(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A partition as Ray Data hands it to a worker in numpy format (vectors stacked)."""
    return {c: np.stack(frame[c]) if c == "vector" else frame[c].to_numpy() for c in frame}


@pytest.mark.parametrize(("n_partitions", "role_column"), [(1, None), (3, "attr.role"), (50, None)])
def test_partitioned_coding_equals_whole_corpus(
    corpus, embedded, whole_corpus, n_partitions, role_column
) -> None:
    segments, transcripts = corpus
    embeddings, embed = embedded
    coded, roles = whole_corpus[role_column]
    assert len(coded.assignments) > 20  # a real coding run, not an empty one

    context = coding_context(None, embeddings, embed)
    parts = coding_partitions(segments, transcripts, embeddings, role_column, n_partitions)
    assert 1 <= len(parts) <= n_partitions
    owners = [set(p["transcript_id"]) for p in parts]
    assert all(a.isdisjoint(b) for i, a in enumerate(owners) for b in owners[i + 1 :])
    # First pass: the corpus's question-context prior, from counts in any order.
    counts = [count_partition(_batch(p), context) for p in parts]
    prior = question_prior(reversed(counts), len(coded.codebook))
    context = replace(context, question_prior=prior)
    outputs = [code_partition(_batch(p), context) for p in reversed(parts)]
    coded_parts, roles_parts = assemble(outputs, segments, transcripts, None)

    pd.testing.assert_frame_equal(coded.assignments, coded_parts.assignments)
    pd.testing.assert_frame_equal(coded.participants, coded_parts.participants)
    pd.testing.assert_frame_equal(coded.codebook, coded_parts.codebook)
    pd.testing.assert_frame_equal(roles, roles_parts)
    if role_column:
        assert roles_parts.iloc[-1]["role_source"] == "metadata"


def test_similarity_statistics_matter(embedded) -> None:
    """Statistics of part of the corpus differ from the whole's: shipping the corpus-wide
    ones is what makes partitions code like the whole, not luck."""
    embeddings, embed = embedded
    whole = coding_context(None, embeddings, embed)
    third = coding_context(None, embeddings[: len(embeddings) // 3], embed)
    assert whole.stats is not None and third.stats is not None
    assert not np.array_equal(whole.stats.moments()[0], third.stats.moments()[0])


def test_a_transcript_coming_back_twice_or_never_fails(corpus, embedded) -> None:
    segments, transcripts = corpus
    embeddings, embed = embedded
    context = coding_context(None, embeddings, embed)
    parts = coding_partitions(segments, transcripts, embeddings, None, 2)
    counts = [count_partition(_batch(p), context) for p in parts]
    context = replace(context, question_prior=question_prior(counts, len(context_codes())))
    out = code_partition(_batch(parts[0]), context)
    assert (out["kind"] == TRANSCRIPT).any()
    with pytest.raises(RuntimeError, match="twice"):
        assemble([out, out], segments, transcripts, None)
    with pytest.raises(RuntimeError, match="uncoded"):
        assemble([out], segments, transcripts, None)
