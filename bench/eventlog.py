"""Event log write throughput: durable appends per second, embedded SQLite log and Kafka.

Two write patterns, the two the gateway has:

- clicks: POST /v1/events appends each reported event synchronously, one `append_events` call (one
  fsync, or one acknowledged produce) per event before it answers 202. Measured from 1 and more
  threads, since concurrent requests append concurrently.
- impressions: every search hands its served list to a background writer that appends whatever has
  queued in one `append_impressions` call (group commit, at most 256 per write). Measured one by one
  (batch 1, the cost without group commit) and in batches, from one thread as the writer does.
  Each impression is shaped like a served page: 10 products with an 18-feature ranker row each.

Every append is durable when it returns (the `EventLog` contract), so these are fsync-bound figures:
they depend on the disk more than on the CPU. The embedded log is written to a fresh file in `--dir`
(a temporary directory by default: put it on the disk the data volume will use). Kafka runs when
`--kafka HOST:PORT` names a broker, or with `--kafka-start`, which starts the project's single-node
broker (scripts/kafka.sh, fsync per message) on free ports with its data in a temporary directory
and stops it afterwards. Each Kafka run writes to a fresh topic. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import print_table, write_json
from bench.indexing_metrics import hardware
from engine.errors import AisleError
from engine.events.base import Event, EventLog, Impression

EPILOG = """examples:
  python -m bench.eventlog --appends 2000 --threads 1,8 --out bench/results/eventlog.json
  python -m bench.eventlog --appends 2000 --threads 1,8 --kafka-start --out bench/results/eventlog.json
  python -m bench.eventlog --kafka 127.0.0.1:9092 --appends 500 --batches 1,16,256
  python -m bench.eventlog --dir /var/lib/aisle --appends 1000      the disk the data volume uses
"""

PAGE_SIZE = 10


def click(i: int) -> Event:
    """A reported click as the gateway appends it: its own event id, tied to a search id."""
    return Event(
        event_id=uuid.uuid4().hex,
        type="click",
        product_id=f"p{i:08d}",
        timestamp=time.time(),
        search_id=uuid.uuid4().hex,
        position=1 + i % PAGE_SIZE,
        session_id=f"s{i % 97}",
    )


def impression(i: int, n_features: int) -> Impression:
    """A served page: `PAGE_SIZE` products with one ranker feature row each."""
    return Impression(
        search_id=uuid.uuid4().hex,
        timestamp=time.time(),
        query=f"cordless drill {i % 50}",
        product_ids=tuple(f"p{(i * PAGE_SIZE + j):08d}" for j in range(PAGE_SIZE)),
        positions=tuple(range(1, PAGE_SIZE + 1)),
        ranker_version=1,
        features=tuple(tuple(((i + j + f) % 17) / 17.0 for f in range(n_features)) for j in range(PAGE_SIZE)),
        feature_names=tuple(f"f{f}" for f in range(n_features)),
        session_id=f"s{i % 97}",
    )


def drive_clicks(log: EventLog, appends: int, threads: int) -> dict[str, Any]:
    """`appends` single-click `append_events` calls spread over `threads` threads."""
    per_thread = [appends // threads + (1 if t < appends % threads else 0) for t in range(threads)]
    errors: list[BaseException] = []

    def work(count: int, base: int) -> None:
        try:
            for i in range(count):
                log.append_events([click(base + i)])
        except BaseException as exc:  # reported after the join, not lost in the thread
            errors.append(exc)

    workers = [
        threading.Thread(target=work, args=(count, sum(per_thread[:t]))) for t, count in enumerate(per_thread)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return {
        "pattern": "click",
        "threads": threads,
        "batch": 1,
        "records": appends,
        "writes": appends,
        **_rates(appends, appends, seconds),
    }


def drive_impressions(log: EventLog, count: int, batch: int, n_features: int) -> dict[str, Any]:
    """`count` impressions from one thread, `batch` per `append_impressions` call (1: one by one)."""
    records = [impression(i, n_features) for i in range(count)]
    writes = 0
    started = time.perf_counter()
    for start in range(0, count, batch):
        offsets = log.append_impressions(records[start : start + batch])
        if len(offsets) != len(records[start : start + batch]):
            raise RuntimeError(f"append_impressions returned {len(offsets)} offsets for a batch")
        writes += 1
    seconds = time.perf_counter() - started
    return {
        "pattern": "impression",
        "threads": 1,
        "batch": batch,
        "records": count,
        "writes": writes,
        **_rates(count, writes, seconds),
    }


def _rates(records: int, writes: int, seconds: float) -> dict[str, float]:
    seconds = max(seconds, 1e-9)
    return {
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds, 1),
        "writes_per_s": round(writes / seconds, 1),
        "ms_per_write": round(1000.0 * seconds / max(writes, 1), 3),
    }


def measure(
    log: EventLog, appends: int, threads: Sequence[int], batches: Sequence[int], n_features: int
) -> list[dict[str, Any]]:
    """Every click level, then every impression batch size, on one log; rows as in the JSON."""
    rows = [drive_clicks(log, appends, t) for t in threads]
    rows += [drive_impressions(log, appends, b, n_features) for b in batches]
    expected = appends * (len(threads) + len(batches))
    written = sum(log.counts().get(kind, 0) for kind in ("click", "impression"))
    if written < expected:
        raise RuntimeError(f"the log holds {written} clicks and impressions after {expected} appends")
    return rows


@contextmanager
def kafka_broker() -> Iterator[str]:
    """`bench.sim_kafka.kafka_broker` in a temporary data directory, removed afterwards."""
    from bench.sim_kafka import kafka_broker as broker

    data = Path(tempfile.mkdtemp(prefix="aisle-bench-kafka-"))
    try:
        with broker(data) as bootstrap:
            yield bootstrap
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run_backend(
    name: str, open_log: Callable[[], EventLog], appends: int, threads: Sequence[int], batches: Sequence[int]
) -> list[dict[str, Any]]:
    from engine.ranking.features import N_FEATURES

    log = open_log()
    try:
        rows = measure(log, appends, threads, batches, N_FEATURES)
    finally:
        log.close()
    print(f"{name}: done", file=sys.stderr)
    return [{"backend": name, **row} for row in rows]


def _int_list(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected a comma list of positive integers, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eventlog",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--appends", type=int, default=2000, help="records per measurement (default 2000)")
    parser.add_argument("--threads", type=_int_list, default=[1, 8], help="click appenders (default 1,8)")
    parser.add_argument(
        "--batches", type=_int_list, default=[1, 16, 256], help="impressions per write (default 1,16,256)"
    )
    parser.add_argument("--dir", type=Path, help="directory of the embedded log file (default: a temp dir)")
    kafka = parser.add_mutually_exclusive_group()
    kafka.add_argument("--kafka", metavar="HOST:PORT", help="also measure the Kafka log on this broker")
    kafka.add_argument("--kafka-start", action="store_true", help="start scripts/kafka.sh for the run")
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    if args.appends < 1:
        parser.error("--appends must be positive")
    from engine.events.embedded import EmbeddedEventLog

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="aisle-bench-log-", dir=args.dir) as tmp:
        path = Path(tmp) / "events.sqlite"
        rows += run_backend(
            "embedded", lambda: EmbeddedEventLog(path), args.appends, args.threads, args.batches
        )
    if args.kafka or args.kafka_start:
        from engine.events.kafka import KafkaEventLog

        def kafka_rows(bootstrap: str) -> list[dict[str, Any]]:
            prefix = f"bench-{uuid.uuid4().hex[:8]}"
            return run_backend(
                "kafka", lambda: KafkaEventLog(bootstrap, prefix), args.appends, args.threads, args.batches
            )

        try:
            if args.kafka:
                rows += kafka_rows(args.kafka)
            else:
                with kafka_broker() as bootstrap:
                    rows += kafka_rows(bootstrap)
        except (RuntimeError, AisleError) as exc:
            print(f"python -m bench.eventlog: Kafka: {exc}", file=sys.stderr)
            return 1
    report = {
        "benchmark": "eventlog",
        "appends": args.appends,
        "page_size": PAGE_SIZE,
        "kafka": "started by scripts/kafka.sh" if args.kafka_start else args.kafka,
        "hardware": hardware(),
        "results": rows,
    }
    keys = (
        "backend",
        "pattern",
        "threads",
        "batch",
        "records",
        "records_per_s",
        "writes_per_s",
        "ms_per_write",
    )
    headers = ("log", "records", "threads", "batch", "count", "records/s", "writes/s", "ms/write")
    print_table(headers, [tuple(r[k] for k in keys) for r in rows])
    if args.out:
        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
