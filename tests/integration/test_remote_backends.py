"""A remote Triton, named only by AISLE_TRITON_URL=host:port, serves the indexer and the gateway.

Production runs Triton in its own container (or on a GPU host) and every other process reaches it over
gRPC. Here the session's real Triton plays that remote server: the indexer and the gateway run as
subprocesses whose only Triton setting is its host:port, so nothing can fall back to launching or
loading models locally. Triton's own inference statistics prove the requests reached it.

When that address does not answer, the indexer stops with one line naming the setting and the address,
and the gateway stays up answering 503 JSON (readiness and search), never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.ports import free_port
from engine.sample import sample_catalog_path
from tests.fixtures.triton import TritonHandle
from tests.support.processes import GatewayProcess, clean_env, run_cli, tail

pytestmark = pytest.mark.integration


def inference_count(triton: TritonHandle, model: str) -> int:
    """How many requests `model` has executed on the server since it started."""
    import tritonclient.grpc as grpcclient  # type: ignore[import-untyped]

    client = grpcclient.InferenceServerClient(triton.grpc_url)
    try:
        stats = client.get_inference_statistics(model, as_json=True, client_timeout=30)
    finally:
        client.close()
    return sum(int(s.get("inference_count", 0)) for s in stats.get("model_stats", []))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remote-triton-data")


@pytest.fixture(scope="module")
def remote_env(data_dir: Path, triton_server: TritonHandle) -> dict[str, str]:
    """Embedded lexical index, vectors under `data_dir`, and Triton given by address only."""
    return clean_env({"AISLE_DATA_DIR": str(data_dir), "AISLE_TRITON_URL": triton_server.grpc_url})


@pytest.fixture(scope="module")
def built(remote_env: dict[str, str], triton_server: TritonHandle) -> dict[str, Any]:
    before = inference_count(triton_server, "query_encoder")
    result = run_cli("indexer", ["build", "--no-progress", str(sample_catalog_path())], remote_env)
    return {"result": result, "encoded": inference_count(triton_server, "query_encoder") - before}


def test_indexer_embeds_through_the_remote_triton(
    built: dict[str, Any], data_dir: Path, triton_server: TritonHandle
) -> None:
    result = built["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"built generation \S+: 300 products \(vectors: image \d+, text 300\)", result.stdout)
    assert built["encoded"] > 0, "the indexer never asked the remote Triton for embeddings"
    # Nothing was launched next to the indexer: the launcher would leave its pidfile and log here.
    assert not (data_dir / "triton.pid").exists() and not (data_dir / "logs" / "triton.log").exists()

    current = (data_dir / "vectors" / "CURRENT").read_text().strip()
    manifest = json.loads((data_dir / "vectors" / current / "manifest.json").read_text())
    served = triton_server.backend().text_encoder().info()
    assert manifest["encoders"]["text"]["name"] == served.name
    assert manifest["encoders"]["text"]["dim"] == served.dim


@pytest.fixture(scope="module")
def gateway(built: dict[str, Any], remote_env: dict[str, str]) -> Iterator[GatewayProcess]:
    assert built["result"].returncode == 0, built["result"].stderr
    with GatewayProcess(remote_env, free_port()) as process:
        assert process.returncode is None, tail(process.output())
        yield process


def test_gateway_is_ready_on_the_remote_triton(gateway: GatewayProcess) -> None:
    ready = gateway.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    triton = ready.json()["checks"]["triton"]
    assert triton["ok"] is True and triton["clip"] == "on"
    assert triton["models"] == {"query_encoder": True, "clip": True, "ranker": True}


def test_gateway_searches_with_the_remote_models(
    gateway: GatewayProcess, triton_server: TritonHandle
) -> None:
    encoded, ranked = (
        inference_count(triton_server, "query_encoder"),
        inference_count(triton_server, "ranker"),
    )
    response = gateway.client.post("/v1/search", json={"query": "santoku knife", "size": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hits"] and body["degraded"] == []
    assert any("Knife" in hit["title"] for hit in body["hits"]), body["hits"]
    assert body["ranker_version"] is not None
    assert inference_count(triton_server, "query_encoder") > encoded
    assert inference_count(triton_server, "ranker") > ranked
    assert "Traceback" not in gateway.output()


# ---- Triton unreachable ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unreachable() -> str:
    return f"127.0.0.1:{free_port()}"  # nothing listens there


def test_indexer_names_the_unreachable_triton(
    built: dict[str, Any], remote_env: dict[str, str], unreachable: str, tmp_path: Path
) -> None:
    env = {**remote_env, "AISLE_DATA_DIR": str(tmp_path), "AISLE_TRITON_URL": unreachable}
    result = run_cli("indexer", ["build", "--no-progress", str(sample_catalog_path())], env, timeout=180)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("indexer: error: "), result.stderr
    assert unreachable in lines[0]
    assert "AISLE_TRITON_URL" in lines[0], f"the error should name the setting to fix: {lines[0]}"
    assert not (tmp_path / "vectors" / "CURRENT").exists()


def test_gateway_answers_503_json_while_triton_is_unreachable(
    built: dict[str, Any], remote_env: dict[str, str], unreachable: str
) -> None:
    """Same index, Triton gone: the gateway starts, says it is not ready and why, answers a full search
    from the lexical side (marked degraded), and refuses a search only Triton could answer with a JSON
    error that names the backend but not its address, instead of hanging or crashing."""
    env = {**remote_env, "AISLE_TRITON_URL": unreachable, "AISLE_TRITON_TIMEOUT_S": "5"}
    with GatewayProcess(env, free_port()) as gateway:
        assert gateway.returncode is None, tail(gateway.output())
        ready = gateway.client.get("/readyz")
        assert ready.status_code == 503, ready.text
        checks = ready.json()["checks"]
        assert checks["triton"]["ok"] is False
        assert checks["lexical"]["ok"] is True

        degraded = gateway.client.post("/v1/search", json={"query": "santoku knife"})
        assert degraded.status_code == 200, degraded.text
        body = degraded.json()
        assert body["hits"] and "Santoku" in body["hits"][0]["title"], body
        assert {"dense", "ranker"} <= set(body["degraded"]), body

        response = gateway.client.post("/v1/search", json={"query": "santoku knife", "pipeline": "dense"})
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()["error"]
        assert error["code"] == "backend_unavailable"
        assert error["message"].startswith("triton") and unreachable not in error["message"], error
        output = gateway.output()
    assert "Traceback" not in output, tail(output, 60)
