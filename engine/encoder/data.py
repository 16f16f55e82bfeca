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
from engine.product_schema import Unpublished, validate_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pair:
    """One training example: the query should score `product_id` above every other product in its
    batch and above `negatives` (products it was shown and passed over, or that judges graded down).
    `weight` scales its loss term (an inverse-propensity weight for a click; 1 for a judgement)."""

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
            except Unpublished:  # not served, so not trained on
                continue
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
    judgements: Judgements,
    query_ids: Sequence[str],
    products: Mapping[str, str],
    min_grade: float,
    max_negative_grade: float | None = None,
) -> list[Pair]:
    """Every (query, judged product) with grade >= `min_grade` whose product is in the catalog.

    With `max_negative_grade`, each pair also carries its query's judged products graded at or below
    it as hard negatives. Those are the products a lexical search put in front of the judges for that
    query and that the judges turned down: the close calls the full pipeline's top ten is decided on,
    where the batch's other queries' products are easy (a drill against a rug)."""
    if max_negative_grade is not None and max_negative_grade >= min_grade:
        raise InvalidInput(
            f"the hard-negative grade ({max_negative_grade}) must be below the pair grade ({min_grade})"
        )
    pairs = []
    for qid in query_ids:
        grades = sorted(judgements.grades.get(qid, {}).items())
        negatives: tuple[str, ...] = ()
        if max_negative_grade is not None:
            negatives = tuple(p for p, g in grades if g <= max_negative_grade and p in products)
        for pid, grade in grades:
            if grade >= min_grade and pid in products:
                pairs.append(Pair(qid, judgements.queries[qid], pid, negatives=negatives))
    return pairs
