"""Numbers of the indexing-throughput benchmark: timed runs, how they are averaged, the machine.

Kept free of servers and models so the arithmetic that decides the headline ratio is tested alone.

Conventions:
- a rate is products per second of wall time over one pass of the same texts;
- the raw encoder is measured before and after every pipeline run (raw, pipeline, raw, ...) so load
  from other processes hits both sides; several runs of one side are averaged by total products over
  total seconds (the mean time per pass), not by the mean of the rates, which would overweight a pass
  that happened to run in a quiet moment;
- the raw encoder runs at its best batch size, picked by a sweep; the ratio is pipeline / raw.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """One timed pass: `items` products in `seconds` of wall time. `parts` are busy seconds of the
    pipeline's components (embedding, vector store, lexical); they may overlap, so they need not sum
    to `seconds`."""

    label: str
    items: int
    seconds: float
    batch_size: int | None = None
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}


def combined_rate(runs: Sequence[Timing]) -> float:
    """Products per second over all `runs` together (total products / total seconds)."""
    seconds = sum(r.seconds for r in runs)
    return sum(r.items for r in runs) / seconds if seconds > 0 else 0.0


def best_batch_size(sweep: Sequence[Timing]) -> int:
    """The batch size of the fastest sweep run (the smaller one on a tie)."""
    sized = [r for r in sweep if r.batch_size is not None]
    if not sized:
        raise ValueError("the batch-size sweep produced no timed run")
    best = max(sized, key=lambda r: (r.rate, -(r.batch_size or 0)))
    return int(best.batch_size or 0)


def ratio(pipeline_rate: float, raw_rate: float) -> float:
    return pipeline_rate / raw_rate if raw_rate > 0 else 0.0


def interleave(raw: T, pipeline: T, repeats: int) -> list[T]:
    """raw, pipeline, raw, pipeline, ..., raw: `repeats` pipeline runs, each with a raw run on both sides."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    order = [raw]
    for _ in range(repeats):
        order += [pipeline, raw]
    return order


def evenly_spaced(items: Sequence[T], k: int) -> list[T]:
    """`k` items spread over the whole sequence (all of them when `k >= len(items)`): a sweep sample
    with the same length mix as the catalog, unlike its first `k` lines."""
    n = len(items)
    if k >= n:
        return list(items)
    if k <= 0:
        return []
    return [items[(i * n) // k] for i in range(k)]


@dataclass(frozen=True)
class Summary:
    raw_rate: float
    pipeline_rate: float
    ratio: float
    best_batch_size: int

    @classmethod
    def of(cls, sweep: Sequence[Timing], raw: Sequence[Timing], pipeline: Sequence[Timing]) -> Summary:
        raw_rate, pipeline_rate = combined_rate(raw), combined_rate(pipeline)
        return cls(raw_rate, pipeline_rate, ratio(pipeline_rate, raw_rate), best_batch_size(sweep))


def table_rows(sweep: Sequence[Timing], runs: Sequence[Timing], summary: Summary) -> list[list[object]]:
    """Rows of the printed table: the sweep, the interleaved runs in order, then the summary."""
    rows: list[list[object]] = []
    for r in [*sweep, *runs]:
        parts = ", ".join(f"{name} {value:.1f}s" for name, value in r.parts.items())
        rows.append([r.label, r.batch_size or "-", r.items, round(r.seconds, 2), round(r.rate, 1), parts])
    rows.append(["raw (mean)", summary.best_batch_size, "", "", round(summary.raw_rate, 1), ""])
    rows.append(["pipeline (mean)", "", "", "", round(summary.pipeline_rate, 1), ""])
    rows.append(["ratio", "", "", "", f"{summary.ratio:.1%}", ""])
    return rows


TABLE_HEADERS = ("phase", "batch", "products", "seconds", "products/s", "busy parts")


# --- the machine -------------------------------------------------------------------------------------
def cpu_model(cpuinfo: str) -> str:
    """The `model name` line of /proc/cpuinfo text (the machine name from `platform` when absent)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine()


def hardware(proc: Path = Path("/proc")) -> dict[str, Any]:
    """CPU model, core counts and memory, plus the load average (how busy the machine was)."""
    try:
        cpuinfo = (proc / "cpuinfo").read_text(errors="replace")
    except OSError:
        cpuinfo = ""
    info: dict[str, Any] = {
        "cpu_model": cpu_model(cpuinfo),
        "cpu_count": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": _memory_gib(proc),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    info.update(load_average())
    return info


def load_average() -> dict[str, float]:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return {}
    return {"load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2)}


def _memory_gib(proc: Path) -> float | None:
    try:
        text = (proc / "meminfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return None


def parse_batch_sizes(text: str) -> list[int]:
    """ "16,32,64" -> [16, 32, 64]; a `ValueError` naming the bad entry otherwise."""
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise ValueError(f"batch sizes must be positive integers, got {part!r}")
        sizes.append(int(part))
    if not sizes:
        raise ValueError("give at least one batch size")
    return sorted(set(sizes))


def thread_env(environ: Mapping[str, str]) -> dict[str, str | None]:
    """The variables that decide torch/tokenizer threading in a process environment."""
    names = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "TOKENIZERS_PARALLELISM")
    return {name: environ.get(name) for name in names}
