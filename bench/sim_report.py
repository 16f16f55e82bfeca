"""Output of `bench.simulate`: the summary table rows and the learning-curve plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADERS = (
    "run",
    "served",
    "accepted",
    "rejected",
    "trained@0",
    "trained",
    "delta",
    "held-out@0",
    "held-out",
    "delta",
)


def summary(label: str, curve: list[dict[str, Any]]) -> dict[str, Any]:
    """First and last point of a run, the changes, and how many updates the gate let through."""
    first, last = curve[0], curve[-1]
    actions = [p["action"] for p in curve[1:]]
    return {
        "run": label,
        "served": last["version"],
        "accepted": actions.count("rollout"),
        "rejected": actions.count("rejected"),
        "trained_before": first["trained_ndcg@10"],
        "trained_after": last["trained_ndcg@10"],
        "trained_delta": last["trained_ndcg@10"] - first["trained_ndcg@10"],
        "heldout_before": first["heldout_ndcg@10"],
        "heldout_after": last["heldout_ndcg@10"],
        "heldout_delta": last["heldout_ndcg@10"] - first["heldout_ndcg@10"],
        **(
            {"other_delta": last["other_ndcg@10"] - first["other_ndcg@10"]}
            if "other_ndcg@10" in first
            else {}
        ),
        **({"encoder": tower_summary(curve)} if "encoder" in last else {}),
    }


def tower_summary(curve: list[dict[str, Any]]) -> dict[str, Any]:
    """The query-tower step's decisions over a run (`--encoder-every`) and the version serving at the end."""
    actions = [p["encoder"]["action"] for p in curve[1:]]
    return {
        "serving": curve[-1]["encoder"]["serving"],
        **{a: actions.count(a) for a in ("rollout", "rejected", "unchanged", "trial", "waiting")},
    }


def table_row(s: dict[str, Any]) -> tuple[object, ...]:
    return (
        s["run"],
        f"v{s['served']}",
        s["accepted"],
        s["rejected"],
        f"{s['trained_before']:.4f}",
        f"{s['trained_after']:.4f}",
        f"{s['trained_delta']:+.4f}",
        f"{s['heldout_before']:.4f}",
        f"{s['heldout_after']:.4f}",
        f"{s['heldout_delta']:+.4f}",
    )


def plot(runs: dict[str, list[dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, key, title in (
        (axes[0], "trained_ndcg@10", "queries with traffic"),
        (axes[1], "heldout_ndcg@10", "held-out queries (no traffic)"),
    ):
        for label, curve in runs.items():
            ax.plot([p["sessions"] for p in curve], [p[key] for p in curve], marker="o", label=label)
            for p in curve:
                if p["action"] in ("rollout", "start"):
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
