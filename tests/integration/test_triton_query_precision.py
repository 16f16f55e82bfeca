"""AISLE_TEXT_QUERY_PRECISION=int8 on the real Triton: searches' queries are embedded by the int8 graph,
products by the float32 one, through the same `query_encoder` model."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from engine.inference.triton import TritonInference
from engine.models.text_encoder import SentenceEncoder, resolve_text_model
from engine.triton.launcher import TritonServer, start_triton
from tests.fixtures.triton import triton_settings

pytestmark = pytest.mark.integration

TEXTS = ["cordless drill", "Bosch 18V brushless hammer drill with two batteries", "Äpfel – 日本語", "x"]


@pytest.fixture(scope="module")
def int8_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    settings = triton_settings(
        tmp_path_factory.mktemp("triton-int8"), clip_model="", text_query_precision="int8"
    )
    server = start_triton(settings)
    try:
        yield server
    finally:
        server.stop()


def test_queries_run_int8_and_products_float32_on_one_model(int8_server: TritonServer) -> None:
    settings = int8_server.settings
    model_dir, _ = resolve_text_model(settings.text_model, settings.resolved_text_model())
    local = SentenceEncoder(
        model_dir,
        settings.text_max_tokens,
        runtime="onnx",
        onnx_cache=settings.path("models", "onnx"),
        threads=1,
        query_precision="int8",
    )
    backend = TritonInference(int8_server.grpc_url, repository=int8_server.repository)
    try:
        queries, products = backend.text_encoder(), backend.product_text_encoder()
        served_queries, served_products = queries.encode(TEXTS), products.encode(TEXTS)
        np.testing.assert_allclose(served_queries, local.encode_queries(TEXTS), atol=1e-5)
        np.testing.assert_allclose(served_products, local.encode(TEXTS), atol=1e-5)
        assert not np.allclose(served_queries, served_products, atol=1e-3)
        versioned, version = queries.encode_versioned(TEXTS)  # type: ignore[attr-defined]
        assert version == 1
        np.testing.assert_allclose(versioned, served_queries, atol=1e-6)
        assert queries.info() == products.info()  # one encoder identity: the product space is unchanged
    finally:
        backend.close()
