"""Prometheus metrics of the gateway, in a registry per app (so tests can build many apps).

- `aisle_request_seconds{route,method,status}`: latency per route template (not per raw path, which
  would explode cardinality with product ids).
- `aisle_stage_seconds{stage}`: latency per pipeline stage (embed, lexical, dense, fusion, ranker, ...).
- `aisle_backend_errors_total{backend}`: failures of Triton, OpenSearch, the event log.
- `aisle_degraded_responses_total{part}`: responses served without a part (e.g. lexical).
- `aisle_ranker_version`: the ranker version that served the latest ranked response.
- `aisle_events_total{type}`: events accepted by POST /v1/events.
- `aisle_breaker_state{backend}`: 0 closed, 1 half-open (one trial call), 2 open (calls refused).
- `aisle_breaker_failures_total{backend}`, `aisle_breaker_refused_total{backend}`,
  `aisle_breaker_opened_total{backend}`: failed calls, calls refused while open, times it opened.

With several uvicorn workers each process exposes its own numbers; scrape them per worker or run one
worker per container (the usual Kubernetes layout).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from engine.resilience import STATE_VALUES, CircuitBreaker

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)
_STAGE_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


class BreakerCollector(Collector):
    """Reads the breakers' state and totals at scrape time (they count; the metrics only report)."""

    def __init__(self, breakers: Sequence[CircuitBreaker]) -> None:
        self.breakers = list(breakers)

    def collect(self) -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "aisle_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open.", labels=["backend"]
        )
        totals = {
            name: CounterMetricFamily(f"aisle_breaker_{name}", help_text, labels=["backend"])
            for name, help_text in (
                ("failures", "Calls to a backend that failed."),
                ("refused", "Calls refused while the breaker was open."),
                ("opened", "Times the breaker opened."),
            )
        }
        for breaker in self.breakers:
            state.add_metric([breaker.backend], STATE_VALUES[breaker.state])
            for name, family in totals.items():
                family.add_metric([breaker.backend], getattr(breaker.stats, name))
        yield state
        yield from totals.values()


class GatewayMetrics:
    def __init__(self, breakers: Sequence[CircuitBreaker] = ()) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(BreakerCollector(breakers))
        self.requests = Histogram(
            "aisle_request_seconds",
            "Request latency by route.",
            ("route", "method", "status"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stages = Histogram(
            "aisle_stage_seconds",
            "Search pipeline stage latency.",
            ("stage",),
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self.backend_errors = Counter(
            "aisle_backend_errors_total",
            "Failures of a backend server.",
            ("backend",),
            registry=self.registry,
        )
        self.degraded = Counter(
            "aisle_degraded_responses_total",
            "Responses served without a part.",
            ("part",),
            registry=self.registry,
        )
        self.overloaded = Counter(
            "aisle_searches_refused_total",
            "Searches refused after waiting AISLE_SEARCH_QUEUE_S for a slot (503 overloaded).",
            registry=self.registry,
        )
        self.ranker_version = Gauge(
            "aisle_ranker_version",
            "Ranker version of the latest ranked response.",
            registry=self.registry,
        )
        self.events = Counter(
            "aisle_events_total",
            "Events accepted.",
            ("type",),
            registry=self.registry,
        )

    def observe_stage(self, stage: str, seconds: float) -> None:
        self.stages.labels(stage=stage).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
