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
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from engine.models.ranker_net import RankerNet

CLICK_FEATURES = ("ctr", "query_ctr", "user_affinity")
"""Every feature fed by clicks (their no-evidence values make a list click-neutral, `anchor`)."""
LEARNED_FEATURES = ("query_ctr", "user_affinity")
"""The click features the residual learns weights for: evidence about this query or this shopper."""


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
