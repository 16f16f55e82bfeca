"""Offline: which objective should fit the click residual? One simulation's log, refitted several ways.

`bench.simulate` leaves, per job, a data directory with the whole click log and the evaluator's last
lists of the trained, check and held-out queries (100 candidates each, features as served at the end,
with their judgements). This refits the update job's click residual (`engine.learning.residual`) on
that whole log, once per objective and bias correction, from the prior ranker, and scores each fit on
those same final lists; a grid of hand-set `query_ctr` weights on the same base gives the ceiling the
objectives are aiming for. No server runs: seconds, not the simulation's minutes.

It answers "does a different objective reach a better ranking from the same clicks?", not "does the
update job get there" (that is sequential updates, gates and changing click statistics: `bench.simulate`).

    python -m bench.simulate ... --sessions 1800 --seed 1 --out var/sim/seed1
    python -m bench.simulate_objectives --data var/sim/seed1/data-ips \\
        --out bench/results/simulate-objectives-seed1.json
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from bench.common import print_table, write_json
from bench.sim_refit import HELD_FILE, job_fit_config, load_job, missing, prior_start, refit, score
from engine.learning.propensity import Propensities, estimate_pbm
from engine.learning.residual import LEARNED_FEATURES, ClickResidual, click_columns
from engine.learning.update import UpdateConfig, click_training_lists

LOSSES = ("softmax", "pairwise")
HAND_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)


def study(data: Path, epochs: int, sigma: float) -> dict[str, Any]:
    job_data = load_job(data)
    items, trained, min_grade = job_data.items, job_data.trained, job_data.min_grade
    held = job_data.lists(HELD_FILE)
    job = UpdateConfig()
    corrections = {
        "ips": estimate_pbm(
            (obs for item in items for obs in item.observations()), max_weight=job.max_weight
        ),
        "naive": Propensities.uniform(),
    }
    report: dict[str, Any] = {
        "data": str(data),
        "lists": len(items),
        "clicked_lists": sum(1 for item in items if item.clicked),
        "clicks": sum(len(item.clicked) for item in items),
        "propensities": corrections["ips"].to_dict(),
        "epochs": epochs,
        "lr": job.lr,
        "sigma": sigma,
        "fits": [],
        "by_hand": [],
    }
    columns = click_columns(job_data.names)
    qctr = LEARNED_FEATURES.index("query_ctr")
    for correction, propensities in corrections.items():
        lists = click_training_lists(items, propensities, job_data.names)
        start = prior_start(job_data, lists)
        if correction == "ips":
            report["start"] = {
                "trained": score(start, trained, min_grade),
                "held": score(start, held, min_grade),
            }
            for weight in HAND_WEIGHTS:
                residual = ClickResidual(copy.deepcopy(start), columns)
                with torch.no_grad():
                    residual.delta[qctr] = weight
                net = residual.fold()
                report["by_hand"].append({"query_ctr": weight, "trained": score(net, trained, min_grade)})
        for loss in LOSSES:
            config = replace(job_fit_config(job), loss=loss, epochs=epochs, sigma=sigma)
            residual = refit(start, job_data, lists, config)
            delta = [round(float(d), 4) for d in residual.delta.detach()]
            net = residual.fold()
            report["fits"].append(
                {
                    "correction": correction,
                    "loss": loss,
                    "delta": dict(zip(LEARNED_FEATURES, delta, strict=True)),
                    "trained": score(net, trained, min_grade),
                    "held": score(net, held, min_grade),
                }
            )
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.simulate_objectives",
        description=__doc__.split("\n\n")[0],
        epilog="example:\n  python -m bench.simulate_objectives --data var/sim/seed1/data-ips --out o.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", type=Path, required=True, help="a bench.simulate job's data directory")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=UpdateConfig.epochs)
    p.add_argument("--sigma", type=float, default=1.0, help="pairwise loss: logistic slope")
    args = p.parse_args(argv)
    absent = missing(args.data, HELD_FILE)
    if absent is not None:
        print(f"python -m bench.simulate_objectives: error: {absent} is missing", file=sys.stderr)
        return 2
    report = study(args.data, args.epochs, args.sigma)
    write_json(args.out, report)
    start = report["start"]
    print(f"start: trained {start['trained']:.4f}, held-out {start['held']:.4f}")
    print_table(
        ("correction", "loss", "query_ctr", "user_affinity", "trained nDCG@10", "held-out"),
        [
            (
                f["correction"],
                f["loss"],
                f"{f['delta']['query_ctr']:.3f}",
                f"{f['delta']['user_affinity']:.3f}",
                f"{f['trained']:.4f} ({f['trained'] - start['trained']:+.4f})",
                f"{f['held'] - start['held']:+.4f}",
            )
            for f in report["fits"]
        ],
    )
    print_table(
        ("query_ctr by hand", "trained nDCG@10"),
        [(f"{h['query_ctr']:.1f}", f"{h['trained']:.4f}") for h in report["by_hand"]],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
