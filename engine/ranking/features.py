"""The ranker's feature vector: one row per candidate, in the fixed order of `FEATURE_NAMES`.

The order is part of the model contract: every served ranker version (ranker version 1 in
`model_repository` is a prior with weight 1.0 on `fused_score`) and every logged impression use it, so a
feature is only ever appended, never moved. What each feature means:

- lexical_score   BM25 score divided by the best BM25 score of this query (0..1; 0 when not retrieved).
- lexical_rrf     1 / (60 + rank) in the lexical list (0 when not retrieved).
- lexical_present 1 when the lexical retriever returned the product.
- dense_score     cosine between the query and product text embeddings; computed for every candidate
                  (also the lexical-only ones, from the stored vector), 0 when the vector is missing.
- dense_rrf       1 / (60 + rank) in the dense list (0 when not retrieved).
- dense_present   1 when dense retrieval returned the product.
- fused_score     the fusion stage's score, min-max normalised over the query's candidates (0..1).
- title_overlap   share of the query's tokens that occur in the title.
- title_phrase    1 when the whole query (tokenised) occurs as a phrase in the title.
- brand_match     1 when every token of the product's brand occurs in the query.
- category_match  share of the query's tokens that occur in the category path.
- log_price       log(1 + price), 0 without a price.
- log_popularity  log(1 + catalog popularity prior + weighted click/cart/purchase count).
- ctr             smoothed click-through rate of the product over all searches (Beta prior).
- query_ctr       smoothed click-through rate of the product for this exact (normalised) query.
- user_affinity   cosine between the user's recency-weighted profile vector and the product's text vector
                  (0 without a user profile).
- image_score     CLIP cosine between the image (or CLIP text) query and the product image (0 when none).
- available       1 when the product can be bought now (in stock or preorder).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.records import Product

FEATURE_NAMES: tuple[str, ...] = (
    "lexical_score",
    "lexical_rrf",
    "lexical_present",
    "dense_score",
    "dense_rrf",
    "dense_present",
    "fused_score",
    "title_overlap",
    "title_phrase",
    "brand_match",
    "category_match",
    "log_price",
    "log_popularity",
    "ctr",
    "query_ctr",
    "user_affinity",
    "image_score",
    "available",
)
N_FEATURES = len(FEATURE_NAMES)
RRF_K = 60

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (any script); the text features compare these."""
    return _TOKEN.findall(text.casefold())


@dataclass
class CandidateSignals:
    """What the retrieval and fusion stages know about one candidate (None = not retrieved there)."""

    product_id: str
    lexical_score: float | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    dense_rank: int | None = None
    image_score: float | None = None
    fused_score: float = 0.0
    # (title_overlap, title_phrase) when fusion already computed them for this query, else None.
    title_match: tuple[float, float] | None = None


@dataclass
class QueryContext:
    """Per-query inputs of the feature builder."""

    query: str
    user_vector: np.ndarray | None = None
    # (ctr, query_ctr) per product id; None = every product at the prior (no stats table).
    click_rates: Callable[[str, Sequence[str]], list[tuple[float, float]]] | None = None
    popularity: Callable[[str], float] | None = None


def _rrf(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (RRF_K + rank)


@lru_cache(maxsize=262_144)
def _terms(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Tokens of a catalog string (title, brand, category path), in order and as a set.

    Cached by the string itself: the same titles come back query after query, tokenising them was most
    of the feature builder's time, and a product edit changes the string, so nothing goes stale.
    """
    tokens = tuple(tokenize(text))
    return tokens, frozenset(tokens)


def _contains_phrase(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    first = needle[0]
    return any(
        haystack[i] == first and tuple(haystack[i : i + n]) == tuple(needle)
        for i in range(len(haystack) - n + 1)
    )


class TitleMatcher:
    """One query's title matching, with the query side tokenised once for all its candidates."""

    def __init__(self, query_tokens: Sequence[str]) -> None:
        self.tokens = tuple(query_tokens)
        self.wanted = frozenset(self.tokens)

    def __call__(self, title: str) -> tuple[float, float]:
        """(share of the query's distinct tokens found in the title, 1.0 if the query is a phrase in it)."""
        if not self.wanted:
            return 0.0, 0.0
        title_tokens, title_set = _terms(title)
        found = len(self.wanted & title_set)
        phrase = found == len(self.wanted) and _contains_phrase(title_tokens, self.tokens)
        return found / len(self.wanted), 1.0 if phrase else 0.0


def build_features(
    context: QueryContext,
    candidates: Sequence[CandidateSignals],
    products: dict[str, Product],
    text_vectors: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Feature matrix of shape (len(candidates), N_FEATURES), float32, rows in candidate order.

    `text_vectors` maps product id -> stored text embedding; it feeds `user_affinity`. A candidate
    missing from `products` (deleted meanwhile) gets neutral text features rather than an error.
    """
    rows = np.zeros((len(candidates), N_FEATURES), dtype=np.float32)
    if not candidates:
        return rows
    q_tokens = tokenize(context.query)
    q_set = set(q_tokens)
    match_title = TitleMatcher(q_tokens)
    best_lexical = max((c.lexical_score or 0.0 for c in candidates), default=0.0)
    fused = [c.fused_score for c in candidates]
    lo, hi = min(fused), max(fused)
    span = hi - lo
    ids = [c.product_id for c in candidates]
    rates = context.click_rates(context.query, ids) if context.click_rates else None
    user = context.user_vector

    for i, cand in enumerate(candidates):
        row = rows[i]
        if cand.lexical_score is not None:
            row[0] = cand.lexical_score / best_lexical if best_lexical > 0 else 0.0
            row[2] = 1.0
        row[1] = _rrf(cand.lexical_rank)
        row[3] = cand.dense_score or 0.0
        row[4] = _rrf(cand.dense_rank)
        row[5] = 1.0 if cand.dense_rank is not None else 0.0
        row[6] = (cand.fused_score - lo) / span if span > 0 else 1.0
        product = products.get(cand.product_id)
        if product is not None:
            if q_set:
                row[7], row[8] = cand.title_match or match_title(product.title)
                category = _terms(" ".join(product.category))[1]
                row[10] = len(q_set & category) / len(q_set)
            brand = _terms(product.brand)[1]
            row[9] = 1.0 if brand and q_set.issuperset(brand) else 0.0
            row[11] = math.log1p(product.price) if product.price and product.price > 0 else 0.0
            extra = context.popularity(cand.product_id) if context.popularity else 0.0
            row[12] = math.log1p(max(product.popularity, 0.0) + extra)
            row[17] = 1.0 if product.available else 0.0
        if rates is not None:
            row[13], row[14] = rates[i]
        if user is not None and text_vectors is not None:
            vector = text_vectors.get(cand.product_id)
            if vector is not None:
                row[15] = float(np.dot(user, vector))
        row[16] = cand.image_score or 0.0
    return rows
