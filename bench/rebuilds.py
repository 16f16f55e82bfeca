"""Rebuild benchmark: does any answer show an older generation, or two at once, while the catalog is
rebuilt under load?

The first `--rows` products of `--products` are indexed as version 0; then `--rebuilds` times a new
version of the same products (every title ends in `r<k>`, every price is the original plus `k`) is
written and built (the indexer's `Builder`, what `indexer build` runs, in this process), while a
gateway child process serves client threads that search and fetch products, and one thread polls
`/readyz`. Every answer is classified:

- stale: it shows a product of an older version than the one `/readyz` had already reported when the
  request was sent (the gateway said "generation k" and then served k-1);
- mixed: one answer shows products of two versions, or a product whose title and price belong to
  different versions.

Also per rebuild: how long the build took and how long after it ended `/readyz` reported the new
generation; failed requests (5xx or no answer) over the whole run.

    python -m bench.rebuilds                              # 20 rebuilds, embedded lexical
    python -m bench.rebuilds --lexical opensearch         # against a node started for the run
    python -m bench.rebuilds --rebuilds 3 --rows 30 --out bench/results/rebuilds-short.json

Everything runs on free loopback ports with in-process encoders (`AISLE_TRITON_URL=inprocess`) in a
temporary data directory. Results: a table, and JSON in `bench/results/rebuilds-<lexical>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from bench.common import gateway_child, print_table, write_json
from engine.catalog import read_current
from engine.config import PROJECT_ROOT

REQUEST_TIMEOUT_S = 30.0
SWITCH_TIMEOUT_S = 30.0
PAUSE_S = 0.02  # between one client's requests: load, not a saturated machine that starves the build


@dataclass
class Answer:
    sent: float  # monotonic seconds
    kind: str
    status: int  # 0: no answer
    versions: list[int]  # the version of every product shown (-1: title and price disagree)
    seconds: float = 0.0  # how long the answer took


@dataclass
class RebuildsReport:
    lexical: str
    products: int
    rebuilds: int
    requests: int
    failed: int
    stale: int
    mixed: int
    after_switch: int  # answers sent once /readyz had reported at least one rebuilt generation
    build_s: list[float] = field(default_factory=list)
    switch_s: list[float] = field(default_factory=list)  # build end -> /readyz reports it
    examples: list[str] = field(default_factory=list)
    failed_by: dict[str, int] = field(default_factory=dict)  # "<kind> <status>" -> count


def version_of(catalog: Sequence[Mapping[str, object]], k: int) -> list[dict[str, object]]:
    """Version `k` of the catalog: titles end in `r<k>`, prices are the original plus `k`."""
    out = []
    for record in catalog:
        row = dict(record)
        row["title"] = f"{record['title']} r{k}"
        row["price"] = round(float(record.get("price") or 0.0) + k, 2)  # type: ignore[arg-type]
        out.append(row)
    return out


def decode(product: Mapping[str, object], base_price: Mapping[str, float]) -> int:
    """The version a shown product belongs to; -1 when its title and price disagree."""
    title = str(product.get("title", ""))
    k = int(title.rsplit(" r", 1)[1])
    price = float(product.get("price") or 0.0)  # type: ignore[arg-type]
    return k if round(price - base_price[str(product["id"])], 2) == k else -1


class Watcher:
    """Polls /readyz; remembers when each generation, and each (generation, revision), was first
    reported."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.first_seen: dict[str, float] = {}
        self.first_state: dict[tuple[str, int], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            while not self._stop.is_set():
                try:
                    index = client.get(f"{self.url}/readyz").json()["checks"]["index"]
                except (httpx.HTTPError, KeyError, ValueError):
                    index = {}
                generation = index.get("generation")
                if generation and generation not in self.first_seen:
                    self.first_seen[generation] = time.monotonic()
                state = (generation, index.get("revision"))
                if generation and state not in self.first_state:
                    self.first_state[state] = time.monotonic()
                time.sleep(0.05)

    def wait_for(self, generation: str, timeout_s: float = SWITCH_TIMEOUT_S) -> float:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if generation in self.first_seen:
                return self.first_seen[generation]
            time.sleep(0.02)
        raise RuntimeError(f"/readyz did not report generation {generation} within {timeout_s:.0f}s")

    def wait_for_state(self, generation: str, revision: int, timeout_s: float = SWITCH_TIMEOUT_S) -> float:
        """When /readyz first reported `generation` at `revision` (waiting for it)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (generation, revision) in self.first_state:
                return self.first_state[(generation, revision)]
            time.sleep(0.02)
        raise RuntimeError(f"/readyz did not report {generation} revision {revision} in {timeout_s:.0f}s")

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(REQUEST_TIMEOUT_S + 5)


class Clients:
    """`threads` clients alternating searches and product reads until stopped."""

    def __init__(self, url: str, ids: list[str], queries: list[str], base: dict[str, float], threads: int):
        self.url, self.ids, self.queries, self.base = url, ids, queries, base
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _one(self, client: httpx.Client, turn: int, rng: random.Random) -> Answer:
        sent = time.monotonic()
        if turn % 2:
            pid = rng.choice(self.ids)
            response = client.get(f"{self.url}/v1/products/{pid}")
            shown = [response.json()] if response.status_code == 200 else []
            kind = "product"
        else:
            body = {"query": rng.choice(self.queries), "size": 20}
            response = client.post(f"{self.url}/v1/search", json=body)
            shown = response.json()["hits"] if response.status_code == 200 else []
            kind = "search"
        versions = [decode(p, self.base) for p in shown]
        return Answer(sent, kind, response.status_code, versions, time.monotonic() - sent)

    def _run(self, number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(timeout=REQUEST_TIMEOUT_S, headers={"X-Aisle-Log": "off"}) as client:
            turn = number
            while not self._stop.is_set():
                turn += 1
                try:
                    answer = self._one(client, turn, rng)
                except httpx.HTTPError:
                    answer = Answer(time.monotonic(), "error", 0, [], REQUEST_TIMEOUT_S)
                with self._lock:
                    self.answers.append(answer)
                time.sleep(PAUSE_S)

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT_S + 5)


class Rebuilder:
    """Full builds through the indexer's library (what `indexer build` runs), in this process with the
    encoder loaded once, against the data directory and backends `env` names; the gateway child is
    another process, so the switch is seen across processes as in production."""

    def __init__(self, env: Mapping[str, str]) -> None:
        from engine.config import load_settings
        from engine.inference.factory import create_inference
        from engine.lexical.factory import create_lexical

        os.environ.update(env)
        self.settings = load_settings()
        self.inference = create_inference(self.settings)
        self.lexical = create_lexical(self.settings)

    def build(self, catalog: Path) -> float:
        """Build `catalog` into a new generation; its wall time."""
        from indexer.build import Builder, BuildOptions

        start = time.monotonic()
        Builder(self.settings, self.inference, self.lexical).build(catalog, BuildOptions(progress=False))
        return time.monotonic() - start

    def close(self) -> None:
        self.inference.close()
        close = getattr(self.lexical, "close", None)
        if callable(close):
            close()


def classify(
    answers: Sequence[Answer], switches: Sequence[tuple[float, int]], report: RebuildsReport
) -> None:
    """Count stale and mixed answers; `switches`: (when /readyz first reported version k, k)."""
    for answer in answers:
        if answer.status == 0 or answer.status >= 500:
            report.failed += 1
            key = f"{answer.kind} {answer.status}"
            report.failed_by[key] = report.failed_by.get(key, 0) + 1
        reported = [k for when, k in switches if when <= answer.sent]
        floor = max(reported, default=0)
        if reported and floor > 0:
            report.after_switch += 1
        versions = set(answer.versions)
        if -1 in versions or len(versions) > 1:
            report.mixed += 1
            if len(report.examples) < 10:
                report.examples.append(f"mixed {answer.kind}: versions {sorted(versions)}")
        elif versions and min(versions) < floor:
            report.stale += 1
            if len(report.examples) < 10:
                report.examples.append(f"stale {answer.kind}: version {min(versions)} after {floor}")
    report.requests = len(answers)


def run_rebuilds(
    env: Mapping[str, str], products: Path, rows: int, rebuilds: int, threads: int, lexical: str
) -> RebuildsReport:
    """The whole benchmark over the data directory and backends `env` names (see the docstring)."""
    with products.open(encoding="utf-8") as handle:
        catalog = [json.loads(line) for line, _ in zip(handle, range(rows), strict=False)]
    base = {str(r["id"]): round(float(r.get("price") or 0.0), 2) for r in catalog}
    ids = sorted(base)
    queries = sorted({str(r.get("brand") or str(r["title"]).split()[0]) for r in catalog})[:10]
    work = Path(env["AISLE_DATA_DIR"]).parent
    root = Path(env["AISLE_DATA_DIR"]) / "vectors"

    def write(k: int) -> Path:
        path = work / f"catalog-r{k}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in version_of(catalog, k)), encoding="utf-8")
        return path

    rebuilder = Rebuilder(env)
    rebuilder.build(write(0))
    report = RebuildsReport(lexical, len(catalog), rebuilds, 0, 0, 0, 0, 0)
    switches: list[tuple[float, int]] = []
    with gateway_child(env) as gateway, Watcher(gateway.url) as watcher:
        with Clients(gateway.url, ids, queries, base, threads) as clients:
            time.sleep(1.0)
            for k in range(1, rebuilds + 1):
                report.build_s.append(round(rebuilder.build(write(k)), 2))
                ended = time.monotonic()
                generation = read_current(root)
                assert generation is not None
                switched = watcher.wait_for(generation)
                switches.append((switched, k))
                report.switch_s.append(round(max(0.0, switched - ended), 3))
            time.sleep(1.0)
        classify(clients.answers, switches, report)
    rebuilder.close()
    return report


@contextmanager
def backends(lexical: str, work: Path) -> Iterator[dict[str, str]]:
    """The environment of one run: its data directory, in-process encoders, the lexical backend."""
    env = {"AISLE_DATA_DIR": str(work / "data"), "AISLE_TRITON_URL": "inprocess"}
    if lexical == "embedded":
        env["AISLE_OPENSEARCH_URL"] = "embedded"
        yield env
        return
    from bench.fault_servers import opensearch_node

    # Not under `work`: the node may run as another user (scripts/opensearch.sh).
    with opensearch_node(Path(tempfile.mkdtemp(prefix="aisle-rebuilds-opensearch-"))) as (url, _):
        yield {**env, "AISLE_OPENSEARCH_URL": url, "AISLE_INDEX_ALIAS": "rebuilds"}


def main(argv: Sequence[str] | None = None) -> int:
    from engine.sample import sample_catalog_path

    parser = argparse.ArgumentParser(prog="python -m bench.rebuilds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=Path, default=sample_catalog_path())
    parser.add_argument("--rows", type=int, default=60, help="products taken from the top of the file")
    parser.add_argument("--rebuilds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=3, help="client threads")
    parser.add_argument("--lexical", choices=("embedded", "opensearch"), default="embedded")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.rebuilds < 1 or args.threads < 1:
        parser.error("--rows, --rebuilds and --threads must be at least 1")
    out = args.out or PROJECT_ROOT / "bench" / "results" / f"rebuilds-{args.lexical}.json"
    with backends(args.lexical, Path(tempfile.mkdtemp(prefix="aisle-rebuilds-"))) as env:
        report = run_rebuilds(env, args.products, args.rows, args.rebuilds, args.threads, args.lexical)
    headers = ["lexical", "products", "rebuilds", "requests", "failed", "stale", "mixed", "after switch"]
    print_table(headers, [list(asdict(report).values())[: len(headers)]])
    builds, switched = sorted(report.build_s), sorted(report.switch_s)
    print(f"build s: median {builds[len(builds) // 2]}, max {builds[-1]}")
    print(f"build end -> /readyz reports it, s: median {switched[len(switched) // 2]}, max {switched[-1]}")
    for example in report.examples:
        print(example)
    write_json(out, {"products": str(args.products), **asdict(report)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
