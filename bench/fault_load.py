"""Load for the fault benchmarks: client threads cycling through shopper requests, and the per-fault
figures (`FaultReport`) computed from what they saw.

`Load` sends a fixed mix (search, similar items, recommendations, `/readyz`) and records every answer;
`report` turns the answers of one fault's window into failed requests, degraded answers, the longest
answer and the time to full recovery. Used by `bench.faults` and the gateway and indexer faults
(`bench.fault_gateway`, `bench.fault_indexer`).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

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
        return 200 <= self.status < 300 and not self.degraded


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
    events_acknowledged: int | None = None  # events answered 2xx during the fault's window (if posted)
    events_lost: int | None = None  # acknowledged but not in the event log afterwards
    events_duplicated: int | None = None  # in the event log more than once


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
