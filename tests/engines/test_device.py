"""The torch MiniLM embedder's device: CUDA when available, and never a silent model id.

No GPU is needed: torch's CUDA probe is replaced, and nothing is loaded onto the device.
"""

from __future__ import annotations

import pytest
import torch

from analysis.embedding import MiniLMEmbedder, OnnxMiniLMEmbedder
from analysis.embedding.minilm import DEVICE_ENV, embedding_device


def test_cpu_keeps_the_model_id_existing_caches_use(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    embedder = MiniLMEmbedder(max_seq_length=128)
    assert embedding_device() == embedder.device == "cpu"
    assert embedder.model_id.endswith("/seq128")


def test_a_gpu_is_used_and_named_in_the_model_id(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    embedder = MiniLMEmbedder(max_seq_length=128)
    assert embedder.device == "cuda"
    assert embedder.model_id == MiniLMEmbedder(128, device="cpu").model_id + "/cuda"


@pytest.mark.parametrize("forced", ["cpu", "CUDA "])
def test_the_environment_decides_over_the_probe(monkeypatch, forced) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: forced.strip() == "cpu")
    monkeypatch.setenv(DEVICE_ENV, forced)
    assert embedding_device() == forced.strip().lower()


def test_int8_onnx_stays_on_the_cpu(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert "cuda" not in OnnxMiniLMEmbedder().model_id
