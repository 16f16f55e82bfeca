"""Click simulator: does learning from clicks improve ranking, and does position-bias correction matter?

Simulated shoppers issue the dev queries through the real HTTP API (a gateway started here on the real
Triton, or --api URL), look at the results under a position-based click model and report their clicks
through POST /v1/events. Every --update-every sessions the ranking-update job runs (the same `UpdateJob`
as `engine ranker update`, rolling accepted versions out to Triton), then nDCG@10 is measured through
the API on the queries shoppers used ("trained") and on a held-out split nobody clicked on.

Shopper model: position k is examined with probability 1 / k**eta; an examined product is clicked with
probability noise + (0.9 - noise) * gain(grade) / gain(top grade) (unjudged products: `noise`).

The validation gate uses the trained queries' labels as its check set (feature rows refreshed through the
API before each update); held-out queries are never used for anything but the report.
Writes curve.json and curve.png into --out; with --both it runs the bias-corrected and the naive job
from the same start and plots them side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    bench_settings,
    build_index,
    gateway_process,
    mean,
    ndcg_at,
    print_table,
    read_qrels,
    read_queries,
)
from engine.config import load_settings
from engine.events.embedded import EmbeddedEventLog
from engine.learning.gate import GateConfig
from engine.learning.labelled import LabelledList, save_labelled
from engine.learning.update import UpdateConfig, UpdateJob
from engine.learning.versions import RankerStore
from engine.ranking.features import FEATURE_NAMES
from engine.ranking.train import check_set_path

EPILOG = """examples:
  python -m bench.simulate --products ../shared/datasets/crowdflower/products.jsonl \\
      --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
      --qrels ../shared/datasets/crowdflower/qrels.dev.tsv --sessions 3000 --seed 1 --both \\
      --out bench/results/simulate-crowdflower
  python -m bench.simulate ... --no-bias-correction --out /tmp/naive      one naive run
  python -m bench.simulate ... --api http://127.0.0.1:8080                a running gateway (AISLE_DATA_DIR
                                                                          must point at its data)
"""
PAGE = 10
EVAL_DEPTH = 100
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
    p.add_argument("--products", type=Path, required=True)
    p.add_argument("--queries", type=Path, required=True)
    p.add_argument("--qrels", type=Path, required=True)
    p.add_argument("--sessions", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--no-bias-correction", action="store_true", help="train on raw clicks")
    p.add_argument("--both", action="store_true", help="run corrected and naive, side by side")
    p.add_argument("--holdout-frac", type=float, default=0.3)
    p.add_argument("--update-every", type=int, default=300, help="sessions between update jobs")
    p.add_argument("--eta", type=float, default=1.0, help="examination 1/k**eta")
    p.add_argument("--noise", type=float, default=0.02, help="click probability of an irrelevant result")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--api", help="use this gateway instead of starting one")
    p.add_argument(
        "--data-root", type=Path, default=Path("var/bench"), help="index cache (as bench.relevance)"
    )
    return p.parse_args(argv)


class Shop:
    """The gateway as shoppers and the evaluator see it."""

    def __init__(self, url: str, qrels: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
        self.client = httpx.Client(base_url=url, timeout=60.0)
        self.qrels = qrels
        grades = [g for judged in qrels.values() for g in judged.values()]
        self.min_grade, top = min(grades), max(grades)
        self.top_gain = 2.0 ** (top - self.min_grade) - 1.0
        self.eta, self.noise = args.eta, args.noise

    def search(self, query: str, size: int, user: str | None = None) -> dict[str, Any]:
        body = {"query": query, "size": size, "debug": size > PAGE, "user_id": user, "session_id": user}
        response = self.client.post("/v1/search", json=body)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def attraction(self, qid: str, pid: str) -> float:
        grade = self.qrels[qid].get(pid)
        if grade is None:
            return self.noise
        return self.noise + (0.9 - self.noise) * (2.0 ** (grade - self.min_grade) - 1.0) / self.top_gain

    def session(self, qid: str, query: str, rng: random.Random) -> int:
        """One shopper: search, examine top-down under the click model, report clicks; returns clicks."""
        user = f"shopper-{rng.getrandbits(40):x}"
        answer = self.search(query, PAGE, user)
        events = []
        for k, hit in enumerate(answer["hits"], start=1):
            if rng.random() < 1.0 / k**self.eta and rng.random() < self.attraction(qid, hit["id"]):
                events.append(
                    {
                        "event_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                        "type": "click",
                        "product_id": hit["id"],
                        "search_id": answer["search_id"],
                        "position": k,
                        "user_id": user,
                        "session_id": user,
                    }
                )
        if events:
            self.client.post("/v1/events", json=events).raise_for_status()
        return len(events)

    def evaluate(self, queries: list[tuple[str, str]]) -> tuple[float, list[LabelledList]]:
        """Mean nDCG@10 of the served lists, and the lists' feature rows (for the check set)."""
        scores, lists = [], []
        for qid, query in queries:
            hits = self.search(query, EVAL_DEPTH)["hits"]
            scores.append(ndcg_at([h["id"] for h in hits], self.qrels[qid], 10, self.min_grade))
            rows = [
                [h["debug"]["features"][n] for n in FEATURE_NAMES]
                for h in hits
                if h.get("debug") and h["debug"].get("features")
            ]
            if rows:
                import numpy as np

                lists.append(
                    LabelledList(
                        qid,
                        query,
                        tuple(h["id"] for h in hits[: len(rows)]),
                        np.asarray(rows, dtype=np.float32),
                        self.qrels[qid],
                    )
                )
        return mean(scores)[0], lists


def simulate(
    shop: Shop,
    data_dir: Path,
    trained: list[tuple[str, str]],
    held: list[tuple[str, str]],
    args: argparse.Namespace,
    corrected: bool,
) -> list[dict[str, Any]]:
    """Sessions in rounds of --update-every, an update after each round; returns the curve."""
    os.environ["AISLE_DATA_DIR"] = str(data_dir)
    settings = load_settings()
    from engine.inference.factory import create_inference

    loader = create_inference(settings)  # the Triton the gateway uses (found by its pidfile)
    log = EmbeddedEventLog(settings.path("events", "events.sqlite3"))
    store = RankerStore(settings)
    config = UpdateConfig(
        bias_correction=corrected,
        min_train_clicks=30,
        check_set=check_set_path(store),
        gate=GateConfig(min_holdout_clicks=20),
        seed=args.seed,
    )
    job = UpdateJob(settings, log, loader, config)
    rng = random.Random(args.seed)
    names = list(FEATURE_NAMES)
    curve: list[dict[str, Any]] = []

    def point(sessions: int, clicks: int, action: str) -> None:
        trained_ndcg, lists = shop.evaluate(trained)
        held_ndcg, _ = shop.evaluate(held)
        save_labelled(check_set_path(store), lists, names, shop.min_grade)
        curve.append(
            {
                "sessions": sessions,
                "clicks": clicks,
                "version": store.serving(),
                "action": action,
                "trained_ndcg@10": trained_ndcg,
                "heldout_ndcg@10": held_ndcg,
            }
        )
        print(
            f"  {sessions:>6} sessions  v{store.serving()}  {action:<9} trained {trained_ndcg:.4f}  "
            f"held-out {held_ndcg:.4f}",
            file=sys.stderr,
        )

    try:
        point(0, 0, "start")
        done = clicks = 0
        with ThreadPoolExecutor(args.concurrency) as pool:
            while done < args.sessions:
                batch = min(args.update_every, args.sessions - done)
                seeds = [random.Random(rng.getrandbits(64)) for _ in range(batch)]
                picks = [trained[rng.randrange(len(trained))] for _ in range(batch)]
                clicks += sum(
                    pool.map(lambda a: shop.session(a[0][0], a[0][1], a[1]), zip(picks, seeds, strict=True))
                )
                done += batch
                outcome = job.run_once()
                point(done, clicks, outcome["action"])
    finally:
        log.close()
        loader.close()
    return curve


def fresh_copy(cache: Path, target: Path) -> Path:
    """A private data dir holding the cached index but no events, versions or checkpoints."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(cache, target, ignore=_SKIP)
    return target


def plot(runs: dict[str, list[dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, key, title in (
        (axes[0], "trained_ndcg@10", "trained queries"),
        (axes[1], "heldout_ndcg@10", "held-out queries"),
    ):
        for label, curve in runs.items():
            xs = [p["sessions"] for p in curve]
            ax.plot(xs, [p[key] for p in curve], marker="o", label=label)
            for p in curve:
                ax.annotate(
                    f"v{p['version']}",
                    (p["sessions"], p[key]),
                    fontsize=7,
                    textcoords="offset points",
                    xytext=(0, 4),
                )
        ax.set_title(f"nDCG@10, {title}")
        ax.set_xlabel("simulated sessions")
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    qrels = read_qrels(args.qrels)
    queries = [(qid, q) for qid, q in read_queries(args.queries) if qid in qrels]
    shuffled = sorted(queries)
    random.Random(args.seed).shuffle(shuffled)
    n_held = round(len(shuffled) * args.holdout_frac)
    held, trained = shuffled[:n_held], shuffled[n_held:]
    variants = (
        [("ips", True), ("naive", False)]
        if args.both
        else [("naive", False) if args.no_bias_correction else ("ips", True)]
    )
    args.out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {}
    if args.api:
        label, corrected = variants[0]
        shop = Shop(args.api.rstrip("/"), qrels, args)
        runs[label] = simulate(shop, load_settings().data_dir, trained, held, args, corrected)
    else:
        from engine.inference.factory import create_inference

        settings, env = bench_settings(args.products, args.data_root)
        inference = create_inference(settings)
        try:
            build_index(settings, args.products, inference)
        finally:
            inference.close()
        for label, corrected in variants:
            data_dir = fresh_copy(Path(settings.data_dir), args.out / f"data-{label}").resolve()
            run_env = {**env, "AISLE_DATA_DIR": str(data_dir)}
            os.environ.update(run_env)
            triton = create_inference(load_settings())  # launched on the private data dir
            try:
                with gateway_process(run_env) as url:
                    print(f"{label}: gateway {url}, data {data_dir}", file=sys.stderr)
                    runs[label] = simulate(Shop(url, qrels, args), data_dir, trained, held, args, corrected)
            finally:
                triton.close()
    report = {
        "products": str(args.products),
        "queries": str(args.queries),
        "qrels": str(args.qrels),
        "sessions": args.sessions,
        "seed": args.seed,
        "eta": args.eta,
        "noise": args.noise,
        "trained_queries": len(trained),
        "heldout_queries": len(held),
        "runs": runs,
    }
    (args.out / "curve.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(runs, args.out / "curve.png")
    rows = []
    for label, curve in runs.items():
        first, last = curve[0], curve[-1]
        rows.append(
            (
                label,
                last["version"],
                first["trained_ndcg@10"],
                last["trained_ndcg@10"],
                last["trained_ndcg@10"] - first["trained_ndcg@10"],
                first["heldout_ndcg@10"],
                last["heldout_ndcg@10"],
                last["heldout_ndcg@10"] - first["heldout_ndcg@10"],
            )
        )
    print_table(("run", "version", "trained@0", "trained", "delta", "held-out@0", "held-out", "delta"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
