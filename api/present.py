"""Engine results -> response models, and the impression every served list is logged as."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from api.schemas.common import Hit, HitDebug
from engine.events.base import Impression
from engine.pipeline.types import RankedHit
from engine.product_schema import REGULAR_PRICE, SALE_ENDS
from engine.ranking.features import FEATURE_NAMES
from engine.records import Product


def new_search_id() -> str:
    return uuid.uuid4().hex


def to_hit(
    product: Product,
    score: float,
    ranked: RankedHit | None = None,
    debug: bool = False,
    ranker_version: int | None = None,
    identified: tuple[str, ...] = (),
    variants: int | None = None,
    prices: tuple[float, float] | None = None,
) -> Hit:
    """The answer's view of a product; with `debug`, the hit's scores (`identified`: the products the
    query names by identifier)."""
    detail = None
    if debug and ranked is not None:
        s = ranked.signals
        detail = HitDebug(
            lexical_score=s.lexical_score,
            lexical_rank=s.lexical_rank,
            dense_score=s.dense_score,
            dense_rank=s.dense_rank,
            image_score=s.image_score,
            fused_score=s.fused_score,
            fused_rank=ranked.fused_rank,
            ranker_score=ranked.ranker_score,
            ranker_version=ranker_version,
            features=None
            if ranked.features is None
            else {name: float(v) for name, v in zip(FEATURE_NAMES, ranked.features, strict=True)},
            identifier=product.id in identified,
            near_only=ranked.loose,
            missing_word=ranked.partial and not ranked.loose,
        )
    return Hit(
        id=product.id,
        title=product.title,
        brand=product.brand,
        price=product.price,
        regular_price=regular_price(product),
        sale_ends=sale_ends(product),
        currency=product.currency,
        availability=product.availability,
        image=product.image,
        family=product.family,
        variant=product.variant,
        variants=variants,
        price_min=prices[0] if prices else None,
        price_max=prices[1] if prices else None,
        score=float(score),
        debug=detail,
    )


def regular_price(product: Product) -> float | None:
    """The price before a sale (`engine.product_schema.REGULAR_PRICE`), while it is above the price."""
    regular = product.attributes.get(REGULAR_PRICE)
    if not isinstance(regular, (int, float)) or product.price is None or regular <= product.price:
        return None
    return float(regular)


def sale_ends(product: Product) -> str | None:
    """When the sale ends (`engine.product_schema.SALE_ENDS`), while the product is on sale, so a page
    can say "until December 24"."""
    ends = product.attributes.get(SALE_ENDS)
    return ends if isinstance(ends, str) and regular_price(product) is not None else None


def page_currency(products: Iterable[Product]) -> str | None:
    """The most common currency among `products` (what the page's price facet labels are in)."""
    counts = Counter(p.currency for p in products if p.currency)
    return counts.most_common(1)[0][0] if counts else None


def relevance(hit: RankedHit) -> float:
    """The 0..1 score a search reports (`engine.pipeline.relevance`); 0 for a hit no stage scored."""
    return hit.relevance if hit.relevance is not None else 0.0


def impression(
    search_id: str,
    query: str,
    product_ids: Sequence[str],
    first_position: int,
    ranker_version: int | None,
    features: Sequence[Sequence[float] | np.ndarray | None] = (),
    user_id: str | None = None,
    session_id: str | None = None,
    surface: str = "search",
    extra: dict[str, object] | None = None,
    propensity_swaps: Sequence[tuple[int, int]] = (),
) -> Impression:
    """Rows are logged only when every served item has one (a partial matrix would mislead training)."""
    rows: tuple[tuple[float, ...], ...] = ()
    if features and len(features) == len(product_ids) and all(f is not None for f in features):
        rows = tuple(tuple(float(x) for x in f) for f in features if f is not None)
    return Impression(
        search_id=search_id,
        timestamp=time.time(),
        query=query,
        product_ids=tuple(product_ids),
        positions=tuple(range(first_position, first_position + len(product_ids))),
        ranker_version=ranker_version or 0,
        features=rows,
        feature_names=FEATURE_NAMES if rows else (),
        user_id=user_id,
        session_id=session_id,
        surface=surface,
        propensity_swaps=tuple(propensity_swaps),
        extra=dict(extra or {}),
    )
