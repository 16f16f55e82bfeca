"""Training pairs for the query tower: (query text, product text) from human judgements.

A pair is a judged product with a grade at or above the threshold. Splits are by query (a query's pairs
all land on one side) so validation measures generalisation to unseen queries, not memorised ones.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidInput, NotFound
from engine.learning.offline_data import Judgements
from engine.product_schema import validate_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pair:
    """One training example: the query should score `product_id` above every other product in its
    batch and above `negatives` (products it was shown and passed over). `weight` scales its loss term
    (an inverse-propensity weight for a click; 1 for a judgement)."""

    query_id: str
    query: str
    product_id: str
    weight: float = 1.0
    negatives: tuple[str, ...] = ()


def load_product_texts(path: Path) -> dict[str, str]:
    """id -> the text the product tower embeds (`Product.text_for_embedding`), from JSON lines.

    A record that is not a valid product is left out, as a non-strict `indexer build` leaves it out of
    the index (so training never sees a product the index cannot serve); how many were left out and the
    first reason are logged. No valid record at all is `InvalidInput`."""
    if not path.is_file():
        raise NotFound(f"no such file: {path}")
    texts: dict[str, str] = {}
    skipped: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                product = validate_record(json.loads(line))
            except (ValueError, InvalidInput) as exc:
                skipped.append(f"{path}:{number}: not a product record: {exc}")
                continue
            texts[product.id] = product.text_for_embedding()
    if skipped:
        log.warning("left out %d invalid record(s); first: %s", len(skipped), skipped[0])
    if not texts:
        raise InvalidInput(f"{path}: no valid product" + (f" ({skipped[0]})" if skipped else ""))
    return texts


def split_queries(query_ids: Sequence[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """(first, second): a seeded shuffle of the query ids cut at `fraction` (0 < fraction < 1)."""
    if not 0.0 < fraction < 1.0:
        raise InvalidInput(f"split fraction must be between 0 and 1, got {fraction}")
    ids = sorted(query_ids)
    random.Random(seed).shuffle(ids)
    cut = max(1, min(len(ids) - 1, round(len(ids) * fraction)))
    return ids[:cut], ids[cut:]


def pairs_for(
    judgements: Judgements, query_ids: Sequence[str], products: Mapping[str, str], min_grade: float
) -> list[Pair]:
    """Every (query, judged product) with grade >= `min_grade` whose product is in the catalog."""
    pairs = []
    for qid in query_ids:
        for pid, grade in sorted(judgements.grades.get(qid, {}).items()):
            if grade >= min_grade and pid in products:
                pairs.append(Pair(qid, judgements.queries[qid], pid))
    return pairs
