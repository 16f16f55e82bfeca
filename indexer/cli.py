"""`indexer`: build and maintain the product index from catalog files.

Exit status: 0 done; 1 failed (nothing written: strict-mode bad records, more than `--max-bad` of them in a
build, a server down, no index yet, `verify` found a difference); 2 wrong usage (an argument, a named file
that is missing or unreadable as a catalog, a bad `AISLE_*` setting); 3 done, but bad records were skipped
(each reported as `indexer: error: FILE:LINE: ...` on stderr). Settings come from `AISLE_*` variables
(engine.config).

Over 300 lines because it holds every verb's argument parser with its `--help` examples and the lines
each verb prints; the work behind each verb lives in its own module (build, updates, verify).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from engine.catalog import IndexManifest, LiveIndex, built_stamp, catalog_root, open_live, read_manifest
from engine.cli.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, run_command, warn_unknown_environment
from engine.config import Settings, load_settings
from engine.errors import InvalidInput
from engine.inference.base import InferenceBackend
from engine.lexical.base import LexicalIndex
from engine.lexical.matching import SearchFields
from engine.sale_dates import write_moment
from engine.vectors.calibration import very_alike
from engine.vectors.factory import FactoryVectorIO
from indexer.build import Builder, BuildOptions
from indexer.embedding import EmbedOptions
from indexer.loading import LoadedCatalog, load_catalog, load_products_json, read_ids, shop_records
from indexer.named_ids import IdNames
from indexer.partial import inline_records, load_patches
from indexer.problems import MAX_BAD_SHARE, MAX_REPORTED, BadRecords, Problem
from indexer.readers import FeedFormat, read_records
from indexer.rounded import rounded_note
from indexer.sales import refresh_sales
from indexer.shop_reading import shop_feed, shop_limits
from indexer.sku_rows import SkuRows
from indexer.store_views import StoreViews
from indexer.updates import IndexUpdater
from indexer.verify import stats, verify

EXIT_SKIPPED = 3
CATALOG_HELP = "catalog: .jsonl/.ndjson, .csv, .xml (optionally .gz) or .parquet"

EXAMPLES = """examples:
  indexer build catalog.jsonl                 # new generation; a no-op if nothing changed
  indexer build catalog.parquet --force       # rebuild even if the catalog is unchanged
  indexer build catalog.csv --strict          # any bad record fails the run, nothing written
  indexer build catalog.csv --max-bad 30      # publish even if up to 30% of the records are bad (10)
  indexer build google-shopping.xml           # the Google Shopping feed a shop already publishes
  AISLE_CATALOG_COLUMNS='{"titel": "title", "prijs": "price"}' indexer build export.csv
                                              # an export with the shop's own column names
  indexer upsert new-arrivals.jsonl
  indexer upsert --json '{"id": "sku-1", "title": "Chef knife 20 cm", "price": 49.9}'
  indexer upsert --partial prices.csv         # columns id,price: change prices, keep the rest
  indexer upsert --partial --json '{"id": "sku-1", "availability": "out_of_stock"}'
  indexer delete sku-1 sku-2
  indexer delete --file discontinued.txt      # one id per line (or a catalog file)
  indexer stats --json
  indexer verify                              # exit 1 if lexical, vectors and manifest disagree
  indexer check export.csv                    # what a build would read: counts, bad lines, attributes
  indexer build catalog.jsonl --text-tower 3  # re-embed with both-towers encoder version 3, then switch
  indexer rollback                            # back to the previous generation and its query tower
  indexer sales                               # start and end the sales due by now (cron: every 5 min)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indexer",
        description="Build and maintain the Aisle product index (lexical + vector stores).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="index a whole catalog file into a new generation")
    build.add_argument("file", type=Path, help=CATALOG_HELP)
    build.add_argument("--strict", action="store_true", help="fail on any bad record, write nothing")
    build.add_argument(
        "--max-bad",
        type=float,
        default=MAX_BAD_SHARE * 100,
        metavar="PERCENT",
        help="publish nothing when more than this share of the records is bad (default: %(default)g)",
    )
    build.add_argument("--force", action="store_true", help="rebuild even if the catalog is unchanged")
    build.add_argument("--chunk-size", type=int, default=1024, help="products per checkpoint chunk")
    build.add_argument(
        "--text-tower",
        type=int,
        help="query-encoder version that embeds the texts: a both-towers version re-embeds the catalog "
        "in its space while the live pair serves (default: the live generation's; 1: the configured model)",
    )
    _embedding_options(build)
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    upsert = commands.add_parser("upsert", help="insert or replace products in the live index")
    source = upsert.add_mutually_exclusive_group(required=True)
    source.add_argument("file", type=Path, nargs="?", help="catalog file with the products")
    source.add_argument("--json", dest="json_text", metavar="JSON", help="one product object or a list")
    upsert.add_argument("--strict", action="store_true", help="fail on any bad record, write nothing")
    upsert.add_argument(
        "--partial",
        action="store_true",
        help="change only the fields given (each record: id + fields; null resets one); unknown ids are "
        "bad records",
    )
    _embedding_options(upsert)
    delete = commands.add_parser("delete", help="remove products from the live index")
    targets = delete.add_mutually_exclusive_group(required=True)
    targets.add_argument("ids", nargs="*", default=[], metavar="ID", help="product ids")
    targets.add_argument("--file", type=Path, help="ids, one per line, or a catalog file")
    info = commands.add_parser("stats", help="show the live generation's manifest and counts")
    info.add_argument("--json", action="store_true", help="print JSON")
    commands.add_parser("verify", help="check lexical, vector stores and manifest agree (exit 1 if not)")
    check = commands.add_parser(
        "check", help="read and validate a catalog file as build would; write nothing"
    )
    check.add_argument("file", type=Path, help=CATALOG_HELP)
    check.add_argument("--json", action="store_true", help="print JSON")
    back = commands.add_parser(
        "rollback", help="serve the generation the live one replaced again (with its query tower)"
    )
    back.add_argument("generation", nargs="?", help="a kept generation (default: the newest other one)")
    sales = commands.add_parser(
        "sales", help="start and end the sales whose dates have come since the catalog was sent"
    )
    sales.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _embedding_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch-size", type=int, default=64, help="texts per encoder request")
    parser.add_argument("--in-flight", type=int, default=4, help="encoder requests outstanding at once")


def open_inference(settings: Settings) -> InferenceBackend:
    """The model server named by the settings (replaced in tests).

    Indexing sends large batches several at a time, so a request may wait behind others in Triton's
    queue: it gets the bulk timeout rather than the interactive one.
    """
    from engine.inference.factory import create_inference

    bulk_timeout = max(settings.triton_timeout_s, settings.triton_bulk_timeout_s)
    return create_inference(settings.model_copy(update={"triton_timeout_s": bulk_timeout}))


def open_lexical(settings: Settings) -> LexicalIndex:
    """The lexical index named by the settings (replaced in tests)."""
    from engine.lexical.factory import create_lexical

    return create_lexical(settings)


class Backends:
    """Opens each backend on first use: `stats` and `verify` never start a model server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._inference: InferenceBackend | None = None
        self._lexical: LexicalIndex | None = None

    @property
    def inference(self) -> InferenceBackend:
        if self._inference is None:
            self._inference = open_inference(self.settings)
        return self._inference

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = open_lexical(self.settings)
        return self._lexical

    def close(self) -> None:
        if self._inference is not None:
            self._inference.close()
        close = getattr(self._lexical, "close", None)
        if callable(close):
            close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="indexer: %(message)s")
    if args.command == "delete" and not args.ids and args.file is None:
        _error("delete needs product ids or --file")
        return EXIT_USAGE
    warn_unknown_environment("indexer")
    return run_command("indexer", lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
        backends = Backends(settings)
        try:
            return COMMANDS[args.command](args, settings, backends)
        finally:
            backends.close()
    except BadRecords as exc:
        _report(exc.problems)
        _error(f"{len(exc.problems)} {exc.what}; nothing was written")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted; a re-run of the same build resumes from its checkpoint")
        return EXIT_INTERRUPTED


def _products(count: int) -> str:
    return f"{count} product" if count == 1 else f"{count} products"


def _build(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    _check_positive(chunk_size=args.chunk_size, batch_size=args.batch_size, in_flight=args.in_flight)
    if not 0 <= args.max_bad <= 100:
        raise InvalidInput(f"--max-bad must be a percentage from 0 to 100, got {args.max_bad:g}")
    options = BuildOptions(
        strict=args.strict,
        max_bad_share=args.max_bad / 100,
        force=args.force,
        chunk_size=args.chunk_size,
        embed=EmbedOptions(args.batch_size, args.in_flight),
        progress=not args.no_progress,
        text_tower=args.text_tower,
        limits=shop_limits(settings),
        feed=shop_feed(settings),
    )
    if args.text_tower is not None and args.text_tower < 1:
        raise InvalidInput(f"--text-tower must be a query-encoder version >= 1, got {args.text_tower}")
    report = Builder(settings, backends.inference, backends.lexical).build(args.file, options)
    if report.unchanged:
        print(
            f"unchanged: generation {report.generation} already holds this catalog ({report.count} products)"
        )
    elif report.reanalysed:
        print(
            f"re-analysed: generation {report.generation} holds this catalog ({report.count} products); its "
            "lexical index was written again for the new searchable fields, identifiers or language "
            "(vectors unchanged)"
        )
    else:
        resumed = f", {report.reused} embeddings resumed from checkpoint" if report.reused else ""
        spaces = ", ".join(f"{s} {n}" for s, n in sorted(report.space_counts.items()))
        print(f"built generation {report.generation}: {report.count} products (vectors: {spaces}){resumed}")
        _report_thresholds(read_manifest(catalog_root(settings), report.generation), report.count)
    if report.unpublished:
        print(
            f"left out {_products(report.unpublished)} the shop does not show (published: draft, private, "
            "hidden, archived)"
        )
    for name, (count, first) in report.rounded.items():
        print(f"indexer: note: {rounded_note(name, count, first)}", file=sys.stderr)
    return _finish(report.problems)


ALIKE_NOTE_MIN = 50  # products; a quantile of fewer products' pairs says little (one product: 1.0)


def _report_thresholds(manifest: IndexManifest, count: int) -> None:
    """The similarity thresholds calibrated on the catalog, and a note when they say its products are so
    alike that meaning alone will rarely match a query (a catalog made mostly of variants of a few items)."""
    semantic = manifest.semantic_threshold
    if semantic is None:
        return
    near = f", near {manifest.near_threshold:.3f}" if manifest.near_threshold is not None else ""
    print(f"semantic match threshold {semantic:.3f}{near} (calibrated on this catalog)")
    if very_alike(semantic) and count >= ALIKE_NOTE_MIN:
        print(
            "indexer: note: products are very alike (0.98 quantile of their pairwise similarity "
            f"{semantic:.3f}): a query matches by meaning only when it is nearly a product's own text, "
            "and products sharing a query word do not join by closeness; AISLE_SEMANTIC_MATCH_THRESHOLD "
            "and AISLE_NEAR_MATCH_THRESHOLD set others (docs/relevance.md)",
            file=sys.stderr,
        )


def _rollback(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    from indexer.rollback import roll_back

    def load_tower(version: int) -> None:
        load = getattr(backends.inference, "add_query_encoder_version", None)
        if not callable(load):
            raise InvalidInput(f"query-encoder version {version} is served by Triton only")
        load(version)

    switched = roll_back(catalog_root(settings), load_tower, args.generation)
    print(
        f"serving generation {switched.current} again (query-encoder version "
        f"{max(switched.text_tower, 1)}); was {switched.previous}"
    )
    return 0


def _upsert(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    _check_positive(batch_size=args.batch_size, in_flight=args.in_flight)
    inline = None
    if args.json_text is not None:
        try:
            inline = json.loads(args.json_text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"--json: invalid JSON: {exc.msg} (column {exc.colno})") from None
    base = Path.cwd() if inline is not None else args.file.parent
    updater = IndexUpdater(
        catalog_root(settings),
        backends.lexical,
        backends.inference,
        FactoryVectorIO(settings),
        image_base_dir=base,
        max_tokens=settings.text_max_tokens,
        embed=EmbedOptions(args.batch_size, args.in_flight),
        limits=shop_limits(settings),
    )
    if args.partial:
        return _patch(args, inline, backends, updater, shop_feed(settings))
    limits = updater.limits
    if inline is not None:
        loaded: LoadedCatalog = load_products_json(inline, limits=limits)
    else:
        loaded = load_catalog(args.file, limits, shop_feed(settings), whole=False)
    if args.strict and loaded.problems:
        raise BadRecords(loaded.problems)
    if loaded.entries:
        live = updater.upsert(loaded.products)
        print(
            f"upserted {_products(len(loaded.entries))}; generation {live.manifest.generation} now holds "
            f"{live.manifest.count} (revision {live.manifest.revision})"
        )
    written = {p.id for p in loaded.products}  # a file may also give the same id published
    hidden = [i for i in loaded.unpublished if i not in written]
    if hidden:  # no longer shown by the shop: out of search too
        removed, live = updater.delete(hidden)
        print(f"took out {removed} of {_products(len(hidden))} the shop no longer shows (published)")
    return _finish(loaded.problems)


def _patch(
    args: argparse.Namespace, inline: object, backends: Backends, updater: IndexUpdater, feed: FeedFormat
) -> int:
    if inline is not None:
        loaded = load_patches(inline_records(inline), "--json", backends.lexical.get, updater.limits)
    else:
        names = IdNames.read(feed.names, feed.encoding)
        read = shop_records(read_records(args.file, columns=("id",), feed=feed), feed, names)
        records = StoreViews(feed.store_view).merged(SkuRows(updater.limits.currency).ordered(read))
        loaded = load_patches(records, str(args.file), backends.lexical.get, updater.limits)
    if args.strict and loaded.problems:
        raise BadRecords(loaded.problems)
    if loaded.patches:
        products, live = updater.patch(loaded.patches)
        print(
            f"changed {_products(len(products))}; generation {live.manifest.generation} holds "
            f"{live.manifest.count} (revision {live.manifest.revision})"
        )
    return _finish(loaded.problems)


def _delete(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    ids = read_ids(args.file) if args.file is not None else list(args.ids)
    updater = IndexUpdater(catalog_root(settings), backends.lexical, None, FactoryVectorIO(settings))
    removed, live = updater.delete(ids)
    print(f"deleted {removed} of {len(set(ids))} ids; {live.manifest.count} products remain")
    return 0


def _stats(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    data = stats(_live(settings), backends.lexical)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    for key, value in data.items():
        if key != "spaces":
            print(f"{key:<17} {value}")
    for space, info in data["spaces"].items():
        print(f"{space + ' vectors':<17} {info['vectors']}  [{info['encoder']}, {info['index_type']}]")
    return 0


def _verify(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    report = verify(_live(settings), backends.lexical)
    counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
    if report.ok:
        print(f"ok: {counts}")
        return 0
    for difference in report.differences:
        _error(difference)
    _error(f"index is inconsistent ({counts})")
    return EXIT_FAILED


def _check(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    from indexer.check import check_catalog, print_check

    search = SearchFields.from_settings(settings)
    report = check_catalog(
        args.file,
        shop_limits(settings),
        shop_feed(settings),
        search,
    )
    report.currency_set = settings.currency is not None
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print_check(report)
        _report(report.problems)
    if not report.valid:
        return EXIT_FAILED
    return EXIT_SKIPPED if report.problems else 0


def _sales(args: argparse.Namespace, settings: Settings, backends: Backends) -> int:
    built_stamp(catalog_root(settings))  # no index yet: say so, as the other commands do
    io = FactoryVectorIO(settings)
    updater = IndexUpdater(catalog_root(settings), backends.lexical, None, io, limits=shop_limits(settings))
    report = refresh_sales(backends.lexical, lambda patches: updater.patch(patches)[0], datetime.now(UTC))
    upcoming = write_moment(report.next_change) if report.next_change else None
    if args.json:
        print(json.dumps({"started": report.started, "ended": report.ended, "next_change": upcoming}))
        return 0
    print(f"sales: {len(report.started)} started, {len(report.ended)} ended", end="")
    print(f"; the next starts or ends at {upcoming}" if upcoming else "; none scheduled")
    return 0


COMMANDS = {
    "build": _build,
    "upsert": _upsert,
    "delete": _delete,
    "stats": _stats,
    "verify": _verify,
    "rollback": _rollback,
    "check": _check,
    "sales": _sales,
}


def _live(settings: Settings) -> LiveIndex:
    """The live generation with every space it holds (no model server needed to inspect it)."""
    return open_live(catalog_root(settings), FactoryVectorIO(settings))


def _finish(problems: list[Problem]) -> int:
    if not problems:
        return 0
    _report(problems)
    _error(f"skipped {len(problems)} bad records (the others were written)")
    return EXIT_SKIPPED


def _report(problems: list[Problem]) -> None:
    for problem in problems[:MAX_REPORTED]:
        _error(str(problem))
    if len(problems) > MAX_REPORTED:
        _error(f"... and {len(problems) - MAX_REPORTED} more bad records")


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise InvalidInput(f"--{name.replace('_', '-')} must be at least 1, got {value}")


def _error(message: str) -> None:
    print(f"indexer: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
