"""Indexer faults under search load: `kill -9` of `indexer build` and `indexer upsert` while shoppers
search and read products, then `indexer verify` and the same run again (the repair).

The catalog is versioned as in `bench.rebuilds` (version k: every title ends in `r<k>`, every price is
the original plus k), so each answer shows which version it came from. Each step runs one `indexer`
command in a child process that dies by SIGKILL, either at a named crash point (`AISLE_TEST_CRASH_AT`,
`engine.crashpoints`) or at a random moment; then `indexer verify`, the same command again, and
`indexer verify` once more. Per step, over the answers sent from the kill to the end of the repair:

- failed: 5xx or no answer (the goal is 0: the last committed version keeps serving);
- stale: an answer older than the version `/readyz` had already reported (generation and revision);
- mixed: two versions in one answer, or a product whose title and price disagree;
- uncommitted: a version newer than any committed when the answer came back (a dead writer's
  half-written update served before it was rolled back).

Whether the killed run committed is read from its commit points: the catalog's `CURRENT` for a build,
the manifest's revision for an upsert.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import gateway_child
from bench.rebuilds import Answer, Clients, Watcher, version_of
from engine.catalog import read_current, read_manifest
from engine.config import PROJECT_ROOT

INDEXER_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Step:
    """One killed `indexer` run: `verb` ("build" or "upsert") writing catalog `version`, killed at
    `crash_at`, or at a random moment of a run's usual duration when None."""

    name: str
    verb: str
    version: int
    crash_at: str | None


@dataclass
class IndexerFaultReport:
    fault: str
    killed: bool  # False: the run ended before the random kill came
    committed: bool  # the killed run had passed its commit point
    requests: int = 0
    failed: int = 0
    stale: int = 0
    mixed: int = 0
    uncommitted: int = 0
    longest_s: float = 0.0
    verify_after_kill: int = -1  # exit status (1: a difference found; the gateway may repair first)
    verify_after_kill_says: str = ""
    rerun: int = -1
    verify_after_rerun: int = -1
    served_after: list[int] = field(default_factory=list)  # versions shown once repaired
    failed_by: dict[str, int] = field(default_factory=dict)


CI_STEPS = (
    Step("build killed after staging its lexical generation", "build", 1, "build-after-lexical"),
    Step("upsert killed after its lexical write", "upsert", 2, "update-after-lexical"),
)
BENCH_STEPS = (
    *CI_STEPS,
    Step("build killed right after its commit", "build", 3, "build-after-commit"),
    Step("upsert killed after its vector write", "upsert", 4, "update-after-vectors"),
    Step("build killed at a random moment", "build", 5, None),
    Step("upsert killed at a random moment", "upsert", 6, None),
)


def indexer(
    env: Mapping[str, str], *args: str, crash_at: str | None = None, kill_after_s: float | None = None
) -> tuple[int, str]:
    """Run `indexer ARGS` (killed by SIGKILL after `kill_after_s`, if still running); (status, stderr)."""
    extra = {"AISLE_TEST_CRASH_AT": crash_at} if crash_at else {}
    process = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env, **extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if kill_after_s is not None:
        try:
            process.wait(kill_after_s)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=INDEXER_TIMEOUT_S)
    return process.returncode, stderr


def state(root: Path) -> tuple[str, int]:
    """(generation, revision) of the committed catalog."""
    generation = read_current(root)
    if generation is None:
        raise RuntimeError(f"no catalog in {root}")
    return generation, read_manifest(root, generation).revision


def classify(
    answers: Sequence[Answer], floors: Sequence[tuple[float, int]], ceilings: Sequence[tuple[float, int]]
) -> IndexerFaultReport:
    """Figures of one step's answers: `floors` (from when /readyz reported version k, k) make an older
    answer stale; `ceilings` (from when version k is the newest that may be committed, k) make a newer
    one uncommitted. Both are in time order; the last point at or before an answer applies."""
    result = IndexerFaultReport("", False, False)
    for answer in answers:
        result.requests += 1
        result.longest_s = max(result.longest_s, round(answer.seconds, 3))
        if answer.status == 0 or answer.status >= 500:
            result.failed += 1
            key = f"{answer.kind} {answer.status}"
            result.failed_by[key] = result.failed_by.get(key, 0) + 1
        versions = set(answer.versions)
        if not versions:
            continue
        floor = _at(floors, answer.sent)
        ceiling = _at(ceilings, answer.sent + answer.seconds)
        if -1 in versions or len(versions) > 1:
            result.mixed += 1
        elif min(versions) < floor:
            result.stale += 1
        elif max(versions) > ceiling:
            result.uncommitted += 1
    return result


def write_version(env: Mapping[str, str], catalog: Sequence[Mapping[str, object]], k: int) -> str:
    """Version `k` of the catalog as a file beside the data directory; its path."""
    path = Path(env["AISLE_DATA_DIR"]).parent / f"catalog-r{k}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = version_of(catalog, k)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _at(points: Sequence[tuple[float, int]], moment: float) -> int:
    """The value of the last point (in time order) at or before `moment`; 0 before the first."""
    value = 0
    for when, k in points:
        if when <= moment:
            value = k
    return value


class _Session:
    """The running side of `run_indexer_faults`: the gateway's watcher and clients, the versioned
    catalog files, and what is committed so far."""

    def __init__(self, env: Mapping[str, str], catalog: list[dict[str, object]], watcher: Watcher) -> None:
        self.env, self.catalog, self.watcher = env, catalog, watcher
        self.root = Path(env["AISLE_DATA_DIR"]) / "vectors"
        self.committed = 0
        self.duration = {"build": 10.0, "upsert": 10.0}  # a run's usual length, measured by each rerun

    def write(self, k: int) -> str:
        return write_version(self.env, self.catalog, k)

    def step(self, step: Step, clients: Clients, rng: random.Random) -> IndexerFaultReport:
        """Kill, verify, run again, verify; the figures of the answers sent meanwhile."""
        before = state(self.root)
        floors = [(0.0, self.committed)]
        start = time.monotonic()
        ceilings = [(0.0, self.committed), (start, step.version)]  # the killed run may commit any time
        kill_after = None if step.crash_at else rng.uniform(0.2, 1.0) * self.duration[step.verb]
        command = [step.verb, self.write(step.version), *(["--no-progress"] if step.verb == "build" else [])]
        status, _ = indexer(self.env, *command, crash_at=step.crash_at, kill_after_s=kill_after)
        after = state(self.root)
        done = after[0] != before[0] if step.verb == "build" else after[1] > before[1]
        if done:
            self.committed = step.version
            floors.append((self.watcher.wait_for_state(*after), self.committed))
        ceilings.append((time.monotonic(), self.committed))  # until the rerun, nothing else commits
        verified, says = indexer(self.env, "verify")
        rerun_start = time.monotonic()
        ceilings.append((rerun_start, step.version))
        rerun, _ = indexer(self.env, *command)
        self.duration[step.verb] = time.monotonic() - rerun_start
        self.committed = step.version
        floors.append((self.watcher.wait_for_state(*state(self.root)), self.committed))
        repaired, _ = indexer(self.env, "verify")
        time.sleep(1.0)
        answers = [a for a in list(clients.answers) if start <= a.sent]
        result = classify(answers, floors, ceilings)
        result.fault, result.killed, result.committed = step.name, status == -9, done
        result.verify_after_kill = verified
        result.verify_after_kill_says = " | ".join(
            line.strip() for line in says.splitlines() if line.strip()
        )[:600]
        result.rerun, result.verify_after_rerun = rerun, repaired
        result.served_after = sorted({v for a in answers if a.sent > floors[-1][0] for v in a.versions})
        return result


def run_indexer_faults(
    env: Mapping[str, str], products: Path, rows: int, steps: Sequence[Step], seed: int = 7
) -> list[IndexerFaultReport]:
    """Index version 0 of the first `rows` products, serve it under load, and run `steps` in turn."""
    with products.open(encoding="utf-8") as handle:
        catalog = [json.loads(line) for line, _ in zip(handle, range(rows), strict=False)]
    base = {str(r["id"]): round(float(r.get("price") or 0.0), 2) for r in catalog}
    queries = sorted({str(r.get("brand") or str(r["title"]).split()[0]) for r in catalog})[:10]
    rng = random.Random(seed)
    status, stderr = indexer(env, "build", write_version(env, catalog, 0), "--no-progress")
    if status != 0:
        raise RuntimeError(f"indexer build of version 0 failed:\n{stderr[-2000:]}")
    with (
        gateway_child(env) as gateway,
        Watcher(gateway.url) as watcher,
        Clients(gateway.url, sorted(base), queries, base, threads=3) as clients,
    ):
        session = _Session(env, catalog, watcher)
        watcher.wait_for_state(*state(session.root))
        time.sleep(1.0)
        return [session.step(step, clients, rng) for step in steps]
