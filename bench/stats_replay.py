"""What a gateway process pays to bring its click statistics up from the event log.

Every gateway process reads the whole log into its click statistics at start and then follows it
(`engine.ranking.stats_feed`), so the cost of reading a served list back is paid once per list per
process at start, and again for every list every process serves. Two ways, side by side on one log,
alternating `--rounds` times:

- `full`: `EventLog.read` and `ClickStats.observe`, every record decoded whole (its 10 x 18 feature rows
  included);
- `lean`: what the feed does, `EventLog.read_signals` (the feature rows cut out by SQLite's JSON
  functions before Python parses anything) and `ClickStats.observe`.

The statistics keep at most `--max-pairs` (query, product) pairs (the gateway's
`AISLE_CLICK_STATS_MAX_PAIRS`), in two windows; the report says how many windows were started.

Reported per way: seconds and CPU seconds for the whole log, microseconds of CPU per served list, and
the feed's steady state: CPU per served list when it reads `--tick` new records at a time (one second
of traffic at that many searches per second, spread over the processes). Both ways must end with the
same statistics (compared on every product and on a sample of (query, product) pairs). Then a start
from the statistics' checkpoint (`engine.ranking.stats_checkpoint`, saved when the last window closed)
is timed: it must end with the same statistics as reading the whole log.

The log is made here: `--lists` served pages of 10 products (an 18-feature ranker row each) over a
catalog of `--catalog` products and `--queries` distinct queries, and a click on every `--click-every`-th
list, in a fresh file in `--dir` (a temporary directory by default).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, write_json
from bench.indexing_metrics import hardware
from engine.events.base import Event, EventLog, Impression
from engine.events.embedded import EmbeddedEventLog
from engine.ranking.stats import ClickStats
from engine.ranking.stats_feed import StatsFeed

EPILOG = """examples:
  python -m bench.stats_replay --lists 200000 --out bench/results/stats-replay.json
  python -m bench.stats_replay --lists 20000 --rounds 1          a quick look
"""

PAGE = 10
FEATURES = 18
_WRITE_BATCH = 1000


def make_log(log: EventLog, lists: int, catalog: int, queries: int, click_every: int, seed: int) -> int:
    """Append `lists` served pages and their clicks, in the order a gateway writes them; returns how
    many clicks were written."""
    rng = random.Random(seed)
    names = tuple(f"f{i}" for i in range(FEATURES))
    clicks, served, events = 0, [], []
    for i in range(lists):
        products = tuple(f"p{rng.randrange(catalog)}" for _ in range(PAGE))
        rows = tuple(tuple(round(rng.random(), 6) for _ in range(FEATURES)) for _ in products)
        search_id = f"s{i}"
        query = f"query {rng.randrange(queries)}"
        served.append(
            Impression(search_id, 1.0 + i, query, products, tuple(range(1, PAGE + 1)), 1, rows, names)
        )
        if i % click_every == 0:
            position = rng.randrange(PAGE)
            events.append(Event(f"e{i}", "click", products[position], 2.0 + i, search_id, position + 1))
            clicks += 1
        if len(served) == _WRITE_BATCH:
            log.append_impressions(served)
            log.append_events(events)
            served, events = [], []
    if served:
        log.append_impressions(served)
    if events:
        log.append_events(events)
    return clicks


def fold(
    log: EventLog, lean: bool, tick: int | None = None, max_pairs: int = 1_000_000
) -> tuple[ClickStats, float, float]:
    """(statistics, wall seconds, CPU seconds) of reading the whole log `tick` records at a time
    (None: in the feed's batches)."""
    stats = ClickStats(max_pairs=max_pairs)
    wall, cpu = time.perf_counter(), time.process_time()
    if lean and tick is None:
        StatsFeed(log, stats).catch_up()
    else:
        offset, limit = 0, tick or 10_000
        read = log.read_signals if lean else log.read
        while records := read(after=offset, limit=limit):
            stats.observe(records)
            offset = records[-1].offset
    return stats, time.perf_counter() - wall, time.process_time() - cpu


def start_from_checkpoint(log: EventLog, path: Path, max_pairs: int) -> dict[str, Any]:
    """A process reads the whole log, saving its closed windows to `path`; then a start from that
    checkpoint is timed (the statistics it ends with are returned under "stats")."""
    first = StatsFeed(log, ClickStats(max_pairs=max_pairs), checkpoint=path)
    first.catch_up()
    first.close()  # waits for the last window's save
    wall, cpu = time.perf_counter(), time.process_time()
    restarted = StatsFeed(log, ClickStats(max_pairs=max_pairs), checkpoint=path)
    restored = restarted.restore()
    after = restarted.catch_up()
    return {
        "restored": restored,
        "records_after": after,
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "checkpoint_mb": round(path.stat().st_size / 1e6, 3) if path.is_file() else 0.0,
        "stats": restarted.stats,
    }


def same_statistics(a: ClickStats, b: ClickStats, catalog: int, queries: int) -> bool:
    products = [f"p{i}" for i in range(catalog)]
    if [a.ctr(p) for p in products] != [b.ctr(p) for p in products]:
        return False
    sample = [f"query {q}" for q in range(0, queries, max(queries // 50, 1))]
    return all(a.ctrs(q, products[:2000]) == b.ctrs(q, products[:2000]) for q in sample)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stats_replay",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lists", type=int, default=200_000, help="served lists in the log (200000)")
    parser.add_argument("--catalog", type=int, default=50_000, help="products (50000)")
    parser.add_argument("--queries", type=int, default=30_000, help="distinct queries (30000)")
    parser.add_argument("--click-every", type=int, default=4, help="a click on every n-th list (4)")
    parser.add_argument("--tick", type=int, default=150, help="records per read in the steady state (150)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of both ways (2)")
    parser.add_argument(
        "--max-pairs", type=int, default=1_000_000, help="the statistics' bound (AISLE_CLICK_STATS_MAX_PAIRS)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, help="directory of the log file (default: a temp dir)")
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args(argv)
    for name in ("lists", "catalog", "queries", "click_every", "tick", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.max_pairs < 2:
        parser.error("--max-pairs must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="stats-replay-", dir=args.dir))
    try:
        log = EmbeddedEventLog(root / "events.sqlite3")
        print(f"writing {args.lists} served lists ...", file=sys.stderr)
        clicks = make_log(log, args.lists, args.catalog, args.queries, args.click_every, args.seed)
        size_mb = (root / "events.sqlite3").stat().st_size / 1e6
        rows: dict[str, list[dict[str, Any]]] = {"full": [], "lean": []}
        last: dict[str, ClickStats] = {}
        for _ in range(args.rounds):
            for way in ("full", "lean"):
                last.pop(way, None)  # one table of each way alive at a time: they are large
                _, _, tick_cpu = fold(log, lean=way == "lean", tick=args.tick, max_pairs=args.max_pairs)
                last[way], wall, cpu = fold(log, lean=way == "lean", max_pairs=args.max_pairs)
                rows[way].append(
                    {
                        "seconds": round(wall, 2),
                        "cpu_s": round(cpu, 2),
                        "us_per_list": round(1e6 * cpu / args.lists, 1),
                        "tick_us_per_list": round(1e6 * tick_cpu / args.lists, 1),
                    }
                )
        start = start_from_checkpoint(log, root / "click-stats.json", args.max_pairs)
        restarted = start.pop("stats")
        log.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    agree = same_statistics(last["full"], last["lean"], args.catalog, args.queries)
    agree = agree and same_statistics(restarted, last["lean"], args.catalog, args.queries)
    table = [
        [way, i + 1, r["seconds"], r["cpu_s"], r["us_per_list"], r["tick_us_per_list"]]
        for way, runs in rows.items()
        for i, r in enumerate(runs)
    ]
    print_table(
        ["way", "round", "seconds", "CPU s", "CPU us per list", f"CPU us per list, {args.tick} at a time"],
        table,
    )
    print(
        f"start from the checkpoint ({start['checkpoint_mb']} MB, {start['records_after']} records after it):"
        f" {start['seconds']} s, {start['cpu_s']} s of CPU"
    )
    print(f"log: {args.lists} lists, {clicks} clicks, {size_mb:.0f} MB; same statistics every way: {agree}")
    report = {
        "lists": args.lists,
        "clicks": clicks,
        "log_mb": round(size_mb, 1),
        "catalog": args.catalog,
        "queries": args.queries,
        "tick": args.tick,
        "max_pairs": args.max_pairs,
        "windows_started": last["lean"].windows_started,
        "start_from_checkpoint": start,
        "ways": rows,
        "same_statistics": agree,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "hardware": hardware(),
    }
    if args.out:
        write_json(args.out, report)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
