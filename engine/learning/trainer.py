"""Fit a ranker network on lists: the one training loop behind offline and online learning.

Contract: `net` is a `torch.nn.Module` mapping feature rows (n, n_features) float32 to scores (n,) or
(n, 1). Training always starts from the network it is given (the prior or the serving version: a warm
start), and a proximal penalty `proximal * ||params - start||^2` keeps an update close to it, so a small
or noisy batch of clicks nudges the ranker instead of replacing it.

An update may also be anchored in function space (`anchor`): lists of feature rows (e.g. the labelled
check set's candidates, whose labels are not used) on which the candidate's ranking distribution is kept
close to the starting network's, `anchor_weight * mean KL(softmax(start) || softmax(candidate))`. Clicks
say a lot about the queries they were logged for and little about others; the anchor lets an update
learn the former freely (their click features differ from the anchor rows') while keeping the order of
lists that carry no click evidence, which parameter-space closeness alone does not guarantee.

The learning rate decays with the amount of data the ranker has already learned from
(`decayed_lr`): early updates move fast, later ones refine. The count lives in the version manifest,
so the schedule survives restarts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from engine.errors import InvalidInput
from engine.learning.losses import LOSSES
from engine.models.ranker_net import RankerNet


@dataclass(frozen=True)
class TrainingList:
    """One list: feature rows (n, n_features) and non-negative targets (n,) (gains or IPS weights)."""

    features: np.ndarray
    targets: np.ndarray


@dataclass(frozen=True)
class FitConfig:
    loss: str = "softmax"
    epochs: int = 20
    lr: float = 0.01
    batch_lists: int = 32
    proximal: float = 1e-3
    normalise_lists: bool = False
    weight_decay: float = 0.0
    max_grad_norm: float = 5.0
    anchor_weight: float = 1.0
    # Slope of the pairwise losses' logistic (`pairwise`, `lambdarank`); softmax has none.
    sigma: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise InvalidInput(f"unknown loss {self.loss!r}; expected one of {sorted(LOSSES)}")
        if self.epochs < 1 or self.lr <= 0 or self.batch_lists < 1 or self.proximal < 0 or self.sigma <= 0:
            raise InvalidInput("epochs and batch_lists must be >= 1, lr > 0, proximal >= 0, sigma > 0")


@dataclass
class FitReport:
    lists: int
    epochs: int
    lr: float
    loss_first: float = float("nan")
    loss_last: float = float("nan")
    history: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "lists": self.lists,
            "epochs": self.epochs,
            "lr": self.lr,
            "loss_first": self.loss_first,
            "loss_last": self.loss_last,
        }


def decayed_lr(base_lr: float, seen: int, half_life: int) -> float:
    """base_lr / sqrt(1 + seen / half_life): halves after 3 * half_life training examples."""
    if half_life <= 0:
        return base_lr
    return base_lr / math.sqrt(1.0 + max(seen, 0) / half_life)


def _batch(items: Sequence[TrainingList]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(item.targets) for item in items)
    n_features = items[0].features.shape[1]
    x = np.zeros((len(items), width, n_features), dtype=np.float32)
    t = np.zeros((len(items), width), dtype=np.float32)
    m = np.zeros((len(items), width), dtype=bool)
    for i, item in enumerate(items):
        n = len(item.targets)
        x[i, :n] = item.features
        t[i, :n] = item.targets
        m[i, :n] = True
    return torch.from_numpy(x), torch.from_numpy(t), torch.from_numpy(m)


def score_rows(net: torch.nn.Module, features: np.ndarray) -> np.ndarray:
    """Scores of `net` for feature rows, as float64 numpy (inference mode, no gradients)."""
    if len(features) == 0:
        return np.zeros(0, dtype=np.float64)
    net.eval()
    with torch.no_grad():
        out = net(torch.as_tensor(np.asarray(features, dtype=np.float32)))
    return out.reshape(-1).double().numpy()


ANCHOR_SHARPNESS = 3.0
"""Anchor distributions use temperature std(start scores) / 3 per list: a prior whose scores span 0..1
would otherwise give a near-uniform softmax over 100 candidates, and a KL that hardly notices a new top 10."""

Anchor = tuple[torch.Tensor, torch.Tensor, float]


def _anchor_targets(net: torch.nn.Module, anchor: Sequence[np.ndarray]) -> list[Anchor]:
    """(rows, log-softmax of the starting network's scores, temperature) for each non-trivial list."""
    out = []
    net.eval()
    with torch.no_grad():
        for rows in anchor:
            if len(rows) < 2:
                continue
            x = torch.as_tensor(np.asarray(rows, dtype=np.float32))
            scores = net(x).reshape(-1)
            tau = max(float(scores.std()), 1e-3) / ANCHOR_SHARPNESS
            out.append((x, torch.log_softmax(scores / tau, dim=0), tau))
    return out


def _anchor_loss(net: torch.nn.Module, anchors: list[Anchor]) -> torch.Tensor:
    """Mean KL(start || candidate) of the ranking distributions over the anchor lists."""
    total = torch.zeros(())
    for x, log_start, tau in anchors:
        log_now = torch.log_softmax(net(x).reshape(-1) / tau, dim=0)
        total = total + (log_start.exp() * (log_start - log_now)).sum()
    return total / max(len(anchors), 1)


def fit(
    net: torch.nn.Module,
    lists: Sequence[TrainingList],
    config: FitConfig,
    after_epoch: Callable[[int], None] | None = None,
    anchor: Sequence[np.ndarray] = (),
) -> FitReport:
    """Train `net` in place on the lists that carry any positive target; returns a report.

    `after_epoch(epoch)` runs after each epoch (1-based), e.g. to keep the best state on a validation set.
    `anchor`: feature-row lists whose ranking should stay as the starting network has it (module doc).
    """
    items = [item for item in lists if len(item.targets) and float(np.sum(item.targets)) > 0]
    report = FitReport(lists=len(items), epochs=config.epochs, lr=config.lr)
    if not items:
        return report
    widths = {item.features.shape[1] for item in items}
    if len(widths) != 1:
        raise InvalidInput(f"every list needs the same number of features, got {sorted(widths)}")

    generator = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)
    params = [p for p in net.parameters() if p.requires_grad]
    start = [p.detach().clone() for p in params]
    optimiser = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = LOSSES[config.loss]
    kwargs: dict[str, object] = (
        {"normalise_lists": config.normalise_lists} if config.loss == "softmax" else {"sigma": config.sigma}
    )

    # Sort by length so a batch pads little, then shuffle the batches each epoch.
    items.sort(key=lambda item: len(item.targets))
    batches = [_batch(items[i : i + config.batch_lists]) for i in range(0, len(items), config.batch_lists)]
    anchors = _anchor_targets(net, anchor) if config.anchor_weight > 0 else []
    net.train()
    for _ in range(config.epochs):
        total = 0.0
        for b in torch.randperm(len(batches), generator=generator).tolist():
            x, t, m = batches[b]
            scores = net(x.reshape(-1, x.shape[-1])).reshape(m.shape)
            loss = loss_fn(scores, t, m, **kwargs)
            if config.proximal > 0:
                loss = loss + config.proximal * sum(
                    ((p - s) ** 2).sum() for p, s in zip(params, start, strict=True)
                )
            if anchors:
                loss = loss + config.anchor_weight * _anchor_loss(net, anchors)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
            optimiser.step()
            total += float(loss.detach())
        report.history.append(total / len(batches))
        if after_epoch is not None:
            after_epoch(len(report.history))
            net.train()
    net.eval()
    report.loss_first, report.loss_last = report.history[0], report.history[-1]
    return report


def restandardise(net: RankerNet, rows: np.ndarray) -> None:
    """Set a `RankerNet`'s feature standardisation from `rows` without changing what it computes.

    Features live on very different scales (a reciprocal rank near 0.016, a log price near 5), which makes
    gradient steps lopsided. New statistics are folded into the first layers' weights and biases
    (W' = W * s'/s, b' = b + W (m' - m) / s), so the scores before and after are identical and only the
    optimisation geometry changes.
    """
    if len(rows) < 2:
        return
    x = torch.as_tensor(np.asarray(rows, dtype=np.float32))
    new_mean = x.mean(dim=0)
    new_std = x.std(dim=0)
    new_std = torch.where(new_std < 1e-6, torch.ones_like(new_std), new_std)
    with torch.no_grad():
        old_mean, old_std = net.mean.clone(), net.std.clone()
        shift = (new_mean - old_mean) / old_std
        scale = new_std / old_std
        for layer in (net.linear, net.mlp_hidden):
            layer.bias.add_(layer.weight @ shift)
            layer.weight.mul_(scale)
        net.set_normalisation(new_mean, new_std)
