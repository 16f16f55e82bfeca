"""What one sales sweep costs (`indexer.sales.refresh_sales`): CPU and wall seconds to read every product
of an index and find the sales due, run several times in one process on an index `indexer build` or
`bench.relevance` wrote. Nothing is written: the sweep's patch function is replaced by one that changes
nothing, so the sales due are found but neither started nor ended.

    python -m bench.sales_sweep --data-dir var/bench/<catalog hash> --runs 4
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from engine.config import load_settings
from engine.lexical.embedded import EmbeddedLexical
from indexer.sales import refresh_sales


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sales_sweep",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="example: python -m bench.sales_sweep --data-dir var/bench/a60075ffb6676f2f --runs 4",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="an AISLE_DATA_DIR holding an index")
    parser.add_argument("--runs", type=int, default=4, help="sweeps, one after the other (default 4)")
    args = parser.parse_args(argv)
    if not (args.data_dir / "lexical").is_dir():
        parser.error(f"{args.data_dir} holds no embedded index (no lexical/ folder)")
    lexical = EmbeddedLexical.from_settings(load_settings(data_dir=args.data_dir))
    print(f"products {len(lexical.all_ids())}")
    for run in range(args.runs):
        cpu, wall = time.process_time(), time.perf_counter()
        report = refresh_sales(lexical, lambda patches: [], datetime.now(UTC))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"run {run}: cpu {cpu:.3f} s, wall {wall:.3f} s, next change {report.next_change}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
