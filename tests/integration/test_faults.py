"""Faults under load against the real servers (the figures of bench/faults.py, with pass/fail goals).

- OpenSearch hung by SIGSTOP: every answer within 2 s, searches degrade to the dense side, similar
  items and recommendations keep answering, /readyz says not-ready within 2 s; full recovery soon after
  SIGCONT (the node is always resumed, whatever happens).
- Triton killed with `kill -9` under `engine triton start --supervise`: restarted by the supervisor;
  meanwhile searches answer from the lexical side without the ranker (degraded, not failed); once
  Triton is ready again the gateway serves full answers within 2 s (its gRPC channel reconnects at most
  1 s apart), and full answers are back within 15 s of the kill (the restarted models load without
  importing PyTorch: cached ONNX export for the encoder, numpy for the ranker).
- `gateway serve --workers 2`: one worker killed with `kill -9` under load (searches and events) is
  replaced by uvicorn's parent; then the whole gateway is killed and started again on the same port,
  as a process supervisor would. Every event acknowledged with a 2xx is in the event log afterwards,
  none twice (`bench.fault_gateway`).
- `indexer build` and `indexer upsert` killed at their crash points while shoppers search: no failed,
  stale, mixed or uncommitted answer; the next run repairs and `indexer verify` passes
  (`bench.fault_indexer`; `python -m bench.faults --faults indexer-kill` adds random moments).
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest

from bench.common import build_index, gateway_child
from bench.fault_gateway import GatewayServer, run_gateway_kill, run_worker_kill
from bench.fault_indexer import CI_STEPS, run_indexer_faults
from bench.fault_servers import pidfile_pid, supervised_triton, triton_ready
from bench.faults import run_fault
from engine.config import load_settings
from engine.inference.factory import create_inference
from engine.ports import free_port
from engine.sample import sample_catalog_path

pytestmark = pytest.mark.integration

PRODUCT = "p0001"


def serve(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, products: Path | None = None) -> None:
    """Build the index of `products` (the sample catalog by default) with the settings in `env` (as
    a gateway would see them)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AISLE_TRITON_TIMEOUT_S", "120")  # embedding the catalog on a busy 2-core machine
    settings = load_settings()
    inference = create_inference(settings)
    try:
        build_index(settings, products or sample_catalog_path(), inference)
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


@pytest.mark.timeout(900)
def test_killed_gateway_workers_and_gateways_lose_no_acknowledged_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "AISLE_DATA_DIR": str(tmp_path / "data"),
        "AISLE_OPENSEARCH_URL": "embedded",
        "AISLE_TRITON_URL": "inprocess",
    }
    head = sample_catalog_path().read_text(encoding="utf-8").splitlines(keepends=True)[:40]
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("".join(head), encoding="utf-8")
    assert PRODUCT in head[0]
    serve(env, monkeypatch, catalog)  # a small catalog: the test is about the processes
    with GatewayServer(env, free_port(), workers=2) as server:
        worker = run_worker_kill(server, PRODUCT, settle_s=15.0)
        whole = run_gateway_kill(server, PRODUCT, settle_s=8.0)
    print(worker)
    print(whole)
    for result in (worker, whole):
        assert result.events_acknowledged and result.events_acknowledged > 20
        assert result.events_lost == 0 and result.events_duplicated == 0
        assert result.backend_back_s is not None and result.recovery_s is not None
    assert worker.requests > 20
    # Only what was in flight on the killed worker's connections fails; the other worker serves on.
    assert worker.failed <= 6 and worker.recovery_s < 2.0
    assert whole.failed > 0  # one gateway process answers nothing while it is down and restarting
    assert whole.recovery_s <= whole.backend_back_s + 2.0


@pytest.mark.timeout(900)
def test_killed_indexer_runs_under_search_load_serve_the_last_commit(tmp_path: Path) -> None:
    env = {
        "AISLE_DATA_DIR": str(tmp_path / "data"),
        "AISLE_OPENSEARCH_URL": "embedded",
        "AISLE_TRITON_URL": "inprocess",
    }
    reports = run_indexer_faults(env, sample_catalog_path(), rows=12, steps=CI_STEPS)
    for step, result in zip(CI_STEPS, reports, strict=True):
        print(result)
        assert result.killed and not result.committed
        assert result.requests > 20
        assert (result.failed, result.stale, result.mixed, result.uncommitted) == (0, 0, 0, 0)
        assert result.rerun == 0 and result.verify_after_rerun == 0
        assert result.served_after == [step.version]
    build, upsert = reports
    assert build.verify_after_kill == 0  # a staged generation nobody committed is no difference
    # An upsert killed before its commit: verify names it, unless the gateway rolled it back first.
    assert upsert.verify_after_kill == 0 or "interrupted update" in upsert.verify_after_kill_says
