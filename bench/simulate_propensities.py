"""Offline: are the update job's examination propensities right, and does it matter for the fit?

The simulated shoppers look at position k with probability 1 / k**eta, so the truth is known. This
reads one `bench.simulate` job's whole click log and compares three estimates of theta:

- `em`: what the update job uses (`engine.learning.propensity.estimate_pbm`, EM over every logged list);
- `swaps`: only the gateway's randomised exploration swaps (`engine.pipeline.explore`). For each
  boundary k | k+1, lists where that pair was swapped are compared with lists where neither position
  was touched by a swap. The swap is a coin flip independent of the products, so the product the
  ranker put at k is, on average, the same kind of product in both groups; its click rate shown at
  k+1 over its rate shown at k estimates theta_{k+1} / theta_k (and the same for the product it
  ranked at k+1, the other way round; the two are combined by their geometric mean). Chained from
  theta_1 = 1, made non-increasing;
- `true`: 1 / k**eta.

Then, like `bench.simulate_objectives`, it refits the click residual from the prior on the whole log
with each estimate's IPS weights (the job's objective, epochs, learning rate, proximal term and
check-set anchor) and scores each fit on the evaluator's final lists of the trained queries.

    python -m bench.simulate_propensities --data bench/results/simulate-seeds-pairwise-3000/seed-1/data-ips \\
        --out bench/results/simulate-propensities/seed-1.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import print_table, write_json
from bench.sim_refit import job_fit_config, load_job, missing, prior_start, refit, score
from engine.learning.clicks import ClickedList
from engine.learning.propensity import Propensities, estimate_pbm
from engine.learning.residual import LEARNED_FEATURES
from engine.learning.update import UpdateConfig, click_training_lists

PAGE = 10


def swap_ratios(items: list[ClickedList], page: int = PAGE) -> list[dict[str, float]]:
    """Per boundary k | k+1: swapped lists and theta_{k+1} / theta_k from the ranker's two items."""
    acc = np.zeros((page, 2, 3))  # [k, swapped] -> lists, clicks on the ranker's k item, on its k+1 item
    for item in items:
        positions = list(item.impression.positions)
        if positions[:1] != [1]:
            continue  # a deeper page: its positions are not the ones the ratios are about
        clicked = {positions[i] for i in item.clicked}
        swaps = {(int(a), int(b)) for a, b in item.impression.propensity_swaps}
        touched = {p for pair in swaps for p in pair}
        for k in range(1, page):
            if (k, k + 1) in swaps:
                acc[k, 1] += (1, (k + 1) in clicked, k in clicked)
            elif k not in touched and (k + 1) not in touched:
                acc[k, 0] += (1, k in clicked, (k + 1) in clicked)
    out = []
    for k in range(1, page):
        (n0, top0, bottom0), (n1, top1, bottom1) = acc[k, 0], acc[k, 1]
        if min(n0, n1, top0, bottom1) == 0:
            break
        top = (top1 / n1) / (top0 / n0)
        bottom = (bottom0 / n0) / (bottom1 / n1)
        out.append(
            {"k": k, "swapped_lists": int(n1), "top": top, "bottom": bottom, "ratio": math.sqrt(top * bottom)}
        )
    return out


def swap_propensities(ratios: list[dict[str, float]], max_weight: float) -> Propensities:
    theta = [1.0]
    for r in ratios:
        theta.append(min(theta[-1], theta[-1] * r["ratio"]))  # examination never rises down the list
    return Propensities(theta=tuple(max(t, 1e-6) for t in theta), max_weight=max_weight)


def study(data: Path, eta: float) -> dict[str, Any]:
    job_data = load_job(data)
    items = job_data.items
    job = UpdateConfig()
    ratios = swap_ratios(items)
    estimates = {
        "em": estimate_pbm((o for item in items for o in item.observations()), max_weight=job.max_weight),
        "swaps": swap_propensities(ratios, job.max_weight),
        "true": Propensities(
            theta=tuple(1.0 / k**eta for k in range(1, PAGE + 1)), max_weight=job.max_weight
        ),
    }
    report: dict[str, Any] = {
        "data": str(data),
        "lists": len(items),
        "eta": eta,
        "swap_ratios": ratios,
        "fits": [],
    }
    qctr = LEARNED_FEATURES.index("query_ctr")
    config = job_fit_config(job)
    for name, propensities in estimates.items():
        lists = click_training_lists(items, propensities, job_data.names)
        start = prior_start(job_data, lists)
        if "start" not in report:
            report["start"] = score(start, job_data.trained, job_data.min_grade)
        residual = refit(start, job_data, lists, config)
        report["fits"].append(
            {
                "propensities": name,
                "theta": [round(t, 3) for t in propensities.theta[:PAGE]],
                "query_ctr": float(residual.delta.detach()[qctr]),
                "trained": score(residual.fold(), job_data.trained, job_data.min_grade),
            }
        )
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.simulate_propensities",
        description=__doc__.split("\n\n")[0],
        epilog="example:\n  python -m bench.simulate_propensities --data var/sim/seed1/data-ips --out p.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", type=Path, required=True, help="a bench.simulate job's data directory")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--eta", type=float, help="the shoppers' examination 1/k**eta (default: the run's curve.json)"
    )
    args = p.parse_args(argv)
    absent = missing(args.data)
    if absent is not None:
        print(f"python -m bench.simulate_propensities: error: {absent} is missing", file=sys.stderr)
        return 2
    eta = args.eta
    if eta is None:
        curve = args.data.parent / "curve.json"
        eta = float(json.loads(curve.read_text(encoding="utf-8"))["eta"]) if curve.is_file() else 1.0
    report = study(args.data, eta)
    write_json(args.out, report)
    print(f"start: trained {report['start']:.4f}")
    print_table(
        ("propensities", "theta (positions 1-10)", "query_ctr", "trained nDCG@10"),
        [
            (
                f["propensities"],
                " ".join(f"{t:.2f}" for t in f["theta"]),
                f"{f['query_ctr']:.3f}",
                f"{f['trained']:.4f} ({f['trained'] - report['start']:+.4f})",
            )
            for f in report["fits"]
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
