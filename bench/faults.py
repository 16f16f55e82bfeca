"""Fault benchmark: what shoppers see while a backend hangs or crashes under load.

A gateway child process serves the sample catalog (or `--products`) while a few client threads send a
fixed mix of requests (searches, similar items, recommendations, readiness). Then one fault at a time:

- `opensearch-hang`: the OpenSearch node is stopped with SIGSTOP for `--hang-s` seconds (a hung JVM: the
  socket accepts, nothing answers), then SIGCONT;
- `opensearch-kill`: `kill -9` of the node, `--down-s` seconds later started again on the same data
  by scripts/opensearch.sh (what a process supervisor would do);
- `triton-hang`: tritonserver stopped with SIGSTOP for `--hang-s` seconds, then SIGCONT;
- `triton-kill`: `kill -9` of tritonserver, run by `engine triton start --supervise`;
- `gateway-worker-kill`, `gateway-kill`: `kill -9` of one worker of `gateway serve --workers N`, and
  of the whole gateway followed by a restart, while a client also posts events (`bench.fault_gateway`:
  no acknowledged event may be lost or stored twice);
- `indexer-kill`: `kill -9` of `indexer build` and `indexer upsert` at their crash points and at random
  moments while shoppers search, each followed by `indexer verify` and the run again
  (`bench.fault_indexer`: stale, mixed and uncommitted answers besides the failed ones).

Per fault: requests sent, failed ones (5xx or no answer, /readyz excluded: a 503 there is its job),
degraded answers, the longest answer, and the time to full recovery (from the end of a hang, or from
the kill, to the first request after which every answer is a full, undegraded 2xx), and for the kills
when the backend itself answered again.

    python -m bench.faults                          # every fault, sample catalog
    python -m bench.faults --faults opensearch-hang --hang-s 25
    python -m bench.faults --faults triton-hang opensearch-kill
    python -m bench.faults --faults gateway-worker-kill gateway-kill indexer-kill
    python -m bench.faults --products my.jsonl --out bench/results/faults-my.json

It starts its own OpenSearch (scripts/opensearch.sh), Triton and gateway on free loopback ports and
stops them at the end. Results: tables, and JSON in `bench/results/faults.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path

import httpx

from bench.common import print_table, write_json
from bench.fault_gateway import GatewayServer, run_gateway_kill, run_worker_kill
from bench.fault_indexer import BENCH_STEPS, IndexerFaultReport, run_indexer_faults
from bench.fault_load import FaultReport, Load, report
from bench.fault_servers import (
    opensearch_node,
    opensearch_script,
    pidfile_pid,
    supervised_triton,
    triton_ready,
)
from engine.config import PROJECT_ROOT
from engine.ports import free_port

BACKEND_FAULTS = ("opensearch-hang", "opensearch-kill", "triton-hang", "triton-kill")
FAULTS = (*BACKEND_FAULTS, "gateway-worker-kill", "gateway-kill", "indexer-kill")


def wait_warm(url: str, timeout_s: float = 120.0) -> None:
    """Wait until the gateway's product cache holds the catalog (it is what a search answered without
    the lexical index shows), so a fault injected next measures degradation, not a cold cache."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        index = httpx.get(f"{url}/readyz", timeout=10).json()["checks"]["index"]
        if index.get("ok") and index.get("cached_products", 0) >= index.get("count", 1):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the product cache of {url} did not fill within {timeout_s:.0f}s")


def run_fault(
    fault: str,
    url: str,
    product_id: str,
    inject: Callable[[], None],
    restore: Callable[[], None] | None,
    fault_s: float,
    settle_s: float,
    backend_up: Callable[[], bool] | None = None,
    restart: bool = False,
    settle_after_back_s: float | None = None,
) -> FaultReport:
    """Load on, `inject()`, wait `fault_s`, `restore()` (None: the system must heal itself), keep the
    load on for `settle_s`; recovery is counted from `restore()`, or from `inject()` without one or
    when `restore()` is a `restart` of a killed backend (it returns once the backend answers).
    `backend_up` (polled after the fault) tells when the backend itself answers again; with
    `settle_after_back_s` the load stops that long after it does (at most `settle_s` after the fault),
    so a restart's unknown duration need not be covered by a long fixed `settle_s`."""
    wait_warm(url)
    back: float | None = None
    with Load(url, product_id) as load:
        load.wait_healthy()
        since = time.monotonic()
        inject()
        try:
            time.sleep(fault_s)
        finally:
            if restore is not None:
                restore()
        if restart:
            back = time.monotonic() - since
        recovered_from = time.monotonic() if restore is not None and not restart else since
        end = time.monotonic() + settle_s
        while time.monotonic() < end:
            if back is None and backend_up is not None and backend_up():
                back = time.monotonic() - recovered_from
                if settle_after_back_s is not None:
                    end = min(end, time.monotonic() + settle_after_back_s)
            time.sleep(0.1)
    result = report(fault, load.samples, since, recovered_from)
    result.backend_back_s = None if back is None else round(back, 2)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    from engine.sample import sample_catalog_path

    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", nargs="+", choices=FAULTS, default=list(FAULTS))
    parser.add_argument("--products", type=Path, default=sample_catalog_path())
    parser.add_argument("--hang-s", type=float, default=25.0, help="how long a hung backend stays stopped")
    parser.add_argument("--down-s", type=float, default=5.0, help="a killed OpenSearch is restarted after")
    parser.add_argument("--settle-s", type=float, default=20.0, help="load kept on after each fault")
    parser.add_argument("--workers", type=int, default=2, help="gateway workers for the gateway faults")
    parser.add_argument("--indexer-rows", type=int, default=60, help="products the indexer faults write")
    parser.add_argument("--indexer-lexical", choices=("embedded", "opensearch"), default="embedded")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results" / "faults.json")
    args = parser.parse_args(argv)
    if args.workers < 2:
        parser.error("--workers must be at least 2 (one is killed, another serves meanwhile)")

    root = Path(tempfile.mkdtemp(prefix="aisle-faults-"))
    results: list[FaultReport] = []
    indexer_results: list[IndexerFaultReport] = []
    serving = {*BACKEND_FAULTS, "gateway-worker-kill", "gateway-kill"} & set(args.faults)
    with contextlib.ExitStack() as stack:
        url, pidfile = "", Path()
        if serving or ("indexer-kill" in args.faults and args.indexer_lexical == "opensearch"):
            # Its own temporary folder, not one under `root`: that one is private (0700), and the node
            # may run as another user (scripts/opensearch.sh).
            node = opensearch_node(Path(tempfile.mkdtemp(prefix="aisle-faults-opensearch-")))
            url, pidfile = stack.enter_context(node)
        if serving:
            results = _serving_faults(args, root, url, pidfile)
        if "indexer-kill" in args.faults:
            env = {"AISLE_DATA_DIR": str(root / "indexer" / "data"), "AISLE_TRITON_URL": "inprocess"}
            if args.indexer_lexical == "opensearch":
                env.update(AISLE_OPENSEARCH_URL=url, AISLE_INDEX_ALIAS="faults-indexer")
            else:
                env["AISLE_OPENSEARCH_URL"] = "embedded"
            indexer_results = run_indexer_faults(env, args.products, args.indexer_rows, BENCH_STEPS)
    if results:
        headers = ["fault", "requests", "failed", "degraded", "longest s", "longest /readyz s", "recovery s"]
        headers += ["failed by", "backend back s", "events acked", "lost", "duplicated"]
        print_table(headers, [list(asdict(r).values()) for r in results])
    if indexer_results:
        headers = [f.name for f in fields(IndexerFaultReport)]
        print_table(headers, [list(asdict(r).values()) for r in indexer_results])
    write_json(
        args.out,
        {
            "products": str(args.products),
            "faults": [asdict(r) for r in results],
            "indexer": [asdict(r) for r in indexer_results],
        },
    )
    return 0


def _serving_faults(
    args: argparse.Namespace, root: Path, url: str, opensearch_pidfile: Path
) -> list[FaultReport]:
    """The backend and gateway faults, against a gateway on OpenSearch and a supervised Triton."""
    from bench.common import build_index
    from engine.config import load_settings
    from engine.inference.factory import create_inference

    env = {
        "AISLE_DATA_DIR": str(root / "data"),
        "AISLE_OPENSEARCH_URL": url,
        "AISLE_INDEX_ALIAS": "faults",
        "AISLE_TRITON_URL": "local",
        "AISLE_TRITON_HTTP_PORT": str(free_port()),
        "AISLE_TRITON_GRPC_PORT": str(free_port()),
        "AISLE_TRITON_METRICS_PORT": str(free_port()),
        "AISLE_TRITON_TIMEOUT_S": "120",  # embedding the catalog on a small machine
    }
    os.environ.update(env)
    results: list[FaultReport] = []
    with supervised_triton(env) as triton_pidfile:
        settings = load_settings()
        inference = create_inference(settings)  # the supervised server, from its pidfile
        build_index(settings, args.products, inference)
        inference.close()
        product_id = _first_id(args.products)
        if set(BACKEND_FAULTS) & set(args.faults):
            results += _backend_faults(args, env, product_id, opensearch_pidfile, triton_pidfile)
        if {"gateway-worker-kill", "gateway-kill"} & set(args.faults):
            with GatewayServer(env, free_port(), args.workers) as server:
                if "gateway-worker-kill" in args.faults:
                    results.append(run_worker_kill(server, product_id, args.settle_s + 40.0))
                if "gateway-kill" in args.faults:
                    results.append(run_gateway_kill(server, product_id, args.settle_s))
    return results


def _backend_faults(
    args: argparse.Namespace,
    env: dict[str, str],
    product_id: str,
    opensearch_pidfile: Path,
    triton_pidfile: Path,
) -> list[FaultReport]:
    """OpenSearch and Triton hung, then killed, under load, against a gateway child process."""
    from bench.common import gateway_child

    results: list[FaultReport] = []
    with gateway_child(env) as gateway:
        for fault, pidfile in (("opensearch-hang", opensearch_pidfile), ("triton-hang", triton_pidfile)):
            if fault in args.faults:
                pid = pidfile_pid(pidfile)
                stop, resume = (functools.partial(os.kill, pid, s) for s in (signal.SIGSTOP, signal.SIGCONT))
                results.append(
                    run_fault(fault, gateway.url, product_id, stop, resume, args.hang_s, args.settle_s)
                )
        if "opensearch-kill" in args.faults:
            port = int(env["AISLE_OPENSEARCH_URL"].rsplit(":", 1)[1])
            kill = functools.partial(os.kill, pidfile_pid(opensearch_pidfile), signal.SIGKILL)
            start = functools.partial(opensearch_script, "start", port, opensearch_pidfile.parent)
            results.append(
                run_fault(
                    "opensearch-kill",
                    gateway.url,
                    product_id,
                    kill,
                    start,
                    args.down_s,
                    args.settle_s,
                    restart=True,
                )
            )
        if "triton-kill" in args.faults:
            pid = pidfile_pid(triton_pidfile)
            kill = functools.partial(os.kill, pid, signal.SIGKILL)
            ready = triton_ready(int(env["AISLE_TRITON_HTTP_PORT"]))
            # a cold restart loads every model again
            results.append(
                run_fault(
                    "triton-kill", gateway.url, product_id, kill, None, 0.0, args.settle_s + 70.0, ready
                )
            )
    return results


def _first_id(products: Path) -> str:
    with products.open(encoding="utf-8") as handle:
        return str(json.loads(handle.readline())["id"])


if __name__ == "__main__":
    raise SystemExit(main())
