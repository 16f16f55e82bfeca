"""The loss curve of a fine-tuning run (training loss per step, validation nDCG at each evaluation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.encoder.train import FinetuneResult
from engine.errors import MissingDependency


def plot_curve(result: FinetuneResult, path: Path, title: str = "query tower fine-tuning") -> Path:
    """Write a PNG: loss (raw and a moving average) on the left axis, validation nDCG@10 on the right."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingDependency("matplotlib", "the loss curve plot") from exc
    losses = np.asarray(result.losses, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    steps = np.arange(1, len(losses) + 1)
    ax.plot(steps, losses, color="tab:blue", alpha=0.3, linewidth=0.8, label="loss")
    window = max(5, len(losses) // 20) if len(losses) >= 10 else 1
    if len(losses) >= window > 1:
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1 :], smooth, color="tab:blue", label=f"loss ({window}-step mean)")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    right = ax.twinx()
    right.plot(
        [s for s, _ in result.evals],
        [v for _, v in result.evals],
        "o-",
        color="tab:orange",
        label="validation nDCG@10",
    )
    right.set_ylabel("validation nDCG@10")
    right.axvline(result.best_step, color="grey", linestyle=":", linewidth=1)
    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = right.get_legend_handles_labels()
    ax.legend(handles + more_handles, labels + more_labels, loc="upper right", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
