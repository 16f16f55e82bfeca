"""A query-encoder trial on simulated shoppers: does the interleaved trial stop a harmful query tower?

The gateway app (`api.main.create_app`, in process, through its HTTP routes) serves a built bench index
with the in-process models; the query encoder is given two versions: 1, the served MiniLM, and 2, a
harmful tower (the same embedding plus Gaussian noise of `--sigma`, renormalised, fixed per query: a
tower that has drifted away from the product space). A version-2 directory with a query-only manifest
in the live vectors' space is written into the copied data directory, so the real
`EncoderTrialRunner` starts, counts and decides the trial; Triton's model control is replaced by a
loader that pins the versions in the copy's config and tells the two-version encoder what is loaded.

Shoppers (`bench.sim_shop.Shop`: examination 1/k^eta, clicks from the graded labels plus noise) search
the dev queries as identified users; every `--step-every` sessions the trial steps, as the update job
would. Reported: each tower's nDCG@10 on the dev queries (full pipeline, logged nowhere), the trial's
counts at every step and its decision, each team's expected (from the labels, under the shoppers'
click model) and observed clicks per interleaved search, and the CPU seconds per session.

    cp -r /work/main/var/bench/<crowdflower index> var/sim-crowdflower-base
    python -m bench.sim_encoder_trial --data-dir var/sim-crowdflower-base \\
        --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
        --qrels ../shared/datasets/crowdflower/qrels.dev.tsv --out bench/results/sim-encoder-trial.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import read_qrels, read_queries
from bench.sim_shop import Shop
from engine.config import load_settings
from engine.encoder.trial import EncoderTrialRunner
from engine.encoder.versions import QueryEncoderStore
from engine.errors import BackendUnavailable
from engine.inference.base import EncoderInfo, TextEncoder
from engine.inference.towers import PairedTextEncoder
from engine.learning.metrics import ndcg_at_k
from engine.models.tower import TowerManifest
from engine.pipeline.embed import QueryEmbedder
from engine.pipeline.encoder_trial import EncoderTrial, TrialTextEncoder, embedding_with
from engine.pipeline.trialstate import TrialConfig, TrialWatcher, trial_path
from engine.pipeline.types import SearchQuery
from engine.triton.repository import CONFIG_FILE, read_config, set_version_policy, write_config


class NoisyTowers:
    """Two query-tower versions over one in-process encoder; only the loaded ones answer."""

    def __init__(self, inner: TextEncoder, sigma: float) -> None:
        self.inner, self.sigma = inner, sigma
        self.loaded: set[int] = {1}

    def info(self) -> EncoderInfo:
        return self.inner.info()

    def encode_versioned(self, texts: Sequence[str], version: int | None = None) -> tuple[np.ndarray, int]:
        version = max(self.loaded) if version is None else version
        if version not in self.loaded:
            raise BackendUnavailable("triton", f"query_encoder version {version} is not loaded")
        vectors = np.asarray(self.inner.encode(list(texts)), dtype=np.float32)
        if version == 2:
            for row, text in enumerate(texts):
                seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
                noise = np.random.default_rng(seed).normal(0.0, self.sigma, vectors.shape[1])
                vectors[row] += noise.astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors, version


class PinningLoader:
    """Stands in for Triton's model control: pins the versions in the copy's config, loads them."""

    def __init__(self, config: Path, towers: NoisyTowers) -> None:
        self.config, self.towers = config, towers

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None:
        wanted = [version] + ([candidate] if candidate is not None else [])
        config = read_config(self.config)
        set_version_policy(config, sorted({1, *wanted}))
        write_config(self.config, config)
        self.towers.loaded = {1, *wanted}


class NoteTower:
    """The candidate's weights directory (the simulation computes its vectors from version 1's)."""

    def __init__(self, sigma: float) -> None:
        self.sigma = sigma

    def save(self, path: str) -> None:
        Path(path).mkdir(parents=True)
        (Path(path) / "SIMULATED").write_text(f"version 1 plus N(0, {self.sigma}) per query\n")


def ndcg(services: Any, queries: Sequence[tuple[str, str]], qrels: Any, version: int) -> float:
    with embedding_with(version):
        scores = []
        for qid, text in queries:
            hits = services.pipeline.search(SearchQuery(text, size=10)).hits
            min_grade = min(qrels[qid].values())
            score = ndcg_at_k([h.product_id for h in hits], qrels[qid], 10, min_grade)
            if score is not None:
                scores.append(score)
    return float(np.mean(scores))


def team_clicks(
    services: Any, qrels: Any, queries: Sequence[tuple[str, str]], shop: Shop
) -> dict[str, float]:
    """Per logged interleaved search: each team's expected clicks under the shoppers' model (from the
    labels) and its observed clicks. Tells a small preference from a wrong credit: observed follows
    expected when clicks go to the right team."""
    from engine.events.base import read_records
    from engine.learning.clicks import clicked_lists

    qid_of = {text: qid for qid, text in queries}
    expected = {"A": 0.0, "B": 0.0}
    observed = {"A": 0.0, "B": 0.0}
    n = 0
    for item in clicked_lists(read_records(services.events, 0, 10**7), services.events):
        info = item.impression.extra.get("interleaving")
        if not isinstance(info, dict) or item.impression.query not in qid_of:
            continue
        n += 1
        qid, teams = qid_of[item.impression.query], str(info["teams"])
        for k, (pid, team) in enumerate(zip(item.impression.product_ids, teams, strict=True), start=1):
            if team in expected:
                expected[team] += shop.attraction(qid, pid) / k**shop.eta
        for index in item.clicked:
            if teams[index] in observed:
                observed[teams[index]] += 1
    n = max(n, 1)
    return {
        "expected_serving": expected["A"] / n,
        "expected_candidate": expected["B"] / n,
        "observed_serving": observed["A"] / n,
        "observed_candidate": observed["B"] / n,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.deps import Services
    from api.main import create_app
    from engine.services import open_backends

    data = Path(args.work) / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(args.data_dir, data)
    settings = load_settings(data_dir=data, triton_url="inprocess", exploration_rate=0.0)
    services = Services.assemble(settings, *open_backends(settings))
    queries = [q for q in read_queries(args.queries) if q[0] in (qrels := read_qrels(args.qrels))]
    towers = NoisyTowers(services.inference.text_encoder(), args.sigma)
    store = QueryEncoderStore(settings)
    loader = PinningLoader(store.model_dir / CONFIG_FILE, towers)
    candidate = store.add(
        NoteTower(args.sigma),
        TowerManifest(0, store.vectors_identity(), parent=1, training={"simulated_sigma": args.sigma}),
    )
    watcher = TrialWatcher(trial_path(data, "encoder"), interval_s=0.0)
    paired = PairedTextEncoder(
        towers, lambda: services.catalog.manifest.encoders["text"], lambda _: max(towers.loaded)
    )
    services.pipeline.embedder = QueryEmbedder(TrialTextEncoder(paired, towers, watcher), None)
    services.pipeline.encoder_trial = EncoderTrial(watcher)
    towers.loaded = {1, candidate}
    figures = {
        "serving": ndcg(services, queries, qrels, 1),
        "candidate": ndcg(services, queries, qrels, candidate),
    }
    towers.loaded = {1}

    runner = EncoderTrialRunner(store, services.events, loader)
    config = TrialConfig(share=args.share, min_searches=args.min_searches, max_searches=args.max_searches)
    runner.start(candidate, config)
    shop = Shop("http://testserver", qrels, eta=args.eta, noise=args.noise)
    rng = random.Random(args.seed)
    steps: list[dict[str, Any]] = []
    decided: dict[str, Any] | None = None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    sessions = 0
    with TestClient(create_app(services)) as client:
        shop.client = client  # type: ignore[assignment]  # the app in process, through its HTTP routes
        while sessions < args.sessions and decided is None:
            qid, text = rng.choice(queries)
            shop.session(qid, text, rng)
            sessions += 1
            if sessions % args.step_every == 0:
                assert services.impressions.flush()
                outcome = runner.step() or {}
                steps.append(
                    {"sessions": sessions, **outcome.get("trial", {}), "outcome": outcome.get("outcome")}
                )
                if outcome.get("outcome") in ("promoted", "stopped"):
                    decided = outcome
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    serving_after = store.serving()
    clicks = team_clicks(services, qrels, queries, shop)
    services.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "config": vars(args)
        | {"data_dir": str(args.data_dir), "queries": str(args.queries), "qrels": str(args.qrels)}
        | {"work": str(args.work), "out": str(args.out)},
        "ndcg@10": figures,
        "steps": steps,
        "decision": decided,
        "clicks_per_interleaved_search": clicks,
        "sessions": sessions,
        "serving_after": serving_after,
        "cpu_s_per_session": cpu / max(sessions, 1),
        "wall_s": wall,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "loadavg": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="a built bench index (copied, not changed)"
    )
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("var/sim-encoder-trial"), help="scratch directory")
    parser.add_argument("--out", type=Path, required=True, help="result JSON")
    parser.add_argument(
        "--sigma", type=float, default=0.08, help="noise of the harmful tower (per dimension)"
    )
    parser.add_argument("--sessions", type=int, default=1500, help="most shopper sessions")
    parser.add_argument("--step-every", type=int, default=25, help="sessions between trial steps")
    parser.add_argument("--share", type=float, default=0.5)
    parser.add_argument("--min-searches", type=int, default=200)
    parser.add_argument("--max-searches", type=int, default=2000)
    parser.add_argument("--eta", type=float, default=1.0, help="examination 1/k^eta")
    parser.add_argument("--noise", type=float, default=0.05, help="click probability of an unjudged product")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    n = result["ndcg@10"]
    print(
        f"nDCG@10 dev (full pipeline): serving tower {n['serving']:.4f}, candidate tower {n['candidate']:.4f}"
    )
    print(f"{'sessions':>8} {'wins':>5} {'losses':>6} {'ties':>5} {'p':>8}  outcome")
    for s in result["steps"]:
        print(
            f"{s['sessions']:>8} {s.get('wins', 0):>5} {s.get('losses', 0):>6} {s.get('ties', 0):>5} "
            f"{s.get('p_value', 1.0):>8.4g}  {s['outcome']}"
        )
    c = result["clicks_per_interleaved_search"]
    print(
        f"clicks per interleaved search, serving / candidate team: expected {c['expected_serving']:.3f} / "
        f"{c['expected_candidate']:.3f}, observed {c['observed_serving']:.3f} / {c['observed_candidate']:.3f}"
    )
    decision = result["decision"] or {}
    print(
        f"decision: {decision.get('outcome', 'undecided')} ({decision.get('reason', '-')}); "
        f"serving tower after: {result['serving_after']}; "
        f"CPU {result['cpu_s_per_session'] * 1000:.0f} ms/session; "
        f"load {result['loadavg']}"
    )


if __name__ == "__main__":
    main()
