"""Carry the index's match thresholds over to a new query tower (`engine.models.tower_thresholds`).

Real queries (a sample of the training queries) are scored against a seeded sample of the served
product vectors through the tower serving now and through the new one; each stored threshold is moved
to where the new tower lets the same share of those scores through. Products do not move (a query
tower serves against the vectors already built), so a threshold keeps its meaning: how many unrelated
products a query's meaning alone may match.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from engine.encoder.evaluate import ProductVectors, QueryEncode
from engine.vectors.calibration import CALIBRATION_SAMPLE, carry_threshold

MAX_QUERIES = 500


def carried_thresholds(
    new: QueryEncode,
    serving: QueryEncode,
    queries: Sequence[str],
    products: ProductVectors,
    stored: Mapping[str, float | None],
    seed: int = 0,
) -> tuple[dict[str, float], dict[str, Any]]:
    """({name: carried value} for each stored threshold that is set, how they were carried); empty
    when there are no queries or products to measure with."""
    texts = sorted(set(queries))
    if len(texts) > MAX_QUERIES:
        texts = random.Random(seed).sample(texts, MAX_QUERIES)
    if not texts or not products.ids:
        return {}, {}
    rng = np.random.default_rng(seed)
    take = rng.choice(len(products.ids), size=min(CALIBRATION_SAMPLE, len(products.ids)), replace=False)
    ids = [products.ids[i] for i in sorted(take)]
    matrix = products.rows(ids)
    before, after = serving(texts) @ matrix.T, new(texts) @ matrix.T
    known = {name: float(value) for name, value in stored.items() if value is not None}
    carried = {name: carry_threshold(before, after, value) for name, value in known.items()}
    return carried, {"from": known, "queries": len(texts), "products": len(ids)}
