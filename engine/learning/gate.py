"""The validation gate: a candidate ranker serves only if it is at least as good as the serving one.

Two checks, both comparing candidate and serving version on the same data:

1. Clicks: the self-normalised IPS click estimate (`metrics.snips_click_estimate`) on the most recent
   served lists, which the candidate was not trained on.
2. Labels (when a check set is configured): mean nDCG@10 on the frozen labelled lists.

"At least as good" allows a small tolerance: 0.01 on the click estimate and 0.002 on check-set nDCG@10 by
default, about the noise of a few hundred held-out clicks and a few dozen check queries (chosen on
simulated crowdflower dev traffic; see docs/learning.md). A candidate that really is worse, e.g. one
trained on inverted clicks, loses by far more. The verdict and every number behind it go into the
rollout record, so a rejected candidate can be explained later.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.learning.clicks import ClickedList
from engine.learning.labelled import LabelledList, mean_ndcg
from engine.learning.metrics import Scorer, snips_click_estimate
from engine.learning.propensity import Propensities


@dataclass(frozen=True)
class GateConfig:
    click_tolerance: float = 0.01
    ndcg_tolerance: float = 0.002
    min_holdout_clicks: int = 20
    ndcg_k: int = 10


@dataclass
class Validation:
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    clicks: dict[str, float] = field(default_factory=dict)
    ndcg: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"accepted": self.accepted, "reasons": self.reasons, "clicks": self.clicks, "ndcg": self.ndcg}


def validate(
    candidate: Scorer,
    serving: Scorer,
    holdout: Sequence[ClickedList],
    propensities: Propensities,
    feature_names: Sequence[str],
    *,
    check_set: Sequence[LabelledList] = (),
    check_min_grade: float = 1.0,
    config: GateConfig | None = None,
) -> Validation:
    """Score both rankers on held-out clicks (and the check set); accept only if neither check loses."""
    config = config or GateConfig()
    result = Validation(accepted=True)

    cand, used = snips_click_estimate(holdout, candidate, propensities, feature_names)
    serv, _ = snips_click_estimate(holdout, serving, propensities, feature_names)
    result.clicks = {"candidate": cand, "serving": serv, "clicks": used}
    if used < config.min_holdout_clicks or math.isnan(cand):
        result.accepted = False
        result.reasons.append(f"only {used} held-out clicks (need {config.min_holdout_clicks})")
    elif cand < serv - config.click_tolerance:
        result.accepted = False
        result.reasons.append(f"IPS click estimate {cand:.4f} < serving {serv:.4f}")

    if check_set:
        cand_ndcg = mean_ndcg(check_set, candidate, config.ndcg_k, check_min_grade)
        serv_ndcg = mean_ndcg(check_set, serving, config.ndcg_k, check_min_grade)
        result.ndcg = {"candidate": cand_ndcg, "serving": serv_ndcg, "queries": len(check_set)}
        if cand_ndcg < serv_ndcg - config.ndcg_tolerance:
            result.accepted = False
            result.reasons.append(f"check-set nDCG@{config.ndcg_k} {cand_ndcg:.4f} < serving {serv_ndcg:.4f}")
    return result
