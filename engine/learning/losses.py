"""Listwise ranking losses on padded batches of lists.

Every function takes `scores` and `targets` of shape (lists, max_len) and a boolean `mask` of the same
shape (False = padding). `targets` are non-negative: graded gains for judged data, inverse-propensity
weights on clicked positions for logged clicks (0 elsewhere).

- `softmax_cross_entropy`: -sum_i t_i log softmax(s)_i. With IPS-weighted click targets this is an
  unbiased estimate of the same loss on true relevance (each click is one term, weighted 1/theta_k), which
  is why the update job uses it. With `normalise_lists` each list's targets sum to 1 (ListNet-style), so
  every labelled query counts once regardless of how many judged products it has.
- `lambdarank`: pairwise logistic loss weighted by |delta nDCG| of swapping the pair under the current
  scores (Burges, "From RankNet to LambdaRank to LambdaMART", 2010); it optimises the top of the list.
- `pairwise`: for logged clicks, every (clicked, shown-but-not-clicked) pair of a list, logistic loss on
  their score difference, weighted by the clicked product's target (its inverse examination propensity;
  1 without bias correction). Under the position-based model this is an unbiased estimate of the same
  pairwise loss on true relevance (Joachims, Swaminathan & Schnabel, "Unbiased Learning-to-Rank with
  Biased Feedback", WSDM 2017: each relevant product's rank, counted over the products shown with it).
  Unlike the softmax likelihood it asks only that clicked products rank above skipped ones, not that
  the scores explain how clicks spread over the list.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def softmax_cross_entropy(
    scores: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor, *, normalise_lists: bool = False
) -> torch.Tensor:
    masked = scores.masked_fill(~mask, float("-inf"))
    log_p = torch.log_softmax(masked, dim=1).masked_fill(~mask, 0.0)
    weights = targets * mask
    if normalise_lists:
        weights = weights / weights.sum(dim=1, keepdim=True).clamp_min(1e-12)
        return -(weights * log_p).sum() / (weights.sum(dim=1) > 0).sum().clamp_min(1)
    return -(weights * log_p).sum() / weights.sum().clamp_min(1e-12)


def lambdarank(
    scores: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor, *, sigma: float = 1.0
) -> torch.Tensor:
    with torch.no_grad():
        order = torch.argsort(scores.masked_fill(~mask, float("-inf")), dim=1, descending=True)
        ranks = torch.empty_like(order)
        positions = torch.arange(scores.shape[1], device=scores.device).expand_as(order)
        ranks.scatter_(1, order, positions)
        discount = 1.0 / torch.log2(ranks.to(scores.dtype) + 2.0)
        ideal = torch.sort(targets * mask, dim=1, descending=True).values
        ideal_discount = 1.0 / torch.log2(torch.arange(scores.shape[1], device=scores.device) + 2.0)
        idcg = (ideal * ideal_discount).sum(dim=1, keepdim=True).clamp_min(1e-12)
        gain_diff = targets.unsqueeze(2) - targets.unsqueeze(1)
        pair_ok = (gain_diff > 0) & mask.unsqueeze(2) & mask.unsqueeze(1)
        delta = gain_diff.abs() * (discount.unsqueeze(2) - discount.unsqueeze(1)).abs()
        weight = torch.where(pair_ok, delta / idcg.unsqueeze(2), torch.zeros_like(delta))
    diff = scores.unsqueeze(2) - scores.unsqueeze(1)
    loss = (weight * torch.nn.functional.softplus(-sigma * diff)).sum()
    lists = (pair_ok.flatten(1).any(dim=1)).sum().clamp_min(1)
    return loss / lists


def pairwise(
    scores: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor, *, sigma: float = 1.0
) -> torch.Tensor:
    """Weighted mean over (clicked i, unclicked j) pairs of softplus(-sigma (s_i - s_j)), weight t_i."""
    clicked = (targets > 0) & mask
    unclicked = (targets <= 0) & mask
    weight = targets.unsqueeze(2) * (clicked.unsqueeze(2) & unclicked.unsqueeze(1))
    diff = scores.unsqueeze(2) - scores.unsqueeze(1)
    loss = (weight * torch.nn.functional.softplus(-sigma * diff)).sum()
    return loss / weight.sum().clamp_min(1e-12)


LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "softmax": softmax_cross_entropy,
    "lambdarank": lambdarank,
    "pairwise": pairwise,
}
