"""An immutable in-memory lexical index: per-field BM25 (bm25s) plus numpy columns for filters/facets.

The embedded backend never mutates a `Snapshot`; every write builds a new one and swaps a reference,
so readers on other threads always see one consistent catalog without taking a lock.

Scoring mirrors the OpenSearch mapping: one BM25 model per field (title, description, brand, category)
with Lucene's formula (k1=1.2, b=0.75), summed with the weights 3, 1, 2, 1 like OpenSearch's
`most_fields` query over title^3, description, brand.text^2, category. A product matches a query when
at least one analysed query term occurs in one of those fields (Lucene's IDF is always positive, so a
score above zero means a match).

Cost: building tokenises every changed product and re-indexes all fields (bm25s builds its matrices
in a Python loop per document): seconds per 10k products; see `engine.lexical.embedded` for numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.errors import MissingDependency
from engine.lexical.facets import attribute_name, price_buckets, top_buckets
from engine.lexical.mapping import category_prefixes
from engine.records import CATEGORY_SEPARATOR, FacetCounts, Filters, Product

try:
    import bm25s  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - bm25s is a core dependency
    raise MissingDependency("bm25s", "the embedded lexical index") from exc

# bm25s sets its own logger to DEBUG; its per-build chatter is noise in our CLIs.
logging.getLogger("bm25s").setLevel(logging.WARNING)

FIELD_WEIGHTS = {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0}
_MISSING = "None"  # how `Filters.matches` reads a missing attribute


def field_texts(product: Product) -> dict[str, str]:
    return {
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "category": " ".join(product.category),
    }


Tokens = dict[str, list[str]]
Analyzer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Column:
    """A categorical column: codes[i] indexes `values` (-1 = no value)."""

    codes: np.ndarray
    values: list[str]
    lookup: dict[str, int] = field(repr=False)

    @classmethod
    def build(cls, items: Sequence[str | None]) -> Column:
        lookup: dict[str, int] = {}
        codes = np.fromiter(
            (-1 if v is None else lookup.setdefault(v, len(lookup)) for v in items),
            dtype=np.int32,
            count=len(items),
        )
        return cls(codes, list(lookup), lookup)

    def isin(self, accepted: Sequence[str]) -> np.ndarray:
        wanted = [self.lookup[v] for v in accepted if v in self.lookup]
        return np.isin(self.codes, wanted)

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        codes = self.codes[mask]
        counts = np.bincount(codes[codes >= 0], minlength=len(self.values))
        return {self.values[i]: int(c) for i, c in enumerate(counts) if c}


class Snapshot:
    """One catalog, indexed. Build with `Snapshot.build`; never mutated afterwards."""

    def __init__(self, products: Mapping[str, Product], tokens: Mapping[str, Tokens], analyzer: Analyzer):
        self.analyzer = analyzer
        self.ids: list[str] = sorted(products)  # id order = tie-break order for equal scores
        self.products = dict(products)
        self.tokens = dict(tokens)
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        rows = [self.products[i] for i in self.ids]
        self.models: dict[str, Any] = {}
        for name in FIELD_WEIGHTS:
            corpus = [self.tokens[i][name] for i in self.ids]
            if any(corpus):
                model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
                model.index(corpus, show_progress=False)
                self.models[name] = model
        self.brand = Column.build([p.brand for p in rows])
        self.category_top = Column.build([p.category[0] if p.category else None for p in rows])
        self.category_path = Column.build([p.category_path if p.category else None for p in rows])
        depth = max((len(p.category) for p in rows), default=0)
        padded = [[*category_prefixes(p.category), *[None] * (depth - len(p.category))] for p in rows]
        self.prefixes = [Column.build([row[d] for row in padded]) for d in range(depth)]
        self.availability = Column.build([p.availability for p in rows])
        self.available = np.fromiter((p.available for p in rows), dtype=bool, count=len(rows))
        self.price = np.array([np.nan if p.price is None else p.price for p in rows], dtype=np.float64)
        values: dict[str, list[str | None]] = {}
        for i, p in enumerate(rows):
            for key, value in p.attributes.items():
                if value is not None:
                    values.setdefault(str(key), [None] * len(rows))[i] = str(value)
        self.attributes = {name: Column.build(column) for name, column in values.items()}

    @classmethod
    def build(
        cls, products: Mapping[str, Product], analyzer: Analyzer, previous: Snapshot | None = None
    ) -> Snapshot:
        """Index `products`, re-using the previous snapshot's tokens for products that did not change."""
        tokens: dict[str, Tokens] = {}
        for pid, product in products.items():
            if previous is not None and previous.products.get(pid) == product:
                tokens[pid] = previous.tokens[pid]
            else:
                tokens[pid] = {f: analyzer(text) for f, text in field_texts(product).items()}
        return cls(products, tokens, analyzer)

    def __len__(self) -> int:
        return len(self.ids)

    # --- queries ----------------------------------------------------------------------------------
    def scores(self, query: str) -> np.ndarray:
        """Weighted BM25 per product; 0 where nothing matches."""
        total = np.zeros(len(self.ids), dtype=np.float32)
        terms = self.analyzer(query)
        if not terms:
            return total
        for name, model in self.models.items():
            term_ids = model.get_tokens_ids(terms)
            if term_ids:
                total += FIELD_WEIGHTS[name] * model.get_scores_from_ids(term_ids)
        return total

    def mask(self, query: str | None, filters: Filters | None) -> np.ndarray:
        selected = np.ones(len(self.ids), dtype=bool) if query is None else self.scores(query) > 0
        return selected & self.filter_mask(filters)

    def filter_mask(self, filters: Filters | None) -> np.ndarray:
        """Boolean mask equivalent to `filters.matches` over every product."""
        mask = np.ones(len(self.ids), dtype=bool)
        if filters is None or filters.is_empty:
            return mask
        if filters.category:
            depth = len(filters.category)
            if depth > len(self.prefixes):
                return np.zeros_like(mask)
            mask &= self.prefixes[depth - 1].isin([CATEGORY_SEPARATOR.join(filters.category)])
        if filters.brands:
            mask &= self.brand.isin(filters.brands)
        with np.errstate(invalid="ignore"):  # NaN (no price) compares False: excluded, as in matches()
            if filters.price_min is not None:
                mask &= self.price >= filters.price_min
            if filters.price_max is not None:
                mask &= self.price <= filters.price_max
        if filters.available_only:
            mask &= self.available
        for name, accepted in filters.attributes.items():
            column = self.attributes.get(name)
            if column is None:
                mask &= _MISSING in accepted
                continue
            passing = column.isin(accepted)
            if _MISSING in accepted:
                passing |= column.codes < 0
            mask &= passing
        for pid in filters.exclude_ids:
            if pid in self.position:
                mask[self.position[pid]] = False
        return mask

    def top(self, query: str, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        scores = self.scores(query)
        candidates = np.flatnonzero((scores > 0) & self.filter_mask(filters))
        order = candidates[np.lexsort((candidates, -scores[candidates]))][:k]
        return [(self.ids[i], float(scores[i])) for i in order]

    def facets(self, mask: np.ndarray, fields: Sequence[str], size: int) -> FacetCounts:
        result: FacetCounts = {}
        for name in fields:
            attr = attribute_name(name)
            if name == "price":
                prices = self.price[mask]
                counts = {}
                for label, lo, hi in price_buckets():
                    above = prices >= (-np.inf if lo is None else lo)
                    counts[label] = int(np.count_nonzero(above & (prices < (np.inf if hi is None else hi))))
            elif attr is not None:
                column = self.attributes.get(attr)
                counts = column.counts(mask) if column is not None else {}
            else:
                column = {
                    "brand": self.brand,
                    "category": self.category_top,
                    "category_path": self.category_path,
                    "availability": self.availability,
                }[name]
                counts = column.counts(mask)
            result[name] = top_buckets(counts, size)
        return result
