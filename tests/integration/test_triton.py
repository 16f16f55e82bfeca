"""The real Triton server (one per session, see tests/fixtures/triton.py) through the gRPC backend."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from engine.errors import BackendUnavailable, InvalidInput
from engine.inference.factory import create_inference
from engine.inference.inprocess import InProcessInference
from engine.inference.triton import TritonInference
from engine.models.clip import ClipModel
from engine.models.make_prior_ranker import PRIOR_FEATURE_NAMES
from engine.models.ranker_net import RankerManifest, TrainingRecord, init_prior_ranker, write_ranker_version
from engine.ports import free_port
from engine.triton.supervisor import TritonSupervisor
from tests.fixtures.triton import TritonHandle

pytestmark = pytest.mark.integration

TEXTS = [
    "red running shoes",
    "Stainless steel chef's knife, 20 cm",
    "café crème — tasse en porcelaine",
    "日本の包丁 三徳",
    "Ünïcödé 🙂 emoji headphones",
    "",
]
FUSED = PRIOR_FEATURE_NAMES.index("fused_score")
CTR = PRIOR_FEATURE_NAMES.index("ctr")


def _png(color: tuple[int, int, int], size: tuple[int, int] = (48, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _features(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, len(PRIOR_FEATURE_NAMES)), dtype=np.float32)


@pytest.fixture
def backend(triton_server: TritonHandle) -> Iterator[TritonInference]:
    backend = triton_server.backend()
    yield backend
    backend.close()


def test_all_models_ready(backend: TritonInference, triton_server: TritonHandle) -> None:
    assert backend.ready() == {"query_encoder": True, "clip": True, "ranker": True}
    assert triton_server.server.clip_loaded


def test_served_encoder_matches_in_process_model(
    backend: TritonInference, triton_server: TritonHandle
) -> None:
    local = InProcessInference(triton_server.settings).text_encoder()
    served = backend.text_encoder()
    expected, got = local.encode(TEXTS), served.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (np.sum(got * expected, axis=1) > 0.999).all()
    assert served.info() == local.info()
    assert served.info().name == "all-MiniLM-L6-v2"


def test_encode_many_keeps_order_with_requests_in_flight(backend: TritonInference) -> None:
    texts = [f"product number {i} {TEXTS[i % len(TEXTS)]}" for i in range(150)]
    encoder = backend.text_encoder()
    many = encoder.encode_many(texts, batch_size=7, in_flight=6)
    np.testing.assert_allclose(many, encoder.encode(texts), atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_clip_text_and_image_share_a_normalised_space(
    backend: TritonInference, tiny_clip_dir, triton_server: TritonHandle
) -> None:
    clip = backend.clip_encoder()
    assert clip is not None
    images = clip.encode_images([_png((200, 10, 10)), _png((10, 10, 200), (20, 60))])
    texts = clip.encode_texts(["a red shoe", "ünïcode 日本"])
    assert images.shape == texts.shape == (2, clip.info().dim) == (2, 16)
    np.testing.assert_allclose(np.linalg.norm(np.vstack([images, texts]), axis=1), 1.0, atol=1e-5)
    local = ClipModel(tiny_clip_dir)
    assert (
        np.sum(images * local.encode_images([_png((200, 10, 10)), _png((10, 10, 200), (20, 60))]), 1) > 0.999
    ).all()
    assert (np.sum(texts * local.encode_texts(["a red shoe", "ünïcode 日本"]), 1) > 0.999).all()
    assert clip.info().name == tiny_clip_dir.name
    with pytest.raises(InvalidInput, match="decodable image"):
        clip.encode_images([b"definitely not an image"])


def test_prior_ranker_scores_by_fused_score(backend: TritonInference) -> None:
    ranker = backend.ranker()
    features = _features(2500)
    scores = ranker.score(features)
    assert scores.shape == (2500,)
    np.testing.assert_allclose(scores, features[:, FUSED], atol=1e-6)
    assert ranker.version() == 1
    with pytest.raises(InvalidInput, match="18 features"):
        ranker.score(features[:, :17])


def test_local_factory_reuses_the_running_server(triton_server: TritonHandle) -> None:
    backend = create_inference(triton_server.settings)
    assert isinstance(backend, TritonInference)
    assert backend.url == triton_server.grpc_url
    # Adopted, not owned: watched (a successor would be followed), never stopped by this backend.
    assert isinstance(backend.server, TritonSupervisor) and not backend.server.owned
    assert backend.server.server is not None and backend.server.server.pid == triton_server.server.pid
    backend.close()
    assert triton_server.server.alive()


def test_triton_down_raises_backend_unavailable_quickly() -> None:
    backend = TritonInference(f"127.0.0.1:{free_port()}", timeout_s=2.0)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="triton"):
        backend.text_encoder().encode(["anything"])
    with pytest.raises(BackendUnavailable):
        backend.ranker().score(_features(3))
    assert time.monotonic() - started < 2.0
    assert backend.ready() == {"query_encoder": False, "clip": False, "ranker": False}
    assert backend.clip_encoder() is None


def test_ranker_rolls_out_a_new_version_under_load(
    backend: TritonInference, triton_server: TritonHandle
) -> None:
    """Version 2 (2 * fused_score + ctr) is loaded while a thread keeps scoring: nothing fails, and the
    served version switches from 1 to 2 with scores that match each version's formula. Rolls back after."""
    net = init_prior_ranker(PRIOR_FEATURE_NAMES, {"fused_score": 2.0, "ctr": 1.0})
    manifest = RankerManifest(
        version=2, feature_names=list(PRIOR_FEATURE_NAMES), training=TrainingRecord(kind="test")
    )
    write_ranker_version(triton_server.repository / "ranker", net, manifest)
    features = _features(64, seed=3)
    expected = {1: features[:, FUSED], 2: 2 * features[:, FUSED] + features[:, CTR]}
    ranker = backend.ranker()
    seen: list[int] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def keep_scoring() -> None:
        while not stop.is_set():
            try:
                scores = ranker.score(features)
                version = ranker.version()
                np.testing.assert_allclose(scores, expected[version], atol=1e-5)
                seen.append(version)
            except BaseException as exc:  # collected and asserted on below
                failures.append(exc)

    worker = threading.Thread(target=keep_scoring)
    worker.start()
    try:
        time.sleep(0.5)
        backend.load_ranker_version(2)
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert failures == []
    assert seen[0] == 1 and seen[-1] == 2 and set(seen) == {1, 2}
    assert seen.index(2) > 0 and all(v == 2 for v in seen[seen.index(2) :])
    assert ranker.version() == 2 and backend.ranker().version() == 2
    assert "versions: 2" in (triton_server.repository / "ranker" / "config.pbtxt").read_text()
    backend.load_ranker_version(1)
    np.testing.assert_allclose(ranker.score(features), expected[1], atol=1e-6)
    assert ranker.version() == 1
