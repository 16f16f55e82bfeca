"""Training pairs for the query tower from the click log: clicks weighted by inverse propensity, with
the products shown above the last click and passed over as hard negatives.

Why inverse propensity: a shopper clicks only what they looked at, and position 1 is looked at far more
often than position 8, so raw clicks mostly teach the tower to repeat the current order. Weighting each
click by 1 / theta(position) (`engine.learning.propensity`, the position-based model) makes its expected
contribution proportional to how attractive the product is, not to where it was shown.

Why "shown above the last click": under the cascade reading of a list, everything above the deepest click
was examined, so an unclicked product there was seen and passed over; products below it may never have
been looked at and say nothing. A product clicked for the same query anywhere in the log is never used
as that query's negative.

Queries have no ids in the log: a click pair's query id is its normalised text, so splits by query id
keep every list of one query on one side (query-disjoint validation, as for judgements).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.encoder.data import Pair
from engine.encoder.evaluate import EvalQuery
from engine.learning.clicks import ClickedList
from engine.learning.propensity import Propensities

CLICK_QUERY_PREFIX = "click:"


def click_query_id(item: ClickedList) -> str:
    return CLICK_QUERY_PREFIX + item.query


def click_pairs(
    lists: Sequence[ClickedList],
    propensities: Propensities,
    products: Mapping[str, str],
    *,
    query_ids: set[str] | None = None,
    max_negatives: int = 4,
) -> list[Pair]:
    """One pair per click on a product in `products` (the catalog texts), in log order.

    `query_ids` keeps only those queries (a split); `max_negatives` caps the passed-over products a pair
    carries (the nearest above the click's list's deepest click first: they are the hardest).
    """
    clicked_for: dict[str, set[str]] = {}
    for item in lists:
        ids = item.impression.product_ids
        clicked_for.setdefault(click_query_id(item), set()).update(ids[i] for i in item.clicked)
    pairs: list[Pair] = []
    for item in lists:
        qid = click_query_id(item)
        if not item.clicked or (query_ids is not None and qid not in query_ids):
            continue
        shown = item.impression
        deepest = max(shown.positions[i] for i in item.clicked)
        passed = sorted(
            (
                (position, pid)
                for pid, position in zip(shown.product_ids, shown.positions, strict=True)
                if position < deepest and pid not in clicked_for[qid] and pid in products
            ),
            reverse=True,
        )
        negatives = tuple(pid for _, pid in passed[:max_negatives])
        for index in item.clicked:
            pid = shown.product_ids[index]
            if pid in products:
                weight = propensities.weight(shown.positions[index])
                pairs.append(Pair(qid, item.query, pid, weight, negatives))
    return pairs


def click_eval_queries(
    lists: Sequence[ClickedList], query_ids: Sequence[str], grade: float
) -> list[EvalQuery]:
    """Held-out click queries as graded queries: every product clicked for the query gets `grade`
    (above the judgement scale's minimum, so it counts as relevant in nDCG)."""
    wanted = set(query_ids)
    grades: dict[str, dict[str, float]] = {}
    texts: dict[str, str] = {}
    for item in lists:
        qid = click_query_id(item)
        if qid in wanted and item.clicked:
            texts[qid] = item.query
            per_query = grades.setdefault(qid, {})
            per_query.update({item.impression.product_ids[i]: grade for i in item.clicked})
    return [EvalQuery(qid, texts[qid], grades[qid]) for qid in sorted(grades)]
