"""Embedders, answer units and the (text hash, model id) vector cache."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from analysis.embedding import (
    CachedEmbedder,
    HashingEmbedder,
    MiniLMEmbedder,
    OnnxMiniLMEmbedder,
    embed_answers,
    embedder_for,
    make_embedder,
    split_units,
    text_key,
    units_for,
)
from analysis.store import Store


class CountingEmbedder:
    """Wraps the hashing embedder and records every text the model is asked to embed."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder(64)
        self.model_id = "counting-64"
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.embed(texts)


def test_text_key_ignores_whitespace_and_unicode_composition() -> None:
    assert text_key("Caf\u00e9  uses\nAI ") == text_key("Cafe\u0301 uses AI")
    assert text_key("a") != text_key("b")


def test_long_answers_split_into_units_and_pool_back() -> None:
    long_answer = "\n\n".join(
        " ".join(f"word{p}_{i}." for i in range(70)) for p in range(3)
    )  # three 70-word paragraphs
    units = split_units(long_answer, max_words=90)
    assert len(units) == 3 and all(len(u.split()) <= 90 for u in units)
    assert split_units("Short answer.") == ["Short answer."]
    assert split_units("") == [""]
    texts, owners = units_for(["Short answer.", long_answer])
    assert owners.tolist() == [0, 1, 1, 1] and len(texts) == 4
    vectors = embed_answers(HashingEmbedder(), ["Short answer.", long_answer])
    assert vectors.shape == (2, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    texts = ["I draft emails with it", "It drafts my emails", "Image generation for logos"]
    first, second = HashingEmbedder().embed(texts), HashingEmbedder().embed(texts)
    np.testing.assert_array_equal(first, second)
    sims = first @ first.T
    assert sims[0, 1] > sims[0, 2]


def test_second_run_embeds_nothing(store: Store, tmp_path) -> None:
    answers = ["I use it for emails.", "It writes my SQL.", "I use it for emails.", "Logos."]
    model = CountingEmbedder()
    first = embed_answers(CachedEmbedder(model, store), answers)
    assert sorted(model.seen) == sorted(set(answers))  # duplicates embedded once
    model.seen.clear()
    store.close()
    reopened = Store(tmp_path / "store.duckdb")  # across "app restarts"
    cached = CachedEmbedder(model, reopened)
    second = embed_answers(cached, answers)
    assert model.seen == [] and cached.n_computed == 0
    np.testing.assert_array_equal(first, second)
    reopened.close()


def test_cache_is_keyed_by_model_id(store: Store) -> None:
    model = CountingEmbedder()
    CachedEmbedder(model, store).embed(["same text"])
    other = CountingEmbedder()
    other.model_id = "another-model"
    CachedEmbedder(other, store).embed(["same text"])
    assert other.seen == ["same text"]
    assert store.count_vectors("counting-64") == 1 and store.count_vectors() == 2


def test_minilm_loads_offline_and_separates_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = MiniLMEmbedder()
    vectors = embedder.embed(
        ["I ask it to draft emails to clients.", "It writes my client emails.", "I paint murals."]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert "seq128" in embedder.model_id


def test_int8_backend_matches_fp32_and_depends_on_the_text_alone(tmp_path: Path) -> None:
    texts = [
        "I ask it to draft emails to clients.",
        "It writes my client emails, then I fix the tone before sending them to anyone.",
        "I paint murals.",
        "Honestly, I use it when I'm stuck on wording late at night before a deadline.",
        "No.",
    ]
    int8 = OnnxMiniLMEmbedder(cache_dir=tmp_path)
    vectors = int8.embed(texts)
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    # Same model as the torch backend: cosine to fp32 stays high on every text.
    reference = MiniLMEmbedder().embed(texts)
    assert np.min(np.sum(vectors * reference, axis=1)) > 0.95
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    # A text's vector does not depend on its neighbours, their order or the worker count.
    alone = OnnxMiniLMEmbedder(cache_dir=tmp_path, workers=1).embed(texts[3:4])
    reordered = int8.embed(texts[::-1] * 3)[:5][::-1]
    np.testing.assert_array_equal(alone[0], vectors[3])
    np.testing.assert_array_equal(reordered, vectors)
    assert int8.model_id != MiniLMEmbedder().model_id and int8.model_id.endswith("onnx-int8pc")


def test_int8_graph_is_built_once_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.embedding import onnx_minilm

    first = onnx_minilm.build_quantised_graph(tmp_path)
    assert first.is_file() and [p.name for p in tmp_path.iterdir()] == [first.name]

    def no_export(path: Path) -> None:
        raise AssertionError("the cached graph should have been reused")

    monkeypatch.setattr(onnx_minilm, "_export_fp32", no_export)
    assert onnx_minilm.build_quantised_graph(tmp_path) == first


def test_backend_names_resolve() -> None:
    assert isinstance(embedder_for("minilm-int8", 128, 64), OnnxMiniLMEmbedder)
    assert isinstance(embedder_for("minilm", 96, 64), MiniLMEmbedder)
    assert embedder_for("minilm", 96, 64).model_id.endswith("seq96")
    with pytest.raises(ValueError, match="unknown embedding backend"):
        make_embedder("word2vec")
