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
- available       1 when the product can be bought now (in stock, preorder or backorder).

Global click signals are gated by how well the product matches the query. `ctr`, the click-fed part of
`log_popularity` and `user_affinity` say nothing about *this* query: clicks on a jacket under "jacket"
raise its `ctr` in every search it appears in. Left alone, a ranker that learns "high ctr = good" lifts
that jacket above the lamps in a search for "lamp". So each of them is shrunk towards its no-evidence
value by the product's query-match strength

    match = max(title_overlap, category_match, brand_match)     (0..1, from the query's tokens)
    ctr'  = prior + match * (ctr - prior)     click part of popularity * match     user_affinity * match

A product that does not match the query textually looks, to the ranker, exactly like one nobody ever
clicked; a strong match keeps its full global evidence. `query_ctr` is already specific to the query and
is not gated. Without a query (recommendations) there is no relevance to protect and nothing is gated.

Longer than most modules on purpose: the names, their order and the code computing each one are a
single contract with the served models, kept in one file so a change to one is seen beside the others.

Over 300 lines because it is the feature contract: the order, what each feature means and the
vectorised code that computes them stay in one place, so a feature is never defined twice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from engine.charset import fold_diacritics
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
RRF_K = 60  # reciprocal rank fusion constant: the rrf feature and `engine.pipeline.fusion.rrf`

# The retrieved lists a candidate can come from; each has a score and a rank column in `SignalColumns`.
CANDIDATE_LISTS: tuple[str, ...] = ("lexical", "dense", "image")

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (any script) without accents; the text features compare these, so a
    query typed without them ("yastik", "cle a molette") matches the title that has them ("Yastık",
    "Clé à molette"). "İ" is "i" first: casefolded alone it is "i" and a combining dot, a split."""
    return [fold_diacritics(token) for token in _TOKEN.findall(text.replace("İ", "i").casefold())]


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


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@dataclass
class SignalColumns:
    """The same signals for many candidates, one array per signal (row i is `ids[i]`).

    Fusion and the feature builder work on these columns with numpy instead of on one object per
    candidate: a search handles a few hundred candidates, and per-object Python was most of its CPU.
    Absent values: NaN for scores and title matches, 0 for ranks (ranks are 1-based). A score with rank 0
    is an exact score of a candidate that list did not return (see `engine.pipeline.fusion`).
    """

    ids: list[str]
    lexical_score: np.ndarray
    lexical_rank: np.ndarray
    dense_score: np.ndarray
    dense_rank: np.ndarray
    image_score: np.ndarray
    image_rank: np.ndarray
    fused_score: np.ndarray
    title_overlap: np.ndarray
    title_phrase: np.ndarray

    @classmethod
    def empty(cls, ids: list[str]) -> SignalColumns:
        n = len(ids)
        return cls(
            ids=ids,
            lexical_score=np.full(n, np.nan),
            lexical_rank=np.zeros(n, dtype=np.int64),
            dense_score=np.full(n, np.nan),
            dense_rank=np.zeros(n, dtype=np.int64),
            image_score=np.full(n, np.nan),
            image_rank=np.zeros(n, dtype=np.int64),
            fused_score=np.zeros(n),
            title_overlap=np.full(n, np.nan),
            title_phrase=np.full(n, np.nan),
        )

    @classmethod
    def of(cls, signals: Sequence[CandidateSignals]) -> SignalColumns:
        columns = cls.empty([s.product_id for s in signals])
        for i, s in enumerate(signals):
            if s.lexical_score is not None:
                columns.lexical_score[i] = s.lexical_score
            columns.lexical_rank[i] = s.lexical_rank or 0
            if s.dense_score is not None:
                columns.dense_score[i] = s.dense_score
            columns.dense_rank[i] = s.dense_rank or 0
            if s.image_score is not None:
                columns.image_score[i] = s.image_score
            columns.fused_score[i] = s.fused_score
            if s.title_match is not None:
                columns.title_overlap[i], columns.title_phrase[i] = s.title_match
        return columns

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: Sequence[int] | np.ndarray) -> SignalColumns:
        """The columns of `rows`, in that order."""
        index = np.asarray(rows, dtype=np.intp)
        arrays = {f.name: getattr(self, f.name)[index] for f in fields(self) if f.name != "ids"}
        return SignalColumns(ids=[self.ids[i] for i in index], **arrays)

    def of_list(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(score column, rank column) of candidate list `name`: one of `CANDIDATE_LISTS`."""
        if name not in CANDIDATE_LISTS:
            raise ValueError(f"unknown candidate list {name!r}; expected one of {CANDIDATE_LISTS}")
        return getattr(self, f"{name}_score"), getattr(self, f"{name}_rank")

    def signals(self, row: int) -> CandidateSignals:
        """One candidate as an object (responses' debug fields, tests)."""
        overlap, phrase = self.title_overlap[row], self.title_phrase[row]
        return CandidateSignals(
            product_id=self.ids[row],
            lexical_score=_optional(self.lexical_score[row]),
            lexical_rank=int(self.lexical_rank[row]) or None,
            dense_score=_optional(self.dense_score[row]),
            dense_rank=int(self.dense_rank[row]) or None,
            image_score=_optional(self.image_score[row]),
            fused_score=float(self.fused_score[row]),
            title_match=None if math.isnan(overlap) else (float(overlap), float(phrase)),
        )


WordForms = Callable[[tuple[str, ...]], tuple[str, ...]]
"""Tokens -> the forms the text features compare: the catalog language's stems outside English
(`engine.lexical.word_forms`), so "półki" (shelves) matches the title "Półka" (a shelf)."""


@dataclass
class QueryContext:
    """Per-query inputs of the feature builder."""

    query: str
    user_vector: np.ndarray | None = None
    # (ctr, query_ctr) per product id; None = every product at the prior (no stats table).
    click_rates: Callable[[str, Sequence[str]], list[tuple[float, float]]] | None = None
    popularity: Callable[[str], float] | None = None
    # The click-through rate of a product without evidence (the stats' Beta prior mean): where a
    # weak match's `ctr` is pulled to (see the module docstring).
    click_prior: float = 1.0 / 21.0
    # How the title, brand and category matches write words (`WordForms`); None: as tokenized.
    forms: WordForms | None = None


def _rrf(ranks: np.ndarray) -> np.ndarray:
    """1 / (60 + rank) where ranked, 0 where not (rank 0)."""
    return np.where(ranks > 0, 1.0 / (RRF_K + np.maximum(ranks, 1)), 0.0)


Terms = tuple[tuple[str, ...], frozenset[str]]
"""A catalog string's tokens in order, and as a set."""


def query_terms(query: str, forms: WordForms | None = None) -> tuple[str, ...]:
    """A query's tokens as the text features compare them (`forms` applied, where given)."""
    tokens = tuple(tokenize(query))
    return forms(tokens) if forms else tokens


@lru_cache(maxsize=262_144)
def text_terms(text: str, forms: WordForms | None = None) -> Terms:
    """Tokens of a catalog string (title, brand, category path), in order and as a set, as `forms`
    writes them where given.

    Cached by the string itself: the same titles come back query after query, tokenising them was most
    of the feature builder's time, and a product edit changes the string, so nothing goes stale.
    """
    tokens = query_terms(text, forms)
    return tokens, frozenset(tokens)


def _category_text(product: Product) -> str:
    """The names of every category path of `product` (a product filed in several matches each)."""
    return " ".join(part for path in product.category_paths for part in path)


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
    """One query's title matching, with the query side tokenised once for all its candidates; titles
    compared in the query's `forms` (`query_terms`)."""

    def __init__(self, query_tokens: Sequence[str], forms: WordForms | None = None) -> None:
        self.tokens = tuple(query_tokens)
        self.wanted = frozenset(self.tokens)
        self.forms = forms

    def __call__(self, title: str) -> tuple[float, float]:
        """(share of the query's distinct tokens found in the title, 1.0 if the query is a phrase in it)."""
        if not self.wanted:
            return 0.0, 0.0
        title_tokens, title_set = text_terms(title, self.forms)
        found = len(self.wanted & title_set)
        phrase = found == len(self.wanted) and _contains_phrase(title_tokens, self.tokens)
        return found / len(self.wanted), 1.0 if phrase else 0.0

    def many(self, titles: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """(overlap, phrase) arrays for many titles; NaN where the title is None (product gone)."""
        terms = [None if title is None else text_terms(title, self.forms) for title in titles]
        return self.many_terms(terms)

    def many_terms(self, terms: Sequence[Terms | None]) -> tuple[np.ndarray, np.ndarray]:
        """`many` for titles already tokenised (`text_terms`; None where the product is gone).

        The same numbers as calling the matcher per title, counted in one pass and divided as arrays:
        fusion matches a few hundred titles per search, and per-title calls and element writes into
        numpy were most of that cost. The phrase is looked for only in titles holding every token.
        """
        n = len(terms)
        wanted = self.wanted
        if not wanted:
            blank = np.array([np.nan if t is None else 0.0 for t in terms])
            return blank, blank.copy()
        found = np.array([-1 if t is None else len(wanted & t[1]) for t in terms], dtype=np.int64)
        gone = found < 0
        overlap = found / len(wanted)
        phrase = np.zeros(n)
        for i in np.flatnonzero(found == len(wanted)).tolist():
            if _contains_phrase(terms[i][0], self.tokens):  # type: ignore[index]
                phrase[i] = 1.0
        overlap[gone] = np.nan
        phrase[gone] = np.nan
        return overlap, phrase


def build_features(
    context: QueryContext,
    candidates: SignalColumns | Sequence[CandidateSignals],
    products: dict[str, Product],
    text_vectors: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Feature matrix of shape (len(candidates), N_FEATURES), float32, rows in candidate order.

    Retrieval and fusion features are computed column-wise; catalog features (title, brand, category,
    price, popularity, availability) need the product and are filled row by row. `text_vectors` maps
    product id -> stored text embedding; it feeds `user_affinity`. A candidate missing from `products`
    (deleted meanwhile) gets neutral catalog features rather than an error.
    """
    columns = candidates if isinstance(candidates, SignalColumns) else SignalColumns.of(candidates)
    n = len(columns)
    rows = np.zeros((n, N_FEATURES), dtype=np.float32)
    if n == 0:
        return rows
    lexical = columns.lexical_score
    retrieved = ~np.isnan(lexical)
    best_lexical = max(float(np.max(lexical[retrieved])), 0.0) if retrieved.any() else 0.0
    if best_lexical > 0:
        rows[:, 0] = np.where(retrieved, lexical / best_lexical, 0.0)
    rows[:, 1] = _rrf(columns.lexical_rank)
    rows[:, 2] = retrieved
    rows[:, 3] = np.nan_to_num(columns.dense_score, nan=0.0)
    rows[:, 4] = _rrf(columns.dense_rank)
    rows[:, 5] = columns.dense_rank > 0
    fused = columns.fused_score
    span = float(fused.max() - fused.min())
    rows[:, 6] = (fused - fused.min()) / span if span > 0 else 1.0
    rows[:, 16] = np.nan_to_num(columns.image_score, nan=0.0)
    if context.click_rates is not None:
        rows[:, 13:15] = np.asarray(context.click_rates(context.query, columns.ids), dtype=np.float32)
    match = _catalog_features(rows, context, columns, products)
    user = context.user_vector
    if user is not None and text_vectors:
        found = [i for i, pid in enumerate(columns.ids) if pid in text_vectors]
        if found:
            matrix = np.stack([text_vectors[columns.ids[i]] for i in found])
            rows[found, 15] = matrix @ np.asarray(user, dtype=np.float32).reshape(-1)
    if match is not None:
        if context.click_rates is not None:
            prior = np.float32(context.click_prior)
            rows[:, 13] = prior + match * (rows[:, 13] - prior)
        rows[:, 15] *= match
    return rows


def _catalog_features(
    rows: np.ndarray, context: QueryContext, columns: SignalColumns, products: dict[str, Product]
) -> np.ndarray | None:
    """Columns 7-12 and 17, which read the product: title match (unless fusion computed it), brand and
    category match, price, popularity, availability. Returns each row's query-match strength (None
    without query tokens), which gates the click part of popularity here and the other global click
    signals in the caller.

    Each column is computed as a list over the candidates that have a product and written once: the
    same float64 arithmetic, rounded to float32 on the write, as filling the rows element by element,
    which cost more than the arithmetic.
    """
    forms = context.forms
    q_tokens = query_terms(context.query, forms)
    q_set = frozenset(q_tokens)
    popularity = context.popularity
    match = np.zeros(len(columns.ids), dtype=np.float32) if q_set else None
    present = [(i, pid, p) for i, pid in enumerate(columns.ids) if (p := products.get(pid)) is not None]
    if not present:
        return match
    at = np.fromiter((i for i, _, _ in present), dtype=np.intp, count=len(present))
    found = [p for _, _, p in present]
    if q_set:
        overlap, phrase = columns.title_overlap[at], columns.title_phrase[at]
        unknown = np.flatnonzero(np.isnan(overlap))
        if unknown.size:
            overlap[unknown], phrase[unknown] = TitleMatcher(q_tokens, forms).many(
                [found[j].title for j in unknown.tolist()]
            )
        rows[at, 7], rows[at, 8] = overlap, phrase
        rows[at, 10] = [len(q_set & text_terms(_category_text(p), forms)[1]) / len(q_set) for p in found]
    brands = [text_terms(p.brand, forms)[1] for p in found]
    rows[at, 9] = [1.0 if brand and q_set.issuperset(brand) else 0.0 for brand in brands]
    rows[at, 11] = [math.log1p(p.price) if p.price and p.price > 0 else 0.0 for p in found]
    extra = [popularity(pid) if popularity else 0.0 for _, pid, _ in present]
    if match is not None:
        match[at] = np.maximum(np.maximum(rows[at, 7], rows[at, 9]), rows[at, 10])
        extra = [e * m for e, m in zip(extra, match[at].tolist(), strict=True)]
    rows[at, 12] = [math.log1p(max(p.popularity, 0.0) + e) for p, e in zip(found, extra, strict=True)]
    rows[at, 17] = [1.0 if p.available else 0.0 for p in found]
    return match
