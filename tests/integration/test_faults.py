"""Faults under load against the real servers (the figures of bench/faults.py, with pass/fail goals).

- OpenSearch hung by SIGSTOP: every answer within 2 s, searches degrade to the dense side, similar
  items and recommendations keep answering, /readyz says not-ready within 2 s; full recovery soon after
  SIGCONT (the node is always resumed, whatever happens).
- Triton killed with `kill -9` under `engine triton start --supervise`: restarted by the supervisor;
  meanwhile searches answer from the lexical side without the ranker (degraded, not failed); once
  Triton is ready again the gateway serves full answers within 2 s (its gRPC channel reconnects at most
  1 s apart), and full answers are back within 15 s of the kill (the restarted models load without
  importing PyTorch: cached ONNX export for the encoder, numpy for the ranker).
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest

from bench.common import build_index, gateway_child
from bench.fault_servers import pidfile_pid, supervised_triton, triton_ready
from bench.faults import run_fault
from engine.config import load_settings
from engine.inference.factory import create_inference
from engine.ports import free_port
from engine.sample import sample_catalog_path

pytestmark = pytest.mark.integration

PRODUCT = "p0001"


def serve(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the sample catalog's index with the settings in `env` (as a gateway would see them)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AISLE_TRITON_TIMEOUT_S", "120")  # embedding the catalog on a busy 2-core machine
    settings = load_settings()
    inference = create_inference(settings)
    try:
        build_index(settings, sample_catalog_path(), inference)
    finally:
        inference.close()


def test_a_hung_opensearch_costs_no_answer_more_than_2s(
    opensearch_node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if opensearch_node is None:
        pytest.fail("this test pauses the node with SIGSTOP: unset AISLE_TEST_OPENSEARCH_URL")
    env = {
        "AISLE_DATA_DIR": str(tmp_path / "data"),
        "AISLE_OPENSEARCH_URL": opensearch_node.url,
        "AISLE_INDEX_ALIAS": f"faults-{uuid.uuid4().hex[:8]}",
        "AISLE_TRITON_URL": "inprocess",
    }
    serve(env, monkeypatch)
    pid = pidfile_pid(opensearch_node.data_dir / "opensearch.pid")
    try:
        with gateway_child(env) as gateway:
            result = run_fault(
                "opensearch-hang",
                gateway.url,
                PRODUCT,
                lambda: os.kill(pid, signal.SIGSTOP),
                lambda: os.kill(pid, signal.SIGCONT),
                fault_s=8.0,
                settle_s=10.0,
            )
    finally:
        os.kill(pid, signal.SIGCONT)
        print((tmp_path / "data" / "logs" / "bench-gateway.log").read_text()[-3000:])
    print(result)
    assert result.requests > 20 and result.degraded > 0
    assert result.failed == 0
    assert result.longest_s < 2.0 and result.longest_readyz_s < 2.0
    assert result.recovery_s is not None and result.recovery_s < 8.0


def test_a_killed_triton_is_restarted_and_used_again_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "AISLE_DATA_DIR": str(tmp_path / "data"),
        "AISLE_TRITON_URL": "local",
        "AISLE_TRITON_HTTP_PORT": str(free_port()),
        "AISLE_TRITON_GRPC_PORT": str(free_port()),
        "AISLE_TRITON_METRICS_PORT": str(free_port()),
    }
    with supervised_triton(env) as pidfile:
        serve(env, monkeypatch)
        with gateway_child(env) as gateway:
            killed = pidfile_pid(pidfile)
            result = run_fault(
                "triton-kill",
                gateway.url,
                PRODUCT,
                lambda: os.kill(killed, signal.SIGKILL),
                None,
                fault_s=0.0,
                settle_s=120.0,
                backend_up=triton_ready(int(env["AISLE_TRITON_HTTP_PORT"])),
            )
        assert pidfile_pid(pidfile) != killed  # the supervisor started a new server
    print(result)
    assert result.requests > 20 and result.degraded > 0
    assert result.failed == 0
    assert result.backend_back_s is not None and result.recovery_s is not None
    assert result.recovery_s - result.backend_back_s <= 2.0
    assert result.recovery_s <= 15.0
