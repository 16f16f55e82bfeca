"""Open-loop load: searches arrive at a fixed rate whatever the server's state, as shoppers do.

A closed loop of N clients sends the next request only when the previous one is answered, so a slow
server slows its own load down and the latencies it reports leave out the time requests would have
waited (coordinated omission). Here the arrival times are drawn in advance (Poisson: exponential gaps
with mean 1/rate, from a seeded generator, so two runs offer the same schedule) and each request's
latency is measured from its *scheduled* arrival time: a request that the client could only send late,
because connections or the event loop were busy, is charged for the wait.

`arrival_schedule`, `summarise` and `max_rate_within` are pure and unit-tested; `drive_open` runs one
rate against a gateway over HTTP on an asyncio event loop (one task per arrival, no cap on requests in
flight beyond the connection pool, whose queueing counts as latency).
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

DEFAULT_FRACTIONS = (0.25, 0.5, 0.75, 1.0, 1.25)
SLO_P99_MS = 100.0


def arrival_schedule(rate: float, count: int, seed: int = 0) -> list[float]:
    """`count` arrival times in seconds from the start of a Poisson process of `rate` per second.

    The first arrival is at 0 (the run starts with a request); each next one follows after an
    exponentially distributed gap of mean 1/rate. Same `seed`, same schedule."""
    if rate <= 0:
        raise ValueError(f"arrival rate must be positive, got {rate}")
    if count < 0:
        raise ValueError(f"request count must not be negative, got {count}")
    rng = random.Random(seed)
    times, now = [], 0.0
    for i in range(count):
        if i:
            now += rng.expovariate(rate)
        times.append(now)
    return times


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`th percentile as the value at position round(q% of (n - 1)) of the sorted values (no
    interpolation: every figure is a latency some request had); 0.0 for no values. The closed-loop
    table has always used this definition, so the two tables compare."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be in [0, 100], got {q}")
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q / 100.0 * (len(ordered) - 1)))]


def summarise(offered: float, latencies_ms: Sequence[float], errors: int, span_s: float) -> dict[str, Any]:
    """One rate's row: offered and achieved rate (answers per second from the first scheduled arrival to
    the last answer), latency percentiles of the answered requests, and the error count."""
    answered = len(latencies_ms)
    return {
        "offered_rps": round(offered, 2),
        "requests": answered + errors,
        "errors": errors,
        "achieved_rps": round(answered / span_s, 2) if span_s > 0 else 0.0,
        "p50_ms": round(percentile(latencies_ms, 50), 2),
        "p95_ms": round(percentile(latencies_ms, 95), 2),
        "p99_ms": round(percentile(latencies_ms, 99), 2),
        "max_ms": round(max(latencies_ms, default=0.0), 2),
    }


def meets_slo(row: dict[str, Any], p99_ms: float = SLO_P99_MS) -> bool:
    """A rate meets the objective when every request was answered and p99 is within `p99_ms`."""
    return row["errors"] == 0 and row["requests"] > 0 and row["p99_ms"] <= p99_ms


def max_rate_within(rows: Sequence[dict[str, Any]], p99_ms: float = SLO_P99_MS) -> float | None:
    """The highest offered rate up to which p99 *stays* within `p99_ms`: walking the rates upwards, the
    last one before the first miss (a lucky pass above a miss does not count). None when the lowest
    rate already misses."""
    best = None
    for row in sorted(rows, key=lambda r: r["offered_rps"]):
        if not meets_slo(row, p99_ms):
            break
        best = row["offered_rps"]
    return best


async def _run_schedule(
    url: str,
    body_for: Any,
    schedule: Sequence[float],
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
    async with httpx.AsyncClient(
        base_url=url, timeout=timeout_s, limits=limits, transport=transport
    ) as client:
        start = time.perf_counter() + 0.05

        async def one(i: int, due: float) -> None:
            nonlocal errors
            try:
                response = await client.post("/v1/search", json=body_for(i))
                response.raise_for_status()
            except (httpx.HTTPError, OSError):
                errors += 1
                return
            latencies.append((time.perf_counter() - due) * 1000.0)

        tasks = []
        for i, offset in enumerate(schedule):
            due = start + offset
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        span = time.perf_counter() - start
    return latencies, errors, span


def drive_open(
    url: str,
    queries: Sequence[str],
    rate: float,
    count: int,
    *,
    pipeline: str = "full",
    seed: int = 0,
    timeout_s: float = 60.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """`count` searches (query i of the mix for arrival i) at Poisson arrivals of `rate` per second
    (`transport`: another way to the gateway than the network, for tests)."""
    schedule = arrival_schedule(rate, count, seed)

    def body_for(i: int) -> dict[str, Any]:
        return {"query": queries[i % len(queries)], "size": 10, "pipeline": pipeline}

    latencies, errors, span = asyncio.run(_run_schedule(url, body_for, schedule, timeout_s, transport))
    return summarise(rate, latencies, errors, span)


def plot_open(rows: Sequence[dict[str, Any]], path: Path, title: str, p99_ms: float = SLO_P99_MS) -> None:
    """p50 and p99 (log scale) and achieved rate against offered rate, with the p99 objective drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(rows, key=lambda r: r["offered_rps"])
    xs = [r["offered_rps"] for r in ordered]
    fig, (lat, thr) = plt.subplots(1, 2, figsize=(10, 4))
    lat.plot(xs, [r["p50_ms"] for r in ordered], "-o", label="p50")
    lat.plot(xs, [r["p99_ms"] for r in ordered], "-s", label="p99")
    lat.axhline(p99_ms, color="grey", linestyle=":", label=f"p99 objective {p99_ms:g} ms")
    lat.set(xlabel="offered searches/s", ylabel="latency from scheduled arrival (ms)", yscale="log")
    lat.set_title(title, fontsize=9)
    thr.plot(xs, [r["achieved_rps"] for r in ordered], "-o", label="achieved")
    thr.plot(xs, xs, ":", color="grey", label="offered")
    thr.set(xlabel="offered searches/s", ylabel="answered searches/s", title="throughput")
    lat.legend(fontsize=7)
    thr.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


class CpuMeter(Protocol):
    """What `run_rates` needs from `bench.load.CpuMeter`: start a reading, CPU ms per request since."""

    def start(self) -> None: ...

    def per_request(self, requests: int) -> dict[str, float]: ...


@dataclass(frozen=True)
class OpenLoopPlan:
    """The offered rates (searches/s), seconds per rate, the schedule's seed, the pipeline searched, and
    the closed-loop capacity the rates were derived from (None when given directly)."""

    rates: Sequence[float]
    duration_s: float
    seed: int = 0
    pipeline: str = "full"
    capacity_rps: float | None = None


def run_rates(
    plan: OpenLoopPlan, url: str, queries: Sequence[str], offset: int = 0, meter: CpuMeter | None = None
) -> dict[str, Any]:
    """Each rate in turn for `duration_s` seconds, each on the next slice of the query mix (from
    `offset`, so no query repeats while the mix lasts); with a meter, CPU ms per request per rate."""
    if not plan.rates or any(rate <= 0 for rate in plan.rates):
        raise ValueError(f"open loop: rates must be positive, got {list(plan.rates)}")
    rows = []
    for rate in plan.rates:
        count = max(1, round(rate * plan.duration_s))
        mix = [*queries[offset:], *queries[:offset]]
        offset = (offset + count) % len(queries)
        if meter is not None:
            meter.start()
        row = drive_open(url, mix, rate, count, pipeline=plan.pipeline, seed=plan.seed)
        if meter is not None:
            row.update(meter.per_request(row["requests"]))
        if plan.capacity_rps:
            row["fraction_of_capacity"] = round(rate / plan.capacity_rps, 3)
        rows.append(row)
        print(f"open loop {rate}/s: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms", file=sys.stderr)
    return {
        "closed_loop_capacity_rps": plan.capacity_rps,
        "duration_s": plan.duration_s,
        "seed": plan.seed,
        "rates": rows,
        "slo_p99_ms": SLO_P99_MS,
        "max_rps_within_slo": max_rate_within(rows),
    }
