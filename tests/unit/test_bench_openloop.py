"""Open-loop load (bench.openloop): the arrival schedule, the percentiles, the highest rate within the
objective, and latency counted from the scheduled arrival (no servers: an in-process transport)."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time

import httpx
import pytest

from bench.load import parse_args
from bench.openloop import (
    OpenLoopPlan,
    arrival_schedule,
    drive_open,
    max_rate_within,
    meets_slo,
    percentile,
    run_rates,
    summarise,
)


def test_schedule_is_poisson_at_the_rate() -> None:
    times = arrival_schedule(50.0, 20_000, seed=3)
    assert len(times) == 20_000 and times[0] == 0.0
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g >= 0 for g in gaps)
    assert statistics.fmean(gaps) == pytest.approx(1 / 50.0, rel=0.03)
    # exponential gaps: standard deviation equals the mean (a fixed-interval schedule would have 0)
    assert statistics.pstdev(gaps) == pytest.approx(1 / 50.0, rel=0.05)
    # memoryless: about e^-1 of the gaps exceed the mean
    assert sum(g > 1 / 50.0 for g in gaps) / len(gaps) == pytest.approx(0.3679, abs=0.02)


def test_schedule_is_reproducible_from_its_seed() -> None:
    assert arrival_schedule(10.0, 100, seed=7) == arrival_schedule(10.0, 100, seed=7)
    assert arrival_schedule(10.0, 100, seed=7) != arrival_schedule(10.0, 100, seed=8)
    # the same seed at twice the rate is the same draw compressed in time
    slow, fast = arrival_schedule(10.0, 50, seed=1), arrival_schedule(20.0, 50, seed=1)
    assert fast == pytest.approx([t / 2 for t in slow])


def test_schedule_refuses_a_rate_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="rate"):
        arrival_schedule(0.0, 10)
    with pytest.raises(ValueError, match="count"):
        arrival_schedule(1.0, -1)
    assert arrival_schedule(1.0, 0) == []


def test_percentile_picks_a_measured_value() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 51.0  # position round(0.5 * 99) = 50 (banker's rounding)
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(list(reversed(values)), 0) == 1.0
    assert percentile([], 99) == 0.0
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_summarise_reports_achieved_rate_and_errors() -> None:
    row = summarise(40.0, [10.0] * 98 + [500.0, 900.0], errors=2, span_s=4.0)
    assert row["requests"] == 102 and row["errors"] == 2
    assert row["achieved_rps"] == 25.0  # 100 answers in 4 s, whatever was offered
    assert row["p50_ms"] == 10.0 and row["p99_ms"] == 500.0 and row["max_ms"] == 900.0


def _row(rate: float, p99: float, errors: int = 0) -> dict[str, float]:
    return {"offered_rps": rate, "p99_ms": p99, "errors": errors, "requests": 100}


def test_max_rate_is_the_last_rate_before_the_first_miss() -> None:
    rows = [_row(100, 140), _row(25, 20), _row(75, 60), _row(50, 35)]
    assert max_rate_within(rows) == 75
    # a pass above a miss (noise) does not count: p99 must *stay* within the objective
    assert max_rate_within([_row(25, 20), _row(50, 101), _row(75, 90)]) == 25
    assert max_rate_within([_row(25, 120), _row(50, 40)]) is None
    assert max_rate_within([_row(25, 20), _row(50, 40)], p99_ms=30) == 25
    assert max_rate_within([]) is None


def test_a_rate_with_errors_misses_the_objective() -> None:
    assert not meets_slo(_row(25, 10, errors=1))
    assert max_rate_within([_row(25, 10), _row(50, 10, errors=3)]) == 25


def _serial_server(service_s: float) -> tuple[httpx.MockTransport, list[str]]:
    """One request at a time, `service_s` each: a server with a capacity of 1/service_s per second."""
    lock = asyncio.Lock()
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        async with lock:
            await asyncio.sleep(service_s)
        seen.append(request.read().decode())
        return httpx.Response(200, json={"hits": []})

    return httpx.MockTransport(handler), seen


def test_latency_counts_queueing_from_the_scheduled_arrival() -> None:
    # 20 ms per request serves 50/s; offered 200/s for 60 requests, the queue grows the whole run,
    # so the last answers come about 60 * 20 ms - 60 / 200 s = 0.9 s after their arrival time.
    transport, seen = _serial_server(0.02)
    row = drive_open("http://gateway", ["a", "b", "c"], 200.0, 60, transport=transport)
    assert row["requests"] == 60 and row["errors"] == 0 and len(seen) == 60
    assert row["p99_ms"] > 600.0
    assert row["achieved_rps"] < 60.0


def test_a_client_that_falls_behind_is_charged_for_it() -> None:
    # The handler blocks the client's own event loop for 20 ms (as a busy load generator would), so
    # requests go out late. Measured from when each was sent, every one takes 20 ms; measured from
    # when it was due, the backlog shows: 200/s offered, 50/s sent.
    def blocking(request: httpx.Request) -> httpx.Response:
        time.sleep(0.02)
        return httpx.Response(200, json={})

    row = drive_open("http://gateway", ["a"], 200.0, 60, transport=httpx.MockTransport(blocking))
    assert row["errors"] == 0
    assert row["p50_ms"] > 200.0 and row["p99_ms"] > 600.0


def test_below_capacity_latency_stays_near_the_service_time() -> None:
    transport, _ = _serial_server(0.005)
    row = drive_open("http://gateway", ["a"], 20.0, 40, seed=2, transport=transport)
    assert row["errors"] == 0
    assert 5.0 <= row["p50_ms"] < 50.0


def test_failed_requests_are_counted_as_errors() -> None:
    calls = iter(range(1000))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503 if next(calls) % 2 else 200, json={})

    row = drive_open("http://gateway", ["a"], 500.0, 20, transport=httpx.MockTransport(handler))
    assert row["requests"] == 20 and row["errors"] == 10


def test_each_rate_takes_the_next_slice_of_the_query_mix(monkeypatch: pytest.MonkeyPatch) -> None:
    firsts: list[str] = []

    def fake_drive(url: str, queries: list[str], rate: float, count: int, **_: object) -> dict[str, object]:
        firsts.append(queries[0])
        return summarise(rate, [1.0] * count, 0, 1.0)

    monkeypatch.setattr("bench.openloop.drive_open", fake_drive)
    plan = OpenLoopPlan(rates=[2.0, 4.0], duration_s=5.0, capacity_rps=4.0)
    report = run_rates(plan, "http://x", [f"q{i}" for i in range(100)], offset=3)
    assert firsts == ["q3", "q13"]  # 2/s for 5 s is 10 queries
    assert [r["fraction_of_capacity"] for r in report["rates"]] == [0.5, 1.0]
    assert report["max_rps_within_slo"] == 4.0
    with pytest.raises(ValueError, match="positive"):
        run_rates(OpenLoopPlan(rates=[0.0], duration_s=1.0), "http://x", ["q"])


def test_cli_refuses_bad_rates_with_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (["--rates", "10,x"], ["--rates", "-5"], ["--concurrency", "", "--products", "p"]):
        with pytest.raises(SystemExit) as exit_info:
            parse_args(["--queries", "q.tsv", "--products", "p.jsonl", *bad])
        assert exit_info.value.code == 2
    assert "--rates" in capsys.readouterr().err
    args, _ = parse_args(["--queries", "q.tsv", "--products", "p.jsonl", "--rates", "20,40"])
    assert args.open_loop and args.rates == [20.0, 40.0]


def test_cpu_meter_never_goes_negative_when_a_process_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import load

    cpu = {1: 10.0, 2: 5.0}
    pids = [1, 2]
    monkeypatch.setattr(load, "cpu_seconds", lambda ps: sum(cpu.get(p, 0.0) for p in ps))
    meter = load.CpuMeter({"gateway": lambda: list(pids)})
    meter.start()
    cpu[1] += 0.2  # the parent works 200 ms; worker 2 exits and worker 3 replaces it
    del cpu[2]
    cpu[3] = 0.3
    pids[:] = [1, 3]
    assert meter.per_request(100) == {"gateway_cpu_ms": 5.0, "gateway_exited": 1}
