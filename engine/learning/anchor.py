"""Anchor lists that keep a click-trained candidate from reshuffling queries its clicks say nothing about.

The update job's fit adds `anchor_weight * mean KL(serving || candidate)` over anchor lists (see
`trainer`). Two sources: the labelled check set's lists (when the shop has one) and, always, the
click-neutral copies made here.
"""

from __future__ import annotations

import numpy as np

from engine.learning.residual import CLICK_FEATURES
from engine.learning.trainer import TrainingList

NO_EVIDENCE_CTR = 1.0 / 21.0  # ClickStats' default prior mean


def click_neutral(lists: list[TrainingList], names: list[str], limit: int, seed: int) -> list[np.ndarray]:
    """Copies of (a sample of) the training lists with their click features at their no-evidence
    values. As anchor lists they pin how the candidate uses every *other* feature to the serving
    version's ordering, so a fit on clicks under a few queries can change rankings only through click
    evidence (which the feature builder gates to the queries a product matches), not by re-weighting
    relevance features for queries nobody clicked. Without a check set this is the only anchor."""
    if limit <= 0 or not lists:
        return []
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(lists), size=min(limit, len(lists)), replace=False)
    columns = {name: names.index(name) for name in CLICK_FEATURES if name in names}
    out = []
    for i in sorted(chosen.tolist()):
        rows = np.array(lists[i].features, dtype=np.float32, copy=True)
        for name, column in columns.items():
            rows[:, column] = 0.0 if name == "user_affinity" else NO_EVIDENCE_CTR
        out.append(rows)
    return out
