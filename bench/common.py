"""Shared benchmark plumbing: dataset files, metrics, index (re)use, and a gateway in a child process.

Metric conventions (the same for every number the project reports; see the datasets' README):
- rank over the whole products file; a product the system did not return is simply not ranked;
- nDCG@10 with gain 2^(grade - min_grade) - 1, log2 discount, ideal DCG from the judged grades of the
  query; queries whose judged grades are all the minimum (ideal DCG 0) have no defined nDCG and are left
  out of the mean (their count is reported);
- Recall@100 of the pairs with grade >= a threshold, over queries with at least one such pair.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from engine.config import PROJECT_ROOT, Settings, load_settings
from engine.errors import AisleError
from engine.ports import free_port
from engine.storage import write_atomic

Qrels = dict[str, dict[str, float]]


# --- dataset files -----------------------------------------------------------------------------------
def read_queries(path: Path) -> list[tuple[str, str]]:
    """(query_id, query) pairs from a TSV with a `query_id`, `query` header."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["query_id"], row["query"]) for row in reader if row.get("query", "").strip()]


def read_qrels(path: Path) -> Qrels:
    """query_id -> {product_id: grade} from a TSV with `query_id`, `product_id`, `grade`."""
    qrels: Qrels = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            qrels.setdefault(row["query_id"], {})[row["product_id"]] = float(row["grade"])
    return qrels


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- metrics -----------------------------------------------------------------------------------------
def grade_scale(qrels: Qrels) -> tuple[float, float]:
    grades = [g for judged in qrels.values() for g in judged.values()]
    return min(grades), max(grades)


def default_threshold(qrels: Qrels) -> float:
    """Relevant-for-recall threshold from the grade scale: 3 on a 1..4 scale (crowdflower), 2.5 on a
    1..3 scale (homedepot): one grade step below the top on integer scales of four or more grades,
    half a step below the top on shorter ones."""
    low, high = grade_scale(qrels)
    return high - 1.0 if high - low >= 3 else high - 0.5


def recall_at(ranked: Sequence[str], judged: Mapping[str, float], k: int, threshold: float) -> float | None:
    relevant = {pid for pid, grade in judged.items() if grade >= threshold}
    if not relevant:
        return None
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mean(values: Sequence[float | None]) -> tuple[float, int]:
    kept = [v for v in values if v is not None]
    return (sum(kept) / len(kept) if kept else 0.0), len(kept)


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """A results file, written whole or not at all (`engine.storage`); its folder is created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=2) + "\n")


# --- index and gateway -------------------------------------------------------------------------------
VECTOR_BACKENDS = ("faiss", "opensearch-knn")
LEXICAL_BACKENDS = ("embedded", "opensearch")


def doc_parser(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """An argument parser whose `--help` is the module docstring: its first paragraph as the
    description, from "Examples:" on as the epilog."""
    doc = doc or ""
    examples = doc.find("Examples:")
    return argparse.ArgumentParser(
        prog=prog,
        description=doc.split("\n\n")[0],
        epilog=doc[examples:] if examples >= 0 else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_judged_dataset_args(parser: argparse.ArgumentParser) -> None:
    """--products, --queries and --qrels: a catalog with judged queries in the layout of the shared
    relevance datasets (any such files, not only the dev ones)."""
    parser.add_argument("--products", type=Path, required=True, help="products.jsonl (the whole corpus)")
    parser.add_argument("--queries", type=Path, required=True, help="TSV: query_id, query")
    parser.add_argument("--qrels", type=Path, required=True, help="TSV: query_id, product_id, grade")


def add_served_index_args(parser: argparse.ArgumentParser) -> None:
    """`--products` (the catalog whose bench index is served), `--queries` and `--data-root`: what every
    benchmark that serves the bench index of a catalog asks for."""
    parser.add_argument("--products", type=Path, required=True, help="products JSONL (the index to serve)")
    parser.add_argument("--queries", type=Path, required=True, help="query TSV (query_id, query)")
    parser.add_argument("--data-root", type=Path, default=Path("var/bench"), help="index root (var/bench)")


def add_backend_args(parser: argparse.ArgumentParser) -> None:
    """`--vectors`, `--lexical`, `--opensearch-url`: which backends serve the benchmarked index.

    Without them the AISLE_* environment decides, as before (FAISS and the embedded BM25 index by
    default)."""
    parser.add_argument(
        "--vectors",
        choices=VECTOR_BACKENDS,
        help="vector backend (default: AISLE_VECTOR_BACKEND, else faiss); opensearch-knn keeps the "
        "vectors in the cluster of --opensearch-url",
    )
    parser.add_argument(
        "--lexical",
        choices=LEXICAL_BACKENDS,
        help="lexical backend (default: opensearch when an OpenSearch URL is given, else embedded)",
    )
    parser.add_argument(
        "--opensearch-url", help="OpenSearch cluster for the lexical and k-NN indexes (AISLE_OPENSEARCH_URL)"
    )


def backend_env(vectors: str | None, lexical: str | None, opensearch_url: str | None) -> dict[str, str]:
    """The AISLE_* variables that select these backends; ValueError for a combination that cannot run.

    One OpenSearch URL serves both the lexical and the k-NN index (the engine has one cluster setting),
    so `opensearch-knn` needs the lexical index in OpenSearch too.
    """
    env: dict[str, str] = {}
    url = opensearch_url or os.environ.get("AISLE_OPENSEARCH_URL", "embedded")
    lexical = lexical or ("embedded" if url == "embedded" else "opensearch")
    if lexical == "opensearch":
        if url == "embedded":
            raise ValueError("--lexical opensearch needs --opensearch-url (or AISLE_OPENSEARCH_URL)")
        env["AISLE_OPENSEARCH_URL"] = url
    else:
        env["AISLE_OPENSEARCH_URL"] = "embedded"
    if vectors:
        env["AISLE_VECTOR_BACKEND"] = vectors
    if (vectors or os.environ.get("AISLE_VECTOR_BACKEND")) == "opensearch-knn" and lexical == "embedded":
        raise ValueError(
            "--vectors opensearch-knn keeps the vectors in OpenSearch and the lexical index with them: "
            "give --opensearch-url (or --lexical opensearch with AISLE_OPENSEARCH_URL)"
        )
    return env


def backend_key(settings: Settings) -> str:
    """Suffix of the index cache key naming the backends; empty for the default FAISS + embedded pair
    (so indexes built before backends were selectable are still reused)."""
    lexical = "embedded" if settings.embedded_lexical else "opensearch"
    if (lexical, settings.vector_backend) == ("embedded", "faiss"):
        return ""
    return f"-{lexical}-{settings.vector_backend}"


def bench_settings(
    products: Path, data_root: Path, backends: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, str]]:
    """Settings for an index of `products`, kept under `data_root/<checksum><backends>` so a second run
    with the same backends reuses it.

    Lexical, vectors and Triton come from the caller's AISLE_* environment, overridden by `backends`
    (see `backend_env`); the data directory and the OpenSearch alias (one per products file and pair
    of backends) are the benchmark's own. Returns the settings and the environment a gateway child
    process needs to see the same ones.
    """
    checksum = file_checksum(products)[:16]
    env = dict(backends or {})
    os.environ.update(env)
    base = load_settings()
    key = checksum + backend_key(base)
    env["AISLE_DATA_DIR"] = str((data_root / key).resolve())
    if not base.embedded_lexical:
        env["AISLE_INDEX_ALIAS"] = f"bench-{key}"
    if base.triton_url == "local" and "AISLE_TRITON_GRPC_PORT" not in os.environ:
        env.update(
            AISLE_TRITON_HTTP_PORT=str(free_port()),
            AISLE_TRITON_GRPC_PORT=str(free_port()),
            AISLE_TRITON_METRICS_PORT=str(free_port()),
        )
    os.environ.update(env)
    return load_settings(), env


def build_index(settings: Settings, products: Path, inference: object) -> str:
    """Build (or find unchanged) the index of `products` through the indexer library.

    A cached index whose OpenSearch side is gone (a node started with fresh data) is rebuilt: the
    data directory alone cannot tell.
    """
    from engine.lexical.factory import create_lexical
    from indexer.build import Builder, BuildOptions

    lexical = create_lexical(settings)
    builder = Builder(settings, inference, lexical)  # type: ignore[arg-type]
    report = builder.build(products, BuildOptions())
    if report.unchanged and not index_present(settings, lexical, report.count):
        print("cached index incomplete on the servers: rebuilding", file=sys.stderr)
        report = builder.build(products, BuildOptions(force=True))
    state = "reused" if report.unchanged else "re-analysed" if report.reanalysed else "built"
    print(f"index {state}: generation {report.generation}, {report.count} products", file=sys.stderr)
    close = getattr(lexical, "close", None)
    if callable(close):
        close()
    return report.generation


def prepared_index(products: Path, data_root: Path) -> tuple[Settings, dict[str, str]]:
    """`bench_settings` for `products` with the index built (or found unchanged); the inference backend
    opened for the build is closed again (for runs that then copy the data directory and start their
    own servers on it)."""
    from engine.inference.factory import create_inference

    settings, env = bench_settings(products, data_root)
    inference = create_inference(settings)
    try:
        build_index(settings, products, inference)
    finally:
        inference.close()
    return settings, env


def index_present(settings: Settings, lexical: Any, count: int) -> bool:
    """Whether the lexical index and the live text vectors both hold `count` products."""
    from engine.catalog import catalog_root, open_live
    from engine.vectors.factory import FactoryVectorIO

    try:
        live = open_live(catalog_root(settings), FactoryVectorIO(settings))
        lexical.use(live.manifest.lexical or None)  # the lexical generation built with these vectors
        return int(lexical.count()) == count == live.stores["text"].count()
    except AisleError:
        return False


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc; empty when the process is gone)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        if Path(f"/proc/{current}").exists():
            tree.append(current)
            todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of `pids` so far (processes that have exited count as 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


@dataclass
class GatewayProcess:
    """A gateway child process: its base URL and process id (the server's parent of any workers)."""

    url: str
    pid: int


@contextmanager
def gateway_process(env: Mapping[str, str], startup_timeout_s: float = 300.0) -> Iterator[str]:
    """`gateway_child` with one worker, yielding only its base URL."""
    with gateway_child(env, startup_timeout_s) as child:
        yield child.url


SERVERS = ("uvicorn", "granian")  # the ASGI servers the benchmarks can run the gateway on


def server_command(server: str, port: int, workers: int) -> list[str]:
    """The command line that serves `api.main:app` with `server` (one of `SERVERS`) on loopback
    `port`, quietly (warnings only, no access log); `gateway serve` itself runs uvicorn."""
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}; expected one of {SERVERS}")
    options = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    options += ["--log-level", "warning", "--no-access-log"]
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "asgi", *options, "api.main:app"]
    return [sys.executable, "-m", "uvicorn", "api.main:app", *options]


@contextmanager
def gateway_child(
    env: Mapping[str, str], startup_timeout_s: float = 300.0, workers: int = 1, server: str = "uvicorn"
) -> Iterator[GatewayProcess]:
    """Serve `api.main:app` with `server` (uvicorn or granian, `workers` worker processes) in a child
    process on a free loopback port; yields its URL and pid, and stops it (SIGTERM, then SIGKILL) on
    exit. Fails with the log tail if it does not become ready. With more than one worker, Triton must
    already run (the workers share it rather than each launching one)."""
    port = free_port()
    log_path = Path(env["AISLE_DATA_DIR"]) / "logs" / "bench-gateway.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(server, port, workers),
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, startup_timeout_s, process, log_path)
        yield GatewayProcess(url, process.pid)
    finally:
        stop_group(process, grace_s=30)


def stop_group(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """Stop a child started with `start_new_session=True` together with what it started (gateway
    workers, a supervised Triton): SIGTERM to its process group, SIGKILL after `grace_s` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_ready(
    url: str, timeout_s: float, process: subprocess.Popen[bytes] | None = None, log_path: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
            raise RuntimeError(f"gateway exited with status {process.returncode}:\n{tail}")
        try:
            response = httpx.get(f"{url}/readyz", timeout=5.0)
            if response.status_code == 200:
                return
            last = response.text
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise RuntimeError(f"gateway at {url} not ready after {timeout_s:.0f}s: {last}")


def wait_warm(url: str, timeout_s: float = 120.0, confirmations: int = 8) -> float | None:
    """Seconds until the gateway's product cache holds the whole catalog and its range-search copy is
    built, as `/readyz` reports them on `confirmations` answers in a row, each on a new connection (so
    with several workers every one of them is very likely to have answered); None when that did not
    happen within `timeout_s` (a catalog larger than the cache is never warmed whole).

    A worker fills its cache and makes the copy in the background after it reports ready: one to two
    seconds of CPU per worker on the homedepot catalog. A measurement that starts before that is over
    charges it to the first searches it times.
    """
    start = time.monotonic()
    in_a_row = 0
    while time.monotonic() - start < timeout_s:
        try:
            index = httpx.get(f"{url}/readyz", timeout=5.0).json().get("checks", {}).get("index", {})
        except (httpx.HTTPError, ValueError):
            index = {}
        count, cached = index.get("count"), index.get("cached_products")
        warm = isinstance(count, int) and isinstance(cached, int) and count > 0 and cached >= count
        warm = warm and index.get("range_search", "ready") in ("ready", None)
        in_a_row = in_a_row + 1 if warm else 0
        if in_a_row >= confirmations:
            return time.monotonic() - start
        time.sleep(0.05 if warm else 0.25)
    return None


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
