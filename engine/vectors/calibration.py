"""The semantic match threshold of a catalog: how close a query vector must be to a product's text vector
for the product to count as matching the query's meaning (`engine.pipeline.matchset`).

Cosine similarity has no fixed scale: it depends on the encoder and on how alike a catalog's products
are (titles of drill bits are closer to each other than a bookshop's blurbs). So the threshold is
calibrated per catalog from its own vectors: the `quantile` of the similarity between random pairs of
products whose vectors differ. (A family's sizes and colours share their title and description, so they
embed to the same vector: in a clothing feed of 17 families in 129 items, 6% of random pairs were such
twins at cosine 1.0, which set the threshold at 1.0 and left no product to match by meaning.) At the
default quantile 0.98 a query counts as meaning a product when it is as close to it as the closest 2%
of unrelated product pairs; bench/matchset.py shows the curves (set size, judged relevant and
irrelevant products inside) this default was chosen from, docs/relevance.md explains it.
The looser near threshold (`NEAR_QUANTILE`, 0.85) admits a product that also shares a query word when
the strict set is thin.

The indexer calibrates at build time and stores both values in the index manifest, so every gateway
process uses the same numbers and no search pays for them; `AISLE_SEMANTIC_MATCH_THRESHOLD` and
`AISLE_NEAR_MATCH_THRESHOLD` override them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from engine.vectors.base import VectorStore

CALIBRATION_SAMPLE = 2000
DEFAULT_QUANTILE = 0.98
NEAR_QUANTILE = 0.85
# A threshold above this says the catalog is mostly variants of a few items (docs/relevance.md): a product's
# own title, sent as a query, reaches its product vector at cosine 0.87 (median) / 0.76 (10th percentile) on
# crowdflower and 0.80 / 0.75 on a shop of fastener variants (500 products each, a throwaway measurement
# with the float32 encoder), so above 0.8 meaning alone rarely matches.
VERY_ALIKE = 0.8


def very_alike(semantic_threshold: float | None) -> bool:
    """Whether a catalog's calibrated semantic threshold says its products are very alike to the encoder:
    the indexer notes it, and near matches are off then (`engine.pipeline.matchset`)."""
    return semantic_threshold is not None and semantic_threshold > VERY_ALIKE


def calibrate_threshold(vectors: np.ndarray, quantile: float = DEFAULT_QUANTILE, seed: int = 0) -> float:
    """The `quantile` of cosine similarity over pairs of distinct rows drawn from `vectors` (rows
    L2-normalised; repeated rows count once). Deterministic for a given catalog; 1.0 (nothing is near by
    chance) below 2 distinct rows."""
    rows = np.unique(np.asarray(vectors, dtype=np.float32), axis=0)
    if rows.shape[0] < 2:
        return 1.0
    rng = np.random.default_rng(seed)
    take = rng.choice(rows.shape[0], size=min(CALIBRATION_SAMPLE, rows.shape[0]), replace=False)
    sample = rows[take]
    sims = sample @ sample.T
    upper = sims[np.triu_indices(len(sample), k=1)]
    return float(np.quantile(upper, quantile))


def calibrate_store(
    store: VectorStore, quantile: float = DEFAULT_QUANTILE, families: Mapping[str, str] | None = None
) -> float | None:
    """`calibrate_threshold` over a sample of `store`'s vectors, one per family where `families` maps
    product ids to their family's key; None for an empty store.

    A family's sizes and shades differ in their titles ("Moisturizing Cream-50 ml", "-340 g") and share
    the rest, so their vectors are close but not the same: in a beauty shop's 69 products in 16
    families, such pairs set the 0.98 quantile at 0.923, above every query's similarity to any product,
    and no product matched by meaning. Pairs of one family are not unrelated products."""
    ids = store.ids()
    if families:
        first: dict[str, str] = {}
        for pid in ids:
            first.setdefault(families.get(pid, pid), pid)
        ids = list(first.values())
    if not ids:
        return None
    rng = np.random.default_rng(0)
    take = rng.choice(len(ids), size=min(CALIBRATION_SAMPLE, len(ids)), replace=False)
    vectors = store.get_vectors([ids[i] for i in sorted(take)])
    return calibrate_threshold(np.stack(list(vectors.values())), quantile)


def carry_threshold(before: np.ndarray, after: np.ndarray, threshold: float) -> float:
    """The threshold that keeps, for scores `after`, the share of scores `before` at or above
    `threshold`: the same queries against the same products through an encoder that replaces another.
    A threshold no score reached keeps nothing under either (the highest score `after`, nudged up)."""
    old = np.asarray(before, dtype=np.float64).ravel()
    new = np.asarray(after, dtype=np.float64).ravel()
    if old.size == 0 or new.size == 0:
        return threshold
    share = float(np.mean(old >= threshold))
    if share == 0.0:
        return float(np.nextafter(new.max(), np.inf))
    return float(np.quantile(new, 1.0 - share))
