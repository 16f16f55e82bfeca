"""tantivy clauses of a search's filters, with `Filters.matches` semantics, none of them scoring.

Every query of the embedded index that takes filters (ranking, the match set, identifiers) puts them
under its text query this one way, so the two cannot disagree about which products pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.lexical.query import AVAILABLE_VALUES
from engine.lexical.tantivy_schema import ATTR_SEPARATOR, tantivy
from engine.records import CATEGORY_SEPARATOR, Filters

Occur = tantivy.Occur
Query = tantivy.Query
_MISSING = "None"  # what `Filters.matches` compares a missing attribute as


def filtered(schema: Any, query: Any, filters: Filters | None) -> Any:
    """`query` restricted to the products passing `filters` (the query itself when there are none)."""
    clauses = filter_clauses(schema, filters)
    if not clauses:
        return query
    return Query.boolean_query([(Occur.Must, query), *clauses])


def _terms(schema: Any, name: str, values: Sequence[str]) -> Any:
    return Query.const_score_query(Query.term_set_query(schema, name, list(values)), 0.0)


def filter_clauses(schema: Any, filters: Filters | None) -> list[tuple[Any, Any]]:
    """(occur, query) clauses equivalent to `filters.matches`, none of them scoring."""
    if filters is None or filters.is_empty:
        return []
    clauses: list[tuple[Any, Any]] = []
    if filters.category:
        prefix = CATEGORY_SEPARATOR.join(filters.category)
        clauses.append((Occur.Must, _terms(schema, "category_prefixes", [prefix])))
    if filters.brands:
        clauses.append((Occur.Must, _terms(schema, "brand", filters.brands)))
    if filters.price_min is not None or filters.price_max is not None:
        price = Query.range_query(
            schema,
            "price",
            tantivy.FieldType.Float,
            float("-inf") if filters.price_min is None else float(filters.price_min),
            float("inf") if filters.price_max is None else float(filters.price_max),
        )
        clauses.append((Occur.Must, Query.const_score_query(price, 0.0)))
    if filters.available_only:
        clauses.append((Occur.Must, _terms(schema, "availability", AVAILABLE_VALUES)))
    if filters.availability:
        clauses.append((Occur.Must, _terms(schema, "availability", filters.availability)))
    for name, accepted in filters.attributes.items():
        values = [f"{name}{ATTR_SEPARATOR}{v}" for v in accepted if v != _MISSING]
        has_value = _terms(schema, "attr", values) if values else Query.empty_query()
        if _MISSING in accepted:
            lacks = Query.boolean_query(
                [(Occur.Must, Query.all_query()), (Occur.MustNot, _terms(schema, "attr_name", [name]))]
            )
            has_value = Query.boolean_query([(Occur.Should, has_value), (Occur.Should, lacks)])
        clauses.append((Occur.Must, has_value))
    if filters.exclude_ids:
        clauses.append((Occur.MustNot, _terms(schema, "id", filters.exclude_ids)))
    return clauses
