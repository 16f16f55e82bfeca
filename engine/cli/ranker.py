"""`engine ranker train|update|rollout|versions|status`: train, roll out and inspect ranker versions.

The gate verbs (`trial`, `checkset`, `rollback`) are in `engine.cli.ranker_gate`.

Just over 300 lines because it holds every `engine ranker` verb's parser and dispatch; the text they
print is in `ranker_text.py`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cli.encoder_step import add_encoder_step_options, encoder_line, encoder_step
from engine.cli.ranker_gate import add_trial_options, trial_config
from engine.cli.ranker_gate import register as register_gates
from engine.cli.ranker_text import decision, status_lines
from engine.config import Settings, load_settings
from engine.events.factory import open_event_log
from engine.inference.factory import LazyLoader
from engine.learning.objectives import CLICK_LOSSES, DEFAULT_CLICK_LOSS

if TYPE_CHECKING:
    from engine.learning.offline_data import Judgements

EXAMPLES = """examples:
  engine ranker train --products ../shared/datasets/crowdflower/products.jsonl \\
      --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
      --qrels ../shared/datasets/crowdflower/qrels.dev.tsv --api http://127.0.0.1:8080 --rollout
  engine ranker update                          one update from the clicks logged since the last run
  engine ranker update --continuous --interval 300
  engine ranker update --no-bias-correction     naive clicks (for comparison only)
  engine ranker update --no-trial               with a check set: serve what it accepts, no trial
  engine ranker update --loss softmax           fit the clicks' list likelihood instead of pairs
  engine ranker update --continuous --encoder-every 2000
                                                the query tower learns too, every 2,000 new clicks
  engine ranker checkset --queries q.tsv --qrels qrels.tsv   the shop's judged queries as first gate
  engine ranker trial status                    the running interleaved trial and its counts
  engine ranker versions                        kept versions and how each was validated
  engine ranker rollout 4                       serve version 4 (written by `train` without --rollout)
  engine ranker rollback                        serve the newest version that passed its gate
  engine ranker status                          serving version, checkpoint, unread events
  engine ranker status --json                   the same as JSON, for scripts
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ranker",
        help="train, roll out and inspect ranker versions",
        description="Learning to rank: offline from judgements, online from the click log.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    train = verbs.add_parser(
        "train",
        help="fit a new version on labelled judgements",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--products", type=Path, required=True, help="catalog JSON lines (ids are checked)")
    train.add_argument("--queries", type=Path, required=True, help="TSV: query_id, query")
    train.add_argument("--qrels", type=Path, required=True, help="TSV: query_id, product_id, grade")
    train.add_argument("--api", help="gateway URL to get feature rows from (default: in-process pipeline)")
    train.add_argument("--out", type=Path, help="also copy the new version's directory here")
    train.add_argument("--depth", type=int, default=100, help="candidates per query (default 100)")
    train.add_argument("--holdout-frac", type=float, default=0.2, help="queries held out for metrics")
    train.add_argument("--loss", choices=("softmax", "lambdarank"), default="softmax")
    train.add_argument("--epochs", type=int, default=100)
    train.add_argument("--lr", type=float, default=0.02)
    train.add_argument("--seed", type=int, default=13)
    train.add_argument("--rollout", action="store_true", help="serve it if held-out nDCG did not drop")
    train.add_argument("--force", action="store_true", help="with --rollout: serve it even if it dropped")
    train.add_argument(
        "--include-encoder-queries",
        action="store_true",
        help="keep judged queries the serving query encoder was fine-tuned on (left out by default: a "
        "ranker fitted on them over-trusts the dense score on every other query)",
    )
    train.set_defaults(handler=_train)

    update = verbs.add_parser("update", help="learn from logged clicks, validate, roll out or reject")
    update.add_argument("--continuous", action="store_true", help="keep running every --interval seconds")
    update.add_argument("--interval", type=float, default=300.0, help="seconds between runs (default 300)")
    update.add_argument("--no-bias-correction", action="store_true", help="weight every click 1")
    update.add_argument(
        "--loss",
        choices=CLICK_LOSSES,
        default=DEFAULT_CLICK_LOSS,
        help="click objective: each clicked product over the ones shown with it and skipped (pairwise),"
        f" or the list's click likelihood (softmax); default {DEFAULT_CLICK_LOSS}",
    )
    update.add_argument("--check-set", type=Path, help="labelled check set (default: the one `train` saved)")
    update.add_argument("--min-clicks", type=int, default=50, help="training clicks needed to run")
    update.add_argument("--keep", type=int, default=5, help="ranker versions to keep on disk")
    update.add_argument("--json", action="store_true", help="print each outcome as JSON (one per line)")
    update.add_argument("--no-trial", action="store_true", help="no interleaved trial (needs a check set)")
    update.add_argument("--force", action="store_true", help="serve an accepted candidate without a gate")
    add_encoder_step_options(update)
    add_trial_options(update)
    update.set_defaults(handler=_update)

    forward = verbs.add_parser("rollout", help="serve a kept version (e.g. one `train` wrote)")
    forward.add_argument("version", type=int)
    forward.set_defaults(handler=_rollout)

    register_gates(verbs)
    verbs.add_parser("versions", help="list kept versions with validation results").set_defaults(
        handler=_versions
    )
    status = verbs.add_parser("status", help="serving version, checkpoint and unread events")
    status.add_argument("--json", action="store_true", help="print the status as JSON (Unix times)")
    status.set_defaults(handler=_status)


def _progress(total_label: str) -> Any:
    from tqdm import tqdm

    bar = tqdm(desc=total_label, unit="query", file=sys.stderr)

    def step(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return step


def collect_judged(settings: Any, api: str | None, judgements: Any, depth: int, label: str) -> list[Any]:
    """Candidate lists with features for judged queries: from a running gateway (`api`) or from this
    process's own assembly of the gateway's pipeline, so the features match what it serves."""
    from engine.learning.offline import collect
    from engine.learning.offline_data import ApiFeatureSource

    services = None
    if api:
        source: Any = ApiFeatureSource(api)
    else:
        from engine.learning.offline_data import PipelineFeatureSource
        from engine.services import open_services

        services = open_services(settings)
        source = PipelineFeatureSource(services.pipeline)
    try:
        return collect(source, judgements, depth, _progress(label))
    finally:
        if services is not None:
            services.close()


def _train(args: argparse.Namespace) -> int:
    from engine.learning.offline import OfflineConfig, train_from_judgements
    from engine.learning.offline_data import load_judgements, load_product_ids
    from engine.learning.rollout import roll_out
    from engine.learning.versions import RankerStore

    settings = load_settings()
    judgements = load_judgements(args.queries, args.qrels)
    if not args.include_encoder_queries:
        judgements = _without_encoder_queries(settings, judgements)
    catalog = load_product_ids(args.products)
    judged = {pid for grades in judgements.grades.values() for pid in grades}
    unknown = len(judged - catalog)
    if unknown:
        print(f"warning: {unknown} judged products are not in {args.products}", file=sys.stderr)
    config = OfflineConfig(
        depth=args.depth,
        holdout_frac=args.holdout_frac,
        loss=args.loss,
        epochs=args.epochs,
        lr=args.lr,
        seed=args.seed,
    )
    lists = collect_judged(settings, args.api, judgements, config.depth, "features")
    store = RankerStore(settings)
    data = {
        "data": {
            "products": str(args.products),
            "queries": str(args.queries),
            "qrels": str(args.qrels),
            "catalog_size": len(catalog),
        }
    }
    result = train_from_judgements(store, lists, judgements, config, data=data)
    print(json.dumps({"version": result.version, "parent": result.parent, **result.metrics}, indent=2))
    if args.out:
        target = args.out / str(result.version)
        shutil.copytree(store.model_dir / str(result.version), target, dirs_exist_ok=True)
        print(f"copied version {result.version} to {target}", file=sys.stderr)
    if args.rollout:
        if not result.improved and not args.force:
            print(
                f"not rolled out: held-out nDCG@10 dropped; version {result.version} is kept", file=sys.stderr
            )
            return 1
        loader = LazyLoader(settings)
        try:
            details = {"source": "train", "metrics": result.metrics, "forced": not result.improved}
            roll_out(store, loader, result.version, details=details)
        finally:
            loader.close()
        print(f"serving ranker version {result.version}", file=sys.stderr)
    return 0


def _without_encoder_queries(settings: Settings, judgements: Judgements) -> Judgements:
    """`judgements` less the queries the serving encoder learned from (`engine.encoder.trained`)."""
    from engine.encoder.trained import serving_trained_queries, without_trained
    from engine.encoder.versions import QueryEncoderStore

    trained = serving_trained_queries(QueryEncoderStore(settings))
    kept, left_out = without_trained(judgements, trained, "the serving query encoder")
    if left_out:
        print(
            f"left out {left_out} judged queries the serving query encoder was fine-tuned on "
            "(--include-encoder-queries keeps them)",
            file=sys.stderr,
        )
    return kept


def _update(args: argparse.Namespace) -> int:
    from engine.learning.gate import GateConfig
    from engine.learning.offline import check_set_path
    from engine.learning.update import UpdateConfig, UpdateJob
    from engine.learning.versions import RankerStore, brief

    settings = load_settings()
    check_set = args.check_set or check_set_path(RankerStore(settings))
    config = UpdateConfig(
        bias_correction=not args.no_bias_correction,
        loss=args.loss,
        min_train_clicks=args.min_clicks,
        keep_versions=args.keep,
        check_set=check_set if check_set.is_file() else None,
        gate=GateConfig(),
        trial=None if args.no_trial else trial_config(args),
        force=args.force,
    )
    log, loader = open_event_log(settings), LazyLoader(settings)
    job = UpdateJob(settings, log, loader, config)
    try:
        encoder = encoder_step(settings, log, loader, args) if args.encoder_every else None
        if not args.continuous:
            outcome = job.run_once()
            if outcome.get("action") == "refused":
                print(f"engine: {outcome['reason']}", file=sys.stderr)
                return 1
            outcome = brief(outcome)
            print(json.dumps(outcome, indent=2) if args.json else decision(outcome))
            if encoder is not None:
                print(encoder_line(encoder.run_once(), args.json))
            return 0
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set():
            outcome = brief(job.run_once())
            print(json.dumps(outcome) if args.json else decision(outcome), flush=True)
            if encoder is not None:
                print(encoder_line(encoder.run_once(), args.json), flush=True)
            stop.wait(args.interval)
        return 0
    finally:
        log.close()
        loader.close()


def _rollout(args: argparse.Namespace) -> int:
    from engine.learning.rollout import roll_out
    from engine.learning.versions import RankerStore

    settings = load_settings()
    store = RankerStore(settings)
    loader = LazyLoader(settings)
    try:
        record = roll_out(store, loader, args.version, keep=len(store.versions()))
    finally:
        loader.close()
    print(f"serving ranker version {record['version']} (was {record['previous']})")
    return 0


def _versions(args: argparse.Namespace) -> int:
    from engine.learning.history import validations
    from engine.learning.versions import RankerStore

    store = RankerStore(load_settings())
    serving = store.serving()
    print(f"{'':2}{'version':>7}  {'kind':<10} {'created':<25} {'gate':<10} {'passed':<6} validation")
    for version, checked in validations(store).items():
        manifest = store.manifest(version)
        record = manifest.training
        mark = "*" if version == serving else ""
        numbers = checked.summary if checked.gate == "trial" else _numbers(record.results)
        print(
            f"{mark:2}{version:>7}  {record.kind or '?':<10} {manifest.created_at:<25} {checked.gate:<10}"
            f" {'yes' if checked.passed else 'no':<6} {numbers}"
        )
    return 0


def _numbers(validation: dict[str, Any]) -> str:
    if "clicks" in validation:
        clicks, ndcg = validation["clicks"], validation.get("ndcg") or {}
        cand, serv = clicks.get("candidate", float("nan")), clicks.get("serving", float("nan"))
        text = f"ips clicks {cand:.4f} vs {serv:.4f}"
        if ndcg:
            text += f", check nDCG@10 {ndcg['candidate']:.4f} vs {ndcg['serving']:.4f}"
        return text
    if "holdout_ndcg@10_after" in validation:
        return (
            f"held-out nDCG@10 {validation['holdout_ndcg@10_after']:.4f} "
            f"(was {validation['holdout_ndcg@10_before']:.4f})"
        )
    return "-"


def _status(args: argparse.Namespace) -> int:
    from engine.learning.update import UpdateJob
    from engine.learning.versions import RankerStore, brief

    settings = load_settings()
    store = RankerStore(settings)
    log = open_event_log(settings)
    try:
        job = UpdateJob(settings, log, LazyLoader(settings))
        offset, last = job.resume_offset(), log.last_offset()
    finally:
        log.close()
    records = store.rollouts.records()
    latest = brief(records[-1]) if records else None
    status = {
        "serving": store.serving(),
        "versions": store.versions(),
        "checkpoint": offset,
        "log_last_offset": last,
        "unread_records": last - offset,
        "last_decision": latest,
    }
    print(json.dumps(status, indent=2, default=str) if args.json else "\n".join(status_lines(status)))
    return 0
