"""`bench.simulate` over several seeds: mean ± standard deviation instead of one lucky (or unlucky) run.

Each seed draws its own split of the dev queries (trained / check / held-out) and its own shoppers, and
runs the bias-corrected and the naive update job from the same start (`--both`). The report gives, per
variant, the mean and sd of the trained and held-out nDCG@10 change, the worst seed, and the
corrected-minus-naive difference per seed with its mean and sd; the PNG shows each variant's curves as
mean with a ±1 sd band. Scenario flags (`--gate trial`, `--concentrate K`, `--harmful-sessions N`) are
passed to every seed; with trials, the report also counts how each trial ended and after how many
interleaved searches.

    python -m bench.sim_seeds --products ../shared/datasets/crowdflower/products.jsonl \\
        --queries ../shared/datasets/crowdflower/queries.dev.tsv \\
        --qrels ../shared/datasets/crowdflower/qrels.dev.tsv \\
        --seeds 5 --sessions 1200 --out bench/results/simulate-seeds-crowdflower
    python -m bench.sim_seeds ... --ips-only --gate trial --harmful-sessions 300 --sessions 2100 \\
        --trial-share 1.0 --trial-min-searches 100 --update-every 150 \\
        --out bench/results/simulate-seeds-trial-share1    scenario (a): the trial as the only gate
    python -m bench.sim_seeds ... --ips-only --concentrate 2 --out bench/results/simulate-seeds-concentrated
    python -m bench.sim_seeds ... --ips-only --encoder-every 2000 --encoder-control \\
        --out bench/results/simulate-seeds-encoder      the query-tower step beside the ranker alone
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.common import print_table, write_json
from bench.simulate import parse_args as simulate_args
from bench.simulate import run


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
    }


def trials_of(curve: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every decided trial in a run: (outcome, version, searches, wins, losses)."""
    harmful = {p["harmful_version"] for p in curve if p.get("harmful_version")}
    out = []
    for point in curve:
        trial = point.get("trial") or {}
        if trial.get("outcome") in ("promoted", "stopped"):
            counts = trial.get("trial") or {}
            out.append(
                {
                    "outcome": trial["outcome"],
                    "version": trial.get("version"),
                    "searches": counts.get("searches"),
                    "wins": counts.get("wins"),
                    "losses": counts.get("losses"),
                    "reason": trial.get("reason"),
                    "harmful": trial.get("version") in harmful,
                }
            )
    return out


def aggregate(reports: list[dict[str, Any]]) -> dict[str, Any]:
    variants = [s["run"] for s in reports[0]["summary"]]
    out: dict[str, Any] = {"seeds": [r["seed"] for r in reports], "variants": {}}
    for variant in variants:
        rows = [next(s for s in r["summary"] if s["run"] == variant) for r in reports]
        out["variants"][variant] = {
            "trained_delta": _stats([s["trained_delta"] for s in rows]),
            "heldout_delta": _stats([s["heldout_delta"] for s in rows]),
            **({"other_delta": _stats([s["other_delta"] for s in rows])} if "other_delta" in rows[0] else {}),
            "per_seed": rows,
            "trials": [trials_of(r["runs"][variant]) for r in reports],
        }
    # Side-by-side variants from the same start: the first minus the second, per seed.
    for first, second, name in (
        ("ips", "naive", "ips_minus_naive"),
        ("ips+encoder", "ips", "encoder_minus_ranker"),
    ):
        if {first, second} <= set(variants):
            a_rows, b_rows = out["variants"][first]["per_seed"], out["variants"][second]["per_seed"]
            for key in ("trained_delta", "heldout_delta"):
                diff = [a[key] - b[key] for a, b in zip(a_rows, b_rows, strict=True)]
                out[f"{name}_{key}"] = {**_stats(diff), "per_seed": diff}
    return out


def plot_bands(reports: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, key, title in (
        (axes[0], "trained_ndcg@10", "queries with traffic"),
        (axes[1], "heldout_ndcg@10", "held-out queries (no traffic)"),
    ):
        for variant in reports[0]["runs"]:
            curves = [r["runs"][variant] for r in reports]
            n = min(len(c) for c in curves)
            x = [p["sessions"] for p in curves[0][:n]]
            # Change from each seed's own start: the splits differ, so absolute levels differ too.
            y = np.array([[p[key] - c[0][key] for p in c[:n]] for c in curves])
            mean, sd = y.mean(axis=0), y.std(axis=0, ddof=1) if len(y) > 1 else np.zeros(n)
            ax.plot(x, mean, marker="o", label=f"{variant} (n={len(y)})")
            ax.fill_between(x, mean - sd, mean + sd, alpha=0.2)
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set_title(f"change in nDCG@10, {title}")
        ax.set_xlabel("simulated sessions")
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.sim_seeds", add_help=False, allow_abbrev=False)
    p.add_argument("--seeds", type=int, default=5, help="seeds --seed .. --seed + N - 1 (default 5)")
    p.add_argument("--ips-only", action="store_true", help="only the bias-corrected job (default: --both)")
    p.add_argument(
        "--summarise",
        action="store_true",
        help="run nothing: summarise the seed-*/curve.json already under --out (e.g. a run cut short)",
    )
    own, rest = p.parse_known_args(argv)
    single = ("--no-bias-correction", "--both", "--encoder-every")
    both = not own.ips_only and not any(flag in rest for flag in single)
    base = simulate_args([*rest, "--both"] if both else rest)
    if own.seeds < 1:
        print("python -m bench.sim_seeds: error: --seeds must be >= 1", file=sys.stderr)
        return 2
    reports = []
    seeds = range(base.seed, base.seed + own.seeds)
    if own.summarise:
        done = [base.out / f"seed-{seed}" / "curve.json" for seed in seeds]
        reports = [json.loads(path.read_text(encoding="utf-8")) for path in done if path.exists()]
        if not reports:
            print(f"python -m bench.sim_seeds: error: no seed-*/curve.json under {base.out}", file=sys.stderr)
            return 1
    for seed in [] if own.summarise else seeds:
        args = argparse.Namespace(**{**vars(base), "seed": seed, "out": base.out / f"seed-{seed}"})
        print(f"seed {seed}", file=sys.stderr)
        reports.append(run(args))
        write_json(base.out / "partial.json", {"seeds_done": [r["seed"] for r in reports]})
    summary = aggregate(reports)
    summary.update({k: str(v) if isinstance(v, Path) else v for k, v in vars(base).items() if k != "seed"})
    write_json(base.out / "seeds.json", summary)
    plot_bands(reports, base.out / "seeds.png")
    rows = []
    for variant, stats in summary["variants"].items():
        t, h = stats["trained_delta"], stats["heldout_delta"]
        rows.append(
            (
                variant,
                len(reports),
                f"{t['mean']:+.4f} ± {t['sd']:.4f}",
                f"{t['min']:+.4f}",
                f"{h['mean']:+.4f} ± {h['sd']:.4f}",
                f"{h['min']:+.4f}",
            )
        )
    print_table(("run", "seeds", "trained delta", "worst", "held-out delta", "worst"), rows)
    for variant, stats in summary["variants"].items():
        if "other_delta" in stats:
            o = stats["other_delta"]
            print(
                f"{variant}, trained queries outside the hot ones: {o['mean']:+.4f} ± {o['sd']:.4f}"
                f" (worst {o['min']:+.4f})",
                file=sys.stderr,
            )
    for name, label in (("ips_minus_naive", "ips - naive"), ("encoder_minus_ranker", "ips+encoder - ips")):
        for key in ("trained_delta", "heldout_delta"):
            diff = summary.get(f"{name}_{key}")
            if diff:
                print(f"{label}, {key}: {diff['mean']:+.4f} ± {diff['sd']:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
