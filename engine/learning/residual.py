"""Learn from clicks only how much to trust click evidence: the candidate is the serving version plus a
linear term in the click features, nothing else moves.

Why: clicks under a few queries say a lot about those queries' products and nothing about the rest of
the catalog. A fit of the whole network on them also re-weights relevance features (lexical score,
dense score, fused rank...), because at the position the clicks landed those features happen to take
particular values; that re-weighting then reorders queries nobody clicked. Measured on the sample
catalog (tests/unit/test_learning_no_leaks.py): clicks concentrated on "jacket" and "knife" lifted a
down jacket to second place for "headphones" even with every global click signal gated and an anchor
on click-neutral lists.

With the residual, the candidate's score is `serving(x) + sum_j delta_j * z_j(x)` over the click
features j (`ctr`, `query_ctr`, `user_affinity`, standardised as the network does). The feature builder
puts a product's global click features at their no-evidence values where it does not match the query
(and `query_ctr` is per query), so for a query nobody clicked the candidate differs from the serving
version by the same constant for every product with no evidence: it cannot reorder them. Where there is
evidence, it can: that is what the clicks are for. `delta` is folded into the network's linear layer
afterwards, so the served artifact is an ordinary `RankerNet`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from engine.models.ranker_net import RankerNet

CLICK_FEATURES = ("ctr", "query_ctr", "user_affinity")


def click_columns(names: Sequence[str]) -> list[int]:
    return [names.index(name) for name in CLICK_FEATURES if name in names]


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
