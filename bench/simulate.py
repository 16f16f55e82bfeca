"""Click simulator: does learning from clicks improve ranking, and does position-bias correction matter?

Simulated shoppers (`bench.sim_shop`) issue dev queries through the real HTTP API (a gateway started here
on the real Triton, or --api URL) and report their clicks through POST /v1/events; the gateway logs
impressions and events to the configured event log (embedded, or a Kafka broker started here with
--event-log kafka). Every --update-every sessions the ranking-update job runs (the same `UpdateJob` as
`engine ranker update`, rolling accepted versions out to Triton); then nDCG@10 is measured through the
API, with unlogged searches, on three disjoint splits of the dev queries:

- trained: the queries shoppers use;
- check:   no traffic; their labelled lists (refreshed before each update) are the update job's check set;
- held:    no traffic and never used by anything but this report.

Writes curve.json and curve.png into --out; --both runs the bias-corrected and the naive job from the
same start (same seed, so the same shoppers and queries) and reports them side by side.

Over 300 lines because one run owns the whole loop (servers, shoppers, update job, trial, gates,
evaluation) and every scenario flag of it; the shoppers, the report and the seeds live in `sim_shop`,
`sim_report` and `sim_seeds`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from bench.common import (
    add_judged_dataset_args,
    gateway_process,
    prepared_index,
    print_table,
    read_qrels,
    read_queries,
    write_json,
)
from bench.sim_encoder import query_tower_step, step_line, step_record
from bench.sim_report import HEADERS, plot, summary, table_row
from bench.sim_shop import Shop, Splits, split_queries
from engine.config import Settings, load_settings
from engine.learning.labelled import save_labelled
from engine.learning.objectives import CLICK_LOSSES
from engine.learning.offline import check_set_path
from engine.learning.update import UpdateConfig, UpdateJob
from engine.learning.versions import RankerStore
from engine.pipeline.trialstate import TrialConfig
from engine.ports import free_port
from engine.ranking.features import FEATURE_NAMES

EPILOG = """examples:
  python -m bench.simulate --products ../shared/datasets/crowdflower/products.jsonl \\
      --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
      --qrels ../shared/datasets/crowdflower/qrels.dev.tsv --sessions 3000 --seed 1 --both \\
      --out bench/results/simulate-crowdflower
  python -m bench.simulate ... --no-bias-correction --out /tmp/naive      one naive run
  python -m bench.simulate ... --encoder-every 2000 --encoder-control --out /tmp/tower
                                     the query-tower step too, beside the ranker-only job
  python -m bench.simulate ... --event-log kafka --out /tmp/kafka         through a Kafka broker
  python -m bench.simulate ... --api http://127.0.0.1:8080                a running gateway (AISLE_DATA_DIR
                                                                          must point at its data)
"""
_SKIP = shutil.ignore_patterns(
    "events",
    "learning",
    "rollouts.jsonl",
    "logs",
    "triton.pid",
    "model_repository",
    "triton_backends",
    "simulate-*",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.simulate",
        description=__doc__.split("\n\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_judged_dataset_args(p)
    p.add_argument("--limit", type=int, help="only the first N judged queries (before the split)")
    p.add_argument("--sessions", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--no-bias-correction", action="store_true", help="train on raw clicks")
    p.add_argument("--both", action="store_true", help="run corrected and naive, side by side")
    p.add_argument("--holdout-frac", type=float, default=0.3, help="queries only measured")
    p.add_argument("--check-frac", type=float, default=0.2, help="queries of the gate's check set")
    p.add_argument("--update-every", type=int, default=300, help="sessions between update jobs")
    p.add_argument("--eta", type=float, default=1.0, help="examination 1/k**eta")
    p.add_argument("--noise", type=float, default=0.02, help="click probability of an irrelevant result")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument(
        "--explore-from",
        type=int,
        default=1,
        help="AISLE_EXPLORATION_START of the gateway: first position exploration may swap (default 1)",
    )
    p.add_argument("--event-log", choices=("embedded", "kafka"), default="embedded")
    p.add_argument("--api", help="use this gateway instead of starting one")
    p.add_argument(
        "--gate",
        choices=("checkset", "trial"),
        default="checkset",
        help="checkset: the check split's labelled lists gate each candidate (no trial); trial: no check set,"
        " every candidate must win an interleaved trial on the simulated shoppers",
    )
    p.add_argument("--learn", choices=("clicks", "all"), default="clicks", help="UpdateConfig.learn")
    p.add_argument(
        "--loss",
        choices=CLICK_LOSSES,
        default=UpdateConfig.loss,
        help=f"UpdateConfig.loss: the click objective of both jobs (default {UpdateConfig.loss})",
    )
    p.add_argument(
        "--examination-query-ctr",
        action="store_true",
        help="UpdateConfig.examination_query_ctr: the bias-corrected job publishes its propensities and the"
        " gateway's query_ctr counts views by examination (the naive job never does)",
    )
    p.add_argument("--trial-min-searches", type=int, default=TrialConfig.min_searches)
    p.add_argument("--trial-max-searches", type=int, default=TrialConfig.max_searches)
    p.add_argument(
        "--trial-share",
        type=float,
        default=0.5,
        help="share of the shoppers' searches interleaved while a trial runs (default 0.5)",
    )
    p.add_argument(
        "--concentrate",
        type=int,
        default=0,
        help="K > 0: 75%% of the sessions search only K of the trained queries (concentrated traffic)",
    )
    p.add_argument(
        "--harmful-sessions",
        type=int,
        default=0,
        help="N > 0: first N sessions of shoppers who click the *worst* results, then one update (its"
        " candidate is trained on inverted clicks), then normal shoppers",
    )
    p.add_argument(
        "--encoder-every",
        type=int,
        default=0,
        metavar="N",
        help="N > 0: after each ranker update, the update job's query-tower step (engine ranker update"
        " --encoder-every N): a new BERT query-tower version from every N new clicks, gated on the check"
        " split's judgements (and, with --gate trial, an interleaved trial)",
    )
    p.add_argument(
        "--encoder-control",
        action="store_true",
        help="with --encoder-every: also run the ranker-only job from the same start, side by side",
    )
    p.add_argument("--encoder-lr", type=float, default=None, help="the query-tower step's learning rate")
    p.add_argument("--encoder-anchor", type=float, default=None, help="its pull to the serving weights")
    p.add_argument(
        "--data-root", type=Path, default=Path("var/bench"), help="index cache (as bench.relevance)"
    )
    args = p.parse_args(argv)
    if args.encoder_every < 0 or (args.encoder_control and not args.encoder_every):
        p.error("--encoder-every must be >= 0, and --encoder-control needs --encoder-every N")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be >= 1 (the number of judged queries to take)")
    if args.encoder_every and args.both:
        p.error("--encoder-every compares with the ranker-only job (--encoder-control), not with --both")
    return args


def simulate(
    shop: Shop,
    settings: Settings,
    splits: Splits,
    args: argparse.Namespace,
    corrected: bool,
    encoder_every: int = 0,
) -> list[dict[str, Any]]:
    """Sessions in rounds of --update-every, an update after each round (the ranker's, then the query
    tower's when `encoder_every` > 0); returns the curve."""
    from engine.events.factory import open_event_log
    from engine.inference.factory import QueryTowerLoader, create_inference

    loader = create_inference(settings)  # the Triton the gateway uses (found by its pidfile)
    log = open_event_log(settings)
    store = RankerStore(settings)
    trial = args.gate == "trial"
    config = UpdateConfig(
        bias_correction=corrected,
        examination_query_ctr=args.examination_query_ctr and corrected,
        check_set=None if trial else check_set_path(store),
        seed=args.seed,
        learn=args.learn,
        loss=args.loss,
        trial=TrialConfig(
            share=args.trial_share,
            min_searches=args.trial_min_searches,
            max_searches=args.trial_max_searches,
        )
        if trial
        else None,
    )
    job = UpdateJob(settings, log, loader, config)
    # The query tower's versions load through the same Triton client as the ranker's.
    encoder = (
        query_tower_step(
            settings, log, QueryTowerLoader(loader), splits, shop, args, encoder_every, config.trial
        )
        if encoder_every
        else None
    )
    rng = random.Random(args.seed)
    curve: list[dict[str, Any]] = []
    started = time.monotonic()

    def update() -> tuple[dict[str, Any], dict[str, Any] | None]:
        outcome = job.run_once()
        return outcome, (encoder.run_once() if encoder is not None else None)

    def point(
        sessions: int, clicks: int, outcome: dict[str, Any], tower: dict[str, Any] | None = None
    ) -> None:
        trained, trained_lists, seen = shop.evaluate(splits.trained)
        held, held_lists, _ = shop.evaluate(splits.held)
        # With concentrated traffic, the trained queries outside the hot ones: related by the catalog
        # (they get some clicks) but not by the traffic, where a leak from the hot queries would show.
        other = shop.evaluate(splits.trained[len(hot) :])[0] if hot else None
        _, check_lists, _ = shop.evaluate(splits.check)
        names = list(FEATURE_NAMES)
        save_labelled(check_set_path(store), check_lists, names, shop.min_grade)
        # The measured lists as the evaluator saw them last, for looking into a run afterwards.
        save_labelled(
            store.data_dir / "learning" / "eval-trained.jsonl", trained_lists, names, shop.min_grade
        )
        save_labelled(store.data_dir / "learning" / "eval-held.jsonl", held_lists, names, shop.min_grade)
        validation = outcome.get("validation") or {}
        curve.append(
            {
                "sessions": sessions,
                "clicks": clicks,
                "version": store.serving(),
                "served_versions": sorted(seen),
                "action": outcome["action"],
                "reasons": validation.get("reasons", []),
                "gate_clicks": validation.get("clicks", {}),
                "gate_ndcg": validation.get("ndcg", {}),
                "trial": {k: outcome[k] for k in ("outcome", "version", "reason", "trial") if k in outcome},
                # The candidate trained on inverted clicks (--harmful-sessions), when this point made one.
                "harmful_version": outcome.get("version") if outcome.get("harmful") else None,
                **({"encoder": step_record(tower, encoder)} if encoder is not None else {}),
                "trained_ndcg@10": trained,
                "heldout_ndcg@10": held,
                **({"other_ndcg@10": other} if other is not None else {}),
                "elapsed_s": round(time.monotonic() - started, 1),
            }
        )
        print(
            f"  {sessions:>6} sessions  v{store.serving()}  {outcome['action']:<9} trained {trained:.4f}  "
            f"held-out {held:.4f}  {'; '.join(validation.get('reasons', []))}"
            + (f"  encoder: {step_line(tower)}" if encoder is not None else ""),
            file=sys.stderr,
        )

    hot = splits.trained[: args.concentrate]

    def pick() -> tuple[str, str]:
        if hot and rng.random() < 0.75:
            return hot[rng.randrange(len(hot))]
        return splits.trained[rng.randrange(len(splits.trained))]

    try:
        point(0, 0, {"action": "start"})
        done = clicks = 0
        with ThreadPoolExecutor(args.concurrency) as pool:
            if args.harmful_sessions:
                seeds = [random.Random(rng.getrandbits(64)) for _ in range(args.harmful_sessions)]
                picks = [pick() for _ in seeds]
                clicks += sum(
                    pool.map(
                        lambda a: shop.session(a[0][0], a[0][1], a[1], invert=True),
                        zip(picks, seeds, strict=True),
                    )
                )
                done += args.harmful_sessions
                time.sleep(0.5)
                outcome, tower = update()
                point(done, clicks, {**outcome, "harmful": True}, tower)
            while done < args.sessions:
                batch = min(args.update_every, args.sessions - done)
                seeds = [random.Random(rng.getrandbits(64)) for _ in range(batch)]
                picks = [pick() for _ in range(batch)]
                clicks += sum(
                    pool.map(lambda a: shop.session(a[0][0], a[0][1], a[1]), zip(picks, seeds, strict=True))
                )
                done += batch
                time.sleep(0.5)  # the gateway appends impressions off the request path
                point(done, clicks, *update())
    finally:
        log.close()
        loader.close()
    return curve


def run_variants(args: argparse.Namespace) -> list[tuple[str, bool, int]]:
    """(label, bias-corrected, encoder step every N clicks) of each run from the same start."""
    if args.encoder_every:
        tower = [("ips+encoder", True, args.encoder_every)]
        return [("ips", True, 0), *tower] if args.encoder_control else tower
    if args.both:
        return [("ips", True, 0), ("naive", False, 0)]
    return [("naive", False, 0)] if args.no_bias_correction else [("ips", True, 0)]


def fresh_copy(cache: Path, target: Path) -> Path:
    """A private data dir holding the cached index but no events, versions or checkpoints."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(cache, target, ignore=_SKIP)
    return target


@contextmanager
def event_log_env(kind: str, data_dir: Path, label: str) -> Iterator[dict[str, str]]:
    """Environment that points the gateway and the update job at the run's event log."""
    if kind == "embedded":
        yield {"AISLE_EVENT_LOG": "embedded"}
        return
    from bench.sim_kafka import kafka_broker

    with kafka_broker(data_dir / "kafka") as bootstrap:
        yield {
            "AISLE_EVENT_LOG": "kafka",
            "AISLE_KAFKA_BOOTSTRAP": bootstrap,
            "AISLE_KAFKA_TOPIC_PREFIX": f"simulate-{label}",
        }


def fresh_triton_ports(env: dict[str, str]) -> dict[str, str]:
    """New ports for the run's own Triton: the index build's server may still be releasing its ports."""
    names = ("AISLE_TRITON_HTTP_PORT", "AISLE_TRITON_GRPC_PORT", "AISLE_TRITON_METRICS_PORT")
    return {name: str(free_port()) for name in names if name in env}


def main(argv: list[str] | None = None) -> int:
    report = run(parse_args(argv))
    print_table(HEADERS, [table_row(s) for s in report["summary"]])
    return 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One simulation (one seed; both variants with --both); writes curve.json/png, returns the report."""
    qrels = read_qrels(args.qrels)
    queries = [(qid, q) for qid, q in read_queries(args.queries) if qid in qrels][: args.limit or None]
    splits = split_queries(queries, args.seed, args.holdout_frac, args.check_frac)
    variants = run_variants(args)
    args.out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {}
    if args.api:
        label, corrected, every = variants[0]
        shop = Shop(args.api.rstrip("/"), qrels, args.eta, args.noise)
        runs[label] = simulate(shop, load_settings(), splits, args, corrected, every)
    else:
        from engine.inference.factory import create_inference

        settings, env = prepared_index(args.products, args.data_root)
        for label, corrected, every in variants:
            data_dir = fresh_copy(Path(settings.data_dir), args.out / f"data-{label}").resolve()
            with event_log_env(args.event_log, data_dir, label) as log_env:
                run_env = {
                    **env,
                    **log_env,
                    **fresh_triton_ports(env),
                    "AISLE_DATA_DIR": str(data_dir),
                    "AISLE_EXPLORATION_START": str(args.explore_from),
                }
                os.environ.update(run_env)
                run_settings = load_settings()
                triton = create_inference(run_settings)  # launched on the private data dir
                try:
                    with (
                        gateway_process(run_env) as url,
                        closing(Shop(url, qrels, args.eta, args.noise)) as shop,
                    ):
                        print(f"{label}: gateway {url}, data {data_dir}", file=sys.stderr)
                        runs[label] = simulate(shop, run_settings, splits, args, corrected, every)
                finally:
                    triton.close()
    summaries = [summary(label, curve) for label, curve in runs.items()]
    report = {
        "products": str(args.products),
        "queries": str(args.queries),
        "qrels": str(args.qrels),
        "sessions": args.sessions,
        "update_every": args.update_every,
        "seed": args.seed,
        "eta": args.eta,
        "noise": args.noise,
        "limit": args.limit,
        "event_log": args.event_log,
        "explore_from": args.explore_from,
        "gate": args.gate,
        "learn": args.learn,
        "loss": args.loss,
        "examination_query_ctr": args.examination_query_ctr,
        "trial_share": args.trial_share,
        "concentrate": args.concentrate,
        "harmful_sessions": args.harmful_sessions,
        "encoder_every": args.encoder_every,
        "encoder_lr": args.encoder_lr,
        "encoder_anchor": args.encoder_anchor,
        "trained_queries": len(splits.trained),
        "check_queries": len(splits.check),
        "heldout_queries": len(splits.held),
        "summary": summaries,
        "runs": runs,
    }
    write_json(args.out / "curve.json", report)
    plot(runs, args.out / "curve.png")
    return report


if __name__ == "__main__":
    sys.exit(main())
