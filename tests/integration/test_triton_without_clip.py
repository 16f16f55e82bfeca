"""A launch whose CLIP weights cannot be loaded still serves the encoder and the ranker."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from engine.inference.triton import TritonInference
from engine.triton.launcher import TritonServer, start_triton
from tests.fixtures.triton import triton_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server_without_clip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    broken = tmp_path_factory.mktemp("broken-clip")
    (broken / "config.json").write_text('{"model_type": "clip", "projection_dim": "not a number"}')
    (broken / "model.safetensors").write_bytes(b"\0" * 64)
    settings = triton_settings(tmp_path_factory.mktemp("triton-noclip"), clip_model=str(broken))
    server = start_triton(settings)
    try:
        yield server
    finally:
        server.stop()


def test_engine_runs_without_the_image_side(server_without_clip: TritonServer) -> None:
    assert server_without_clip.clip_loaded is False
    assert "clip" in (server_without_clip.clip_problem or "")
    backend = TritonInference(server_without_clip.grpc_url, repository=server_without_clip.repository)
    try:
        assert backend.ready() == {"query_encoder": True, "clip": False, "ranker": True}
        assert backend.clip_encoder() is None
        vectors = backend.text_encoder().encode(["still searchable"])
        assert vectors.shape == (1, 384)
        assert backend.ranker().score(np.ones((2, 18), dtype=np.float32)).tolist() == [1.0, 1.0]
    finally:
        backend.close()
    server_without_clip.stop()
    assert not server_without_clip.alive()
    assert not server_without_clip.settings.path("triton.pid").exists()
