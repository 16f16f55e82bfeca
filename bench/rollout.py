"""Rollout under load: does a ranker version change reach shoppers within seconds, without a failed request?

A gateway on the real Triton serves crowdflower; `engine ranker train --api` writes a candidate version
(not served). Then, while load generators search through POST /v1/search (debug on), the real CLI rolls
the candidate out (`engine ranker rollout V`) and back (`engine ranker rollback 1`). Every response is
recorded with the ranker version it names (top level and in the hits' debug info), and the gateway's
`/metrics` gauge `aisle_ranker_version` is polled. Reported per change: how long the CLI command took,
seconds from its start to the first response from the new version, to the last response from the old
one, and to the gauge showing the new version; and over the whole run, the failed requests (must be 0).
Writes JSON into bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    add_judged_dataset_args,
    gateway_process,
    prepared_index,
    print_table,
    read_queries,
    write_json,
)
from bench.simulate import fresh_copy, fresh_triton_ports
from engine.config import load_settings

EPILOG = """example:
  python -m bench.rollout --products ../shared/datasets/crowdflower/products.jsonl \\
      --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
      --qrels ../shared/datasets/crowdflower/qrels.dev.tsv --out bench/results/rollout-crowdflower.json
"""
ENGINE = str(Path(sys.executable).with_name("engine"))


@dataclass
class Load:
    """Search load from `threads` clients; each response is kept as (sent, done, status, versions)."""

    url: str
    queries: list[str]
    threads: int
    seen: list[tuple[float, float, int, int | None, int | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    gauge: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def _client(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.url, timeout=60.0) as client:
            while not self.stop.is_set():
                body = {"query": rng.choice(self.queries), "size": 10, "debug": True}
                sent = time.monotonic()
                try:
                    response = client.post("/v1/search", json=body)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                    continue
                done = time.monotonic()
                top = debug = None
                if response.status_code == 200:
                    answer = response.json()
                    top = answer.get("ranker_version")
                    hits = answer.get("hits") or [{}]
                    debug = (hits[0].get("debug") or {}).get("ranker_version")
                else:
                    self.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                self.seen.append((sent, done, response.status_code, top, debug))

    def _metrics(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10.0) as client:
            while not self.stop.is_set():
                try:
                    text = client.get("/metrics").text
                except httpx.HTTPError as exc:
                    self.errors.append(f"/metrics: {exc!r}")
                    continue
                for line in text.splitlines():
                    if line.startswith("aisle_ranker_version "):
                        self.gauge.append((time.monotonic(), int(float(line.split()[1]))))
                time.sleep(0.1)

    def __enter__(self) -> Load:
        self._workers = [threading.Thread(target=self._client, args=(i,)) for i in range(self.threads)]
        self._workers.append(threading.Thread(target=self._metrics))
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for worker in self._workers:
            worker.join(120)


def engine_cli(args: Sequence[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run `engine ...` with the gateway's environment; (started, finished, stdout). Fails loudly."""
    started = time.monotonic()
    result = subprocess.run([ENGINE, *args], env={**os.environ, **env}, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"engine {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return started, time.monotonic(), result.stdout.strip()


def change(
    load: Load, old: int, new: int, started: float, finished: float, until: float = float("inf")
) -> dict[str, Any]:
    """Timings of one served-version change, from the responses and gauge readings between `started`
    and `until` (the start of the next change)."""
    after = [s for s in load.seen if started <= s[1] < until]
    first_new = min((done for _, done, _, top, _ in after if top == new), default=None)
    last_old = max((done for _, done, _, top, _ in after if top == old), default=None)
    debug_agrees = all(top == debug for _, _, status, top, debug in after if status == 200)
    gauge = [(t, v) for t, v in load.gauge if started <= t < until]
    gauge_first = min((t for t, v in gauge if v == new), default=None)
    gauge_stable = next((t for i, (t, v) in enumerate(gauge) if all(w == new for _, w in gauge[i:])), None)

    def since(t: float | None) -> float | None:
        return None if t is None else round(t - started, 3)

    return {
        "from": old,
        "to": new,
        "cli_s": round(finished - started, 3),
        "first_response_s": since(first_new),
        "last_old_response_s": since(last_old),
        "gauge_s": since(gauge_first),
        "gauge_stable_s": since(gauge_stable),
        "debug_matches_response": debug_agrees,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.rollout",
        description=__doc__.split("\n\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_judged_dataset_args(p)
    p.add_argument("--out", type=Path, default=Path("bench/results/rollout-crowdflower.json"))
    p.add_argument("--threads", type=int, default=4, help="concurrent search clients")
    p.add_argument("--settle", type=float, default=8.0, help="seconds of load before/after each change")
    p.add_argument("--epochs", type=int, default=20, help="epochs of the candidate's training")
    p.add_argument("--data-root", type=Path, default=Path("var/bench"))
    args = p.parse_args(argv)

    from engine.inference.factory import create_inference

    settings, env = prepared_index(args.products, args.data_root)
    data_dir = fresh_copy(Path(settings.data_dir), args.data_root / "rollout-run").resolve()
    run_env = {**env, **fresh_triton_ports(env), "AISLE_DATA_DIR": str(data_dir)}
    os.environ.update(run_env)
    triton = create_inference(load_settings())
    try:
        with gateway_process(run_env) as url:
            train = [
                *("ranker", "train", "--api", url, "--epochs", str(args.epochs)),
                *(
                    "--products",
                    str(args.products),
                    "--queries",
                    str(args.queries),
                    "--qrels",
                    str(args.qrels),
                ),
            ]
            engine_cli(train, run_env)
            versions = json.loads(engine_cli(["ranker", "status", "--json"], run_env)[2])["versions"]
            candidate, prior = max(versions), min(versions)
            print(f"candidate v{candidate} written; rolling out under load", file=sys.stderr)
            queries = [q for _, q in read_queries(args.queries)]
            with Load(url, queries, args.threads) as load:
                time.sleep(args.settle)
                out = engine_cli(["ranker", "rollout", str(candidate)], run_env)
                time.sleep(args.settle)
                back = engine_cli(["ranker", "rollback", str(prior)], run_env)
                time.sleep(args.settle)
            changes = [
                change(load, prior, candidate, *out[:2], until=back[0]),
                change(load, candidate, prior, *back[:2]),
            ]
    finally:
        triton.close()
    ok = [s for s in load.seen if s[2] == 200]
    latencies = sorted(done - sent for sent, done, *_ in ok)
    report = {
        "products": str(args.products),
        "threads": args.threads,
        "requests": len(load.seen) + sum(1 for e in load.errors if not e.startswith("/metrics")),
        "failed": len(load.errors),
        "errors": load.errors[:20],
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1) if latencies else None,
        "changes": changes,
    }
    write_json(args.out, report)
    print_table(
        ("change", "cli s", "first new response s", "last old response s", "gauge s", "debug ok"),
        [
            (
                f"v{c['from']} -> v{c['to']}",
                c["cli_s"],
                c["first_response_s"],
                c["last_old_response_s"],
                c["gauge_s"],
                c["debug_matches_response"],
            )
            for c in changes
        ],
    )
    print(f"\n{report['requests']} requests, {report['failed']} failed, p50 {report['p50_ms']} ms")
    return 0 if report["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
