"""Faults under load against the real servers (the figures of bench/faults.py, with pass/fail goals).

- OpenSearch hung by SIGSTOP: every answer within 2 s, searches degrade to the dense side, similar
  items and recommendations keep answering, /readyz says not-ready within 2 s; full recovery soon after
  SIGCONT (the node is always resumed, whatever happens).
- OpenSearch killed with `kill -9` and started again by scripts/opensearch.sh on the same data: the
  same degraded answers while it is down, full answers soon after it answers again.
- tritonserver hung by SIGSTOP: every answer within 2 s (the serving deadline, then the breaker),
  searches lexical-only in fused order, 0 failed; full recovery soon after SIGCONT.
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

The gateway and indexer faults use the module's Triton as a remote server, so their many process
starts load no model; the OpenSearch faults share one gateway (in-process encoders), the Triton faults
another.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from bench.common import GatewayProcess, build_index, gateway_child
from bench.fault_gateway import GatewayServer, run_gateway_kill, run_worker_kill
from bench.fault_indexer import CI_STEPS, run_indexer_faults
from bench.fault_load import FaultReport
from bench.fault_servers import opensearch_script, pidfile_pid, supervised_triton, triton_ready
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


class Served(NamedTuple):
    gateway: GatewayProcess
    env: dict[str, str]
    pidfile: Path  # of the backend the faults hit


@pytest.fixture(scope="module")
def opensearch_served(opensearch_node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A gateway child process (in-process encoders) on the session's OpenSearch node, shared by the
    OpenSearch faults: one index build and one gateway start for both."""
    if opensearch_node is None:
        pytest.fail("these tests pause and kill the node: unset AISLE_TEST_OPENSEARCH_URL")
    data = tmp_path_factory.mktemp("opensearch-faults") / "data"
    env = {
        "AISLE_DATA_DIR": str(data),
        "AISLE_OPENSEARCH_URL": opensearch_node.url,
        "AISLE_INDEX_ALIAS": f"faults-{uuid.uuid4().hex[:8]}",
        "AISLE_TRITON_URL": "inprocess",
    }
    with pytest.MonkeyPatch.context() as monkeypatch:
        serve(env, monkeypatch)
    try:
        with gateway_child(env) as gateway:
            yield Served(gateway, env, opensearch_node.data_dir / "opensearch.pid")
    finally:
        print((data / "logs" / "bench-gateway.log").read_text()[-3000:])


@pytest.fixture(scope="module")
def triton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """`engine triton start --supervise` for the module: its settings and pidfile."""
    env = {
        "AISLE_DATA_DIR": str(tmp_path_factory.mktemp("triton-faults") / "data"),
        "AISLE_TRITON_URL": "local",
        "AISLE_TRITON_HTTP_PORT": str(free_port()),
        "AISLE_TRITON_GRPC_PORT": str(free_port()),
        "AISLE_TRITON_METRICS_PORT": str(free_port()),
    }
    with supervised_triton(env) as pidfile:
        yield env, pidfile


@pytest.fixture(scope="module")
def triton_served(triton: tuple[dict[str, str], Path]) -> Iterator[Served]:
    """A gateway child process on the supervised Triton (embedded lexical index), shared by the
    Triton faults."""
    env, pidfile = triton
    with pytest.MonkeyPatch.context() as monkeypatch:
        serve(env, monkeypatch)
    try:
        with gateway_child(env) as gateway:
            yield Served(gateway, env, pidfile)
    finally:
        print((Path(env["AISLE_DATA_DIR"]) / "logs" / "bench-gateway.log").read_text()[-3000:])


@pytest.fixture
def remote_triton(triton: tuple[dict[str, str], Path]) -> dict[str, str]:
    """The module's Triton as a remote server (`AISLE_TRITON_URL=host:port`) for the gateway and
    indexer faults: their processes start without loading a model (the in-process encoders made each
    gateway or indexer start cost tens of seconds on a loaded 2-core machine)."""
    return {"AISLE_TRITON_URL": f"127.0.0.1:{triton[0]['AISLE_TRITON_GRPC_PORT']}"}


def hang(served: Served, fault: str, seconds: float = 8.0) -> FaultReport:
    """SIGSTOP the backend for `seconds` under load, then SIGCONT (always, whatever happens)."""
    pid = pidfile_pid(served.pidfile)
    try:
        return run_fault(
            fault,
            served.gateway.url,
            PRODUCT,
            lambda: os.kill(pid, signal.SIGSTOP),
            lambda: os.kill(pid, signal.SIGCONT),
            fault_s=seconds,
            settle_s=8.0,
        )
    finally:
        os.kill(pid, signal.SIGCONT)


def assert_degraded_in_bounded_time(result: FaultReport) -> None:
    """The goal for a hung or dead backend: shoppers get degraded answers, none fails or waits 2 s."""
    assert result.requests > 20 and result.degraded > 0
    assert result.failed == 0, result.failed_by
    assert result.longest_s < 2.0 and result.longest_readyz_s < 2.0


def test_a_hung_opensearch_costs_no_answer_more_than_2s(opensearch_served: Served) -> None:
    result = hang(opensearch_served, "opensearch-hang")
    print(result)
    assert_degraded_in_bounded_time(result)
    assert result.recovery_s is not None and result.recovery_s < 8.0


def test_a_killed_opensearch_degrades_until_it_is_started_again(opensearch_served: Served) -> None:
    """kill -9 of the node; 3 s later scripts/opensearch.sh starts it again on the same data."""
    port = int(opensearch_served.env["AISLE_OPENSEARCH_URL"].rsplit(":", 1)[1])
    killed = pidfile_pid(opensearch_served.pidfile)
    result = run_fault(
        "opensearch-kill",
        opensearch_served.gateway.url,
        PRODUCT,
        lambda: os.kill(killed, signal.SIGKILL),
        lambda: opensearch_script("start", port, opensearch_served.pidfile.parent),
        fault_s=3.0,
        settle_s=20.0,
        restart=True,
    )
    print(result)
    assert pidfile_pid(opensearch_served.pidfile) != killed
    assert_degraded_in_bounded_time(result)
    assert result.backend_back_s is not None and result.recovery_s is not None
    # A restarted node's first reads can miss the 1 s read deadline while its JVM warms up (seen for
    # 8 s at a load average of 29), and each such miss reopens the breaker for 2 s.
    assert result.recovery_s - result.backend_back_s <= 12.0


def test_a_hung_triton_costs_no_answer_more_than_2s(triton_served: Served) -> None:
    """SIGSTOP of tritonserver: searches answer lexical-only in fused order within the serving
    deadline (AISLE_TRITON_SERVING_TIMEOUT_S), then at once while the breaker is open."""
    result = hang(triton_served, "triton-hang")
    print(result)
    assert_degraded_in_bounded_time(result)
    assert result.recovery_s is not None and result.recovery_s < 8.0


def test_a_killed_triton_is_restarted_and_used_again_at_once(triton_served: Served) -> None:
    killed = pidfile_pid(triton_served.pidfile)
    result = run_fault(
        "triton-kill",
        triton_served.gateway.url,
        PRODUCT,
        lambda: os.kill(killed, signal.SIGKILL),
        None,
        fault_s=0.0,
        settle_s=90.0,
        backend_up=triton_ready(int(triton_served.env["AISLE_TRITON_HTTP_PORT"])),
        settle_after_back_s=10.0,
    )
    assert pidfile_pid(triton_served.pidfile) != killed  # the supervisor started a new server
    print(result)
    assert_degraded_in_bounded_time(result)
    assert result.backend_back_s is not None and result.recovery_s is not None
    # A dead Triton refuses connections at once, which the breaker does not count, so nothing waits
    # for its next trial: full answers once the gRPC channel reconnects (at most 1 s apart).
    assert result.recovery_s - result.backend_back_s <= 2.0
    assert result.recovery_s <= 15.0


@pytest.mark.timeout(900)
def test_killed_gateway_workers_and_gateways_lose_no_acknowledged_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remote_triton: dict[str, str]
) -> None:
    env = {"AISLE_DATA_DIR": str(tmp_path / "data"), "AISLE_OPENSEARCH_URL": "embedded", **remote_triton}
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
def test_killed_indexer_runs_under_search_load_serve_the_last_commit(
    tmp_path: Path, remote_triton: dict[str, str]
) -> None:
    env = {"AISLE_DATA_DIR": str(tmp_path / "data"), "AISLE_OPENSEARCH_URL": "embedded", **remote_triton}
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
