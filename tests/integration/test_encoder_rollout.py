"""Query-tower versions on the real Triton: a new version serves after a rollout without a restart and
computes what its weights compute locally while products are still embedded by the product-space
version; a version trained against another product space fails to
load and the serving one stays; rollback brings the previous vectors back; the gateway's embedding cache
follows the version."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.encoder.rollout import roll_out, rollback
from engine.encoder.versions import QueryEncoderStore
from engine.inference.triton import TritonInference, TritonTextEncoder
from engine.models.sources import ModelIdentity
from engine.models.tower import TowerManifest
from engine.pipeline.embed import QueryEmbedder
from engine.triton.launcher import start_triton
from tests.fixtures.triton import triton_settings
from tests.support.tiny_text import make_tiny_text_model

pytestmark = pytest.mark.integration

WORDS = ["red", "blue", "drill", "saw", "cordless"]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TritonInference, QueryEncoderStore, Path]]:
    tiny = make_tiny_text_model(tmp_path_factory.mktemp("tiny"), WORDS)
    settings = triton_settings(tmp_path_factory.mktemp("enc-triton"), text_model=str(tiny), clip_model="")
    server = start_triton(settings)
    backend = TritonInference(server.grpc_url, settings.triton_timeout_s, repository=server.repository)
    try:
        yield backend, QueryEncoderStore(settings), tiny
    finally:
        backend.close()
        server.stop()


def perturbed(model_dir: Path, seed: int):
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    torch.manual_seed(seed)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.05 * torch.randn_like(param))
    return model


def test_versions_roll_out_are_refused_on_mismatch_and_roll_back(served) -> None:
    backend, store, tiny = served
    text = backend.text_encoder()
    queries = ["red cordless drill", "blue saw"]
    v1, version = text.encode_versioned(queries)
    assert version == 1 and text.tower_version() == 1
    embedder = QueryEmbedder(text, None)
    cached_v1 = embedder.embed_text("red drill").copy()

    model = perturbed(tiny, seed=1)
    space = store.vectors_identity()
    assert store.add(model, TowerManifest(version=0, base=space, parent=1)) == 2
    assert text.encode_versioned(queries)[1] == 1  # written, not served
    roll_out(store, backend, 2)
    v2, version = text.encode_versioned(queries)
    assert version == 2
    local = model.encode(queries, normalize_embeddings=True)
    assert np.allclose(v2, local, atol=1e-4) and not np.allclose(v2, v1, atol=1e-3)
    # Products are still embedded in the space of the served vectors, not by the new query tower.
    assert np.allclose(backend.product_text_encoder().encode(queries), v1, atol=1e-5)
    time.sleep(TritonTextEncoder.VERSION_TTL_S + 0.1)
    assert not np.allclose(embedder.embed_text("red drill"), cached_v1, atol=1e-3)

    # A version trained against other product vectors: Triton's model refuses it and version 2 serves on.
    store.add(
        perturbed(tiny, seed=2), TowerManifest(version=0, base=ModelIdentity(space.name, "other"), parent=2)
    )
    with pytest.raises(Exception, match="trained against product vectors"):
        backend.load_query_encoder_version(3)
    assert text.encode_versioned(queries)[1] == 2 and store.serving() == 2

    record = rollback(store, backend)
    assert record["version"] == 1 and store.serving() == 1
    again, version = text.encode_versioned(queries)
    assert version == 1 and np.allclose(again, v1, atol=1e-5)
    time.sleep(TritonTextEncoder.VERSION_TTL_S + 0.1)
    assert np.allclose(embedder.embed_text("red drill"), cached_v1, atol=1e-5)
