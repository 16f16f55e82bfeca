"""Learn from clicks only how much to trust click evidence: the candidate is the serving version plus a
linear term in the click features, nothing else moves.

Why: clicks under a few queries say a lot about those queries' products and nothing about the rest of
the catalog. A fit of the whole network on them also re-weights relevance features (lexical score,
dense score, fused rank...), because at the position the clicks landed those features happen to take
particular values; that re-weighting then reorders queries nobody clicked. Measured on the sample
catalog (tests/unit/test_learning_no_leaks.py): clicks concentrated on "jacket" and "knife" lifted a
down jacket to second place for "headphones" even with every global click signal gated and an anchor
on click-neutral lists.

With the residual, the candidate's score is `serving(x) + sum_j delta_j * z_j(x)` over the learned
click features j (`query_ctr` and `user_affinity`, standardised as the network does). `query_ctr` is
evidence about this exact query, `user_affinity` about this shopper (and the feature builder gates it by
how well the product matches the query), so for a query nobody clicked every product sits at the same
no-evidence value and the candidate differs from the serving version by one constant: it cannot reorder
them. Where there is evidence, it can: that is what the clicks are for. `delta` is folded into the
network's linear layer afterwards, so the served artifact is an ordinary `RankerNet`.

The global `ctr` is a click feature (`CLICK_FEATURES`, neutralised in the anchor lists) but not a learned
one: a product's clicks under one query set its `ctr` in every other query it strongly matches, and a
product shown there but not clicked sinks below the prior. A weight on it therefore reorders queries
without evidence of their own. Measured on simulated crowdflower dev traffic (bench.simulate, seed 1):
a candidate trained on clicks learned a `ctr` weight of 0.0007 in standardised units, and that alone
moved the unclicked check queries' nDCG@10 by -0.0023 (so the gate rejected three updates in a row); a
candidate trained on inverted clicks learned 0.2 and dropped the held-out queries from 0.786 to 0.644.

How far to trust the evidence is then chosen by a ranking criterion, not by the click likelihood
(`choose_scale`). The softmax fit matches the *distribution* of (IPS-weighted) clicks over each logged
list, and `query_ctr` is a noisy estimate (few examinations per product and query), so the likelihood's
optimum is a weight shrunk far below the one that ranks best: on simulated crowdflower dev traffic
(bench.simulate, seed 1, 1,800 sessions) the fitted `query_ctr` weight was 0.13 in standardised units
while the evaluator's nDCG@10 on the same lists peaked at 0.75-1.0 (0.844 against 0.873). So the
learned direction is kept and its length scaled by the factor, from a fixed grid that includes 1, that
maximises the self-normalised IPS estimate of clicks (`metrics.snips_click_estimate`, the expected
clicks of the re-ranked lists under the position-based model) on the *training* lists; the gate then
judges the result on held-out lists it did not see. Without bias correction every position counts 1,
the estimate cannot tell orders apart and the factor stays 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from engine.learning.clicks import ClickedList
from engine.learning.metrics import snips_click_estimate
from engine.learning.propensity import Propensities
from engine.learning.trainer import score_rows
from engine.models.ranker_net import RankerNet

CLICK_FEATURES = ("ctr", "query_ctr", "user_affinity")
"""Every feature fed by clicks (their no-evidence values make a list click-neutral, `anchor`)."""
LEARNED_FEATURES = ("query_ctr", "user_affinity")
"""The click features the residual learns weights for: evidence about this query or this shopper."""
SCALES = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
"""Factors `choose_scale` tries on the fitted weights (1: the fit as it is)."""


def click_columns(names: Sequence[str]) -> list[int]:
    """Columns of the learned click features in `names` (the residual's trainable inputs)."""
    return [names.index(name) for name in LEARNED_FEATURES if name in names]


class ClickResidual(nn.Module):
    """`base` frozen, plus a trainable weight per click feature (starting at 0: exactly the base)."""

    columns: torch.Tensor

    def __init__(self, base: RankerNet, columns: Sequence[int]) -> None:
        super().__init__()
        self.base = base
        for param in base.parameters():
            param.requires_grad_(False)
        self.register_buffer("columns", torch.as_tensor(list(columns), dtype=torch.long))
        self.delta = nn.Parameter(torch.zeros(len(columns)))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        cols = self.columns
        z = (features[..., cols] - self.base.mean[cols]) / self.base.std[cols]
        return self.base(features) + z @ self.delta

    def fold(self) -> RankerNet:
        """The base network with `delta` added to its linear weights (same function), unfrozen."""
        with torch.no_grad():
            self.base.linear.weight[0, self.columns] += self.delta
        for param in self.base.parameters():
            param.requires_grad_(True)
        return self.base


def choose_scale(
    residual: ClickResidual,
    lists: Sequence[ClickedList],
    propensities: Propensities,
    feature_names: Sequence[str],
    scales: Sequence[float] = SCALES,
) -> tuple[float, dict[float, float]]:
    """Scale `residual.delta` (in place) by the factor in `scales` whose re-ranking of `lists` has the
    highest IPS click estimate; returns the factor and every estimate. Ties keep the earlier factor, so
    a criterion that cannot tell orders apart (uniform propensities) leaves the fit as it is."""
    learned = residual.delta.detach().clone()
    estimates: dict[float, float] = {}
    best, best_value = 1.0, -math.inf
    for scale in scales:
        with torch.no_grad():
            residual.delta.copy_(learned * scale)
        value, _ = snips_click_estimate(
            lists, lambda rows: score_rows(residual, rows), propensities, feature_names
        )
        estimates[scale] = value
        if not math.isnan(value) and value > best_value + 1e-9:
            best, best_value = scale, value
    with torch.no_grad():
        residual.delta.copy_(learned * best)
    return best, estimates
