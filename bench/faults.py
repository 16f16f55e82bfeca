"""Fault benchmark: what shoppers see while a backend hangs or crashes under load.

A gateway child process serves the sample catalog (or `--products`) while a few client threads send a
fixed mix of requests (searches, similar items, recommendations, readiness). Then one fault at a time:

- `opensearch-hang`: the OpenSearch node is stopped with SIGSTOP for `--hang-s` seconds (a hung JVM: the
  socket accepts, nothing answers), then SIGCONT;
- `triton-kill`: `kill -9` of tritonserver, run by `engine triton start --supervise`.

Per fault: requests sent, failed ones (5xx or no answer, /readyz excluded: a 503 there is its job),
degraded answers, the longest answer, and the time to full recovery (from the end of a hang, or from
the kill, to the first request after which every answer is a full, undegraded 200).

    python -m bench.faults                          # both faults, sample catalog
    python -m bench.faults --faults opensearch-hang --hang-s 25
    python -m bench.faults --products my.jsonl --out bench/results/faults-my.json

It starts its own OpenSearch (scripts/opensearch.sh), Triton and gateway on free loopback ports and
stops them at the end. Results: a table, and JSON in `bench/results/faults.json`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench.common import print_table, write_json
from bench.fault_servers import opensearch_node, pidfile_pid, supervised_triton, triton_ready
from engine.config import PROJECT_ROOT
from engine.ports import free_port

FAULTS = ("opensearch-hang", "triton-kill")
REQUEST_TIMEOUT_S = 30.0


@dataclass
class Sample:
    start: float  # monotonic seconds
    kind: str
    status: int  # 0: no answer (timeout, connection refused)
    seconds: float
    degraded: bool

    @property
    def failed(self) -> bool:
        return self.kind != "readyz" and (self.status == 0 or self.status >= 500)

    @property
    def healthy(self) -> bool:
        return self.status == 200 and not self.degraded


@dataclass
class FaultReport:
    fault: str
    requests: int
    failed: int
    degraded: int
    longest_s: float
    longest_readyz_s: float
    recovery_s: float | None  # None: not recovered before the load stopped
    failed_by: dict[str, int]  # "<kind> <status>" -> count
    backend_back_s: float | None = None  # when the faulty backend itself answered again (if watched)


def request_mix(url: str, product_id: str) -> dict[str, Callable[[httpx.Client], tuple[int, bool]]]:
    """One request of each kind; each returns (status, degraded)."""

    def search(client: httpx.Client) -> tuple[int, bool]:
        response = client.post(f"{url}/v1/search", json={"query": "kitchen knife", "size": 10})
        return response.status_code, bool(response.status_code == 200 and response.json()["degraded"])

    def similar(client: httpx.Client) -> tuple[int, bool]:
        return client.get(f"{url}/v1/products/{product_id}/similar").status_code, False

    def recommendations(client: httpx.Client) -> tuple[int, bool]:
        return client.get(f"{url}/v1/recommendations", params={"user_id": "fault-bench"}).status_code, False

    def readyz(client: httpx.Client) -> tuple[int, bool]:
        return client.get(f"{url}/readyz").status_code, False

    return {"search": search, "similar": similar, "recommendations": recommendations, "readyz": readyz}


class Load:
    """`threads` clients cycling through the request mix until stopped, recording every answer."""

    def __init__(self, url: str, product_id: str, threads: int = 3) -> None:
        self.mix = request_mix(url, product_id)
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, offset: int) -> None:
        kinds = list(self.mix)
        with httpx.Client(timeout=REQUEST_TIMEOUT_S, headers={"X-Aisle-Log": "off"}) as client:
            i = offset
            while not self._stop.is_set():
                kind = kinds[i % len(kinds)]
                i += 1
                start = time.monotonic()
                try:
                    status, degraded = self.mix[kind](client)
                except httpx.HTTPError:
                    status, degraded = 0, False
                sample = Sample(start, kind, status, time.monotonic() - start, degraded)
                with self._lock:
                    self.samples.append(sample)
                time.sleep(0.02)

    def wait_healthy(self, timeout_s: float = 60.0) -> None:
        """Until every kind of request has been answered in full at least once (a fault injected
        before that would find nothing cached: no popular items yet, for one)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                done = {s.kind for s in self.samples if s.healthy}
            if done == set(self.mix):
                return
            time.sleep(0.2)
        raise RuntimeError(f"not every request kind succeeded within {timeout_s:.0f}s before the fault")

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT_S + 5)


def report(fault: str, samples: Sequence[Sample], since: float, recovered_from: float) -> FaultReport:
    """Figures for the samples that started at or after `since`; recovery counted from
    `recovered_from` to the start of the first request after which every one was healthy."""
    window = sorted((s for s in samples if s.start >= since), key=lambda s: s.start)
    recovery: float | None = None
    for index, sample in enumerate(window):
        if sample.start >= recovered_from and all(s.healthy for s in window[index:]):
            recovery = max(0.0, sample.start - recovered_from)
            break
    shopper = [s for s in window if s.kind != "readyz"]
    probes = [s for s in window if s.kind == "readyz"]
    return FaultReport(
        fault=fault,
        requests=len(window),
        failed=sum(s.failed for s in window),
        degraded=sum(s.degraded for s in window),
        longest_s=round(max((s.seconds for s in shopper), default=0.0), 3),
        longest_readyz_s=round(max((s.seconds for s in probes), default=0.0), 3),
        recovery_s=None if recovery is None else round(recovery, 2),
        failed_by=dict(Counter(f"{s.kind} {s.status}" for s in window if s.failed)),
    )


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
) -> FaultReport:
    """Load on, `inject()`, wait `fault_s`, `restore()` (None: the system must heal itself), keep the
    load on for `settle_s`; recovery is counted from `restore()`, or from `inject()` without one.
    `backend_up` (polled after the fault) tells when the backend itself answers again."""
    wait_warm(url)
    with Load(url, product_id) as load:
        load.wait_healthy()
        since = time.monotonic()
        inject()
        try:
            time.sleep(fault_s)
        finally:
            if restore is not None:
                restore()
        recovered_from = time.monotonic() if restore is not None else since
        back: float | None = None
        end = time.monotonic() + settle_s
        while time.monotonic() < end:
            if back is None and backend_up is not None and backend_up():
                back = time.monotonic() - recovered_from
            time.sleep(0.1)
    result = report(fault, load.samples, since, recovered_from)
    result.backend_back_s = None if back is None else round(back, 2)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    from bench.common import build_index, gateway_child
    from engine.config import load_settings
    from engine.inference.factory import create_inference
    from engine.sample import sample_catalog_path

    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", nargs="+", choices=FAULTS, default=list(FAULTS))
    parser.add_argument("--products", type=Path, default=sample_catalog_path())
    parser.add_argument("--hang-s", type=float, default=25.0, help="how long OpenSearch stays stopped")
    parser.add_argument("--settle-s", type=float, default=20.0, help="load kept on after each fault")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results" / "faults.json")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="aisle-faults-"))
    results: list[FaultReport] = []
    # Its own temporary folder, not one under `root`: that one is private (0700), and the node may run
    # as another user (scripts/opensearch.sh).
    with opensearch_node(Path(tempfile.mkdtemp(prefix="aisle-faults-opensearch-"))) as (
        opensearch_url,
        opensearch_pidfile,
    ):
        env = {
            "AISLE_DATA_DIR": str(root / "data"),
            "AISLE_OPENSEARCH_URL": opensearch_url,
            "AISLE_INDEX_ALIAS": "faults",
            "AISLE_TRITON_URL": "local",
            "AISLE_TRITON_HTTP_PORT": str(free_port()),
            "AISLE_TRITON_GRPC_PORT": str(free_port()),
            "AISLE_TRITON_METRICS_PORT": str(free_port()),
            "AISLE_TRITON_TIMEOUT_S": "120",  # embedding the catalog on a small machine
        }
        os.environ.update(env)
        with supervised_triton(env) as triton_pidfile:
            settings = load_settings()
            inference = create_inference(settings)  # the supervised server, from its pidfile
            build_index(settings, args.products, inference)
            inference.close()
            product_id = _first_id(args.products)
            with gateway_child(env) as gateway:
                for fault in args.faults:
                    if fault == "opensearch-hang":
                        pid = pidfile_pid(opensearch_pidfile)
                        results.append(
                            run_fault(
                                fault,
                                gateway.url,
                                product_id,
                                functools.partial(os.kill, pid, signal.SIGSTOP),
                                functools.partial(os.kill, pid, signal.SIGCONT),
                                args.hang_s,
                                args.settle_s,
                            )
                        )
                    else:
                        pid = pidfile_pid(triton_pidfile)
                        results.append(
                            run_fault(
                                fault,
                                gateway.url,
                                product_id,
                                functools.partial(os.kill, pid, signal.SIGKILL),
                                None,
                                0.0,
                                args.settle_s + 70.0,  # a cold restart loads every model again
                                triton_ready(int(env["AISLE_TRITON_HTTP_PORT"])),
                            )
                        )
    headers = ["fault", "requests", "failed", "degraded", "longest s", "longest /readyz s", "recovery s"]
    headers += ["failed by", "backend back s"]
    print_table(headers, [list(asdict(r).values()) for r in results])
    write_json(args.out, {"products": str(args.products), "faults": [asdict(r) for r in results]})
    return 0


def _first_id(products: Path) -> str:
    with products.open(encoding="utf-8") as handle:
        return str(json.loads(handle.readline())["id"])


if __name__ == "__main__":
    raise SystemExit(main())
