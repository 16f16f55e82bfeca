"""Tables and plots of a `bench.load` report: the closed-loop levels, the stage means, the open-loop
rates (whose plot is `bench.openloop.plot_open`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import print_table


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lat, thr) = plt.subplots(1, 2, figsize=(10, 4))
    for target, style in (("search", "-o"), ("encoder", "--s")):
        rows = [r for r in report["levels"] if r["target"] == target]
        xs = [r["concurrency"] for r in rows]
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            lat.plot(xs, [r[key] for r in rows], style, label=f"{target} {key[:-3]}")
        thr.plot(xs, [r["rps"] for r in rows], style, label=target)
    lat.set(xlabel="concurrency", ylabel="latency (ms)", xscale="log", title="latency")
    thr.set(xlabel="concurrency", ylabel="requests/s", xscale="log", title="throughput")
    lat.legend(fontsize=7)
    thr.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def print_report(report: dict[str, Any]) -> None:
    cpu = ("gateway_cpu_ms", "triton_cpu_ms", "client_cpu_ms")
    cpu_heads = ("gateway CPU ms/req", "triton CPU ms/req", "client CPU ms/req")
    if report["levels"]:
        keys: tuple[str, ...] = (
            "target",
            "concurrency",
            "requests",
            "errors",
            "rps",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            *cpu,
        )
        heads: tuple[str, ...] = (
            "target",
            "conc",
            "requests",
            "errors",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            *cpu_heads,
        )
        print_table(heads, [[r.get(k, "-") for k in keys] for r in report["levels"]])
    if report["stages_ms_at_8"]:
        means = ", ".join(f"{k} {v}" for k, v in report["stages_ms_at_8"].items())
        print(f"stage means at concurrency 8 (ms): {means}")
    for key, value in report.items():
        if key.startswith("search_vs_encoder_rps_at_"):
            print(f"search / encoder throughput at {key.rsplit('_', 1)[1]}: {value:.2f}")
    if "open_loop" in report:
        loop = report["open_loop"]
        keys = ("offered_rps", "requests", "errors", "achieved_rps", "p50_ms", "p95_ms", "p99_ms", *cpu)
        heads = ("offered/s", "requests", "errors", "achieved/s", "p50 ms", "p95 ms", "p99 ms", *cpu_heads)
        print_table(heads, [[r.get(k, "-") for k in keys] for r in loop["rates"]])
        print(f"highest offered rate with p99 <= {loop['slo_p99_ms']:g} ms: {loop['max_rps_within_slo']}")
    print(f"load average: {report['load_average']}")
