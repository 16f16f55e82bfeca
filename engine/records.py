"""Internal records shared by every part of the engine.

These are plain dataclasses, deliberately separate from the gateway's request/response schemas
(`api/schemas`) and from any backend's storage format, so a backend can change without touching callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CATEGORY_SEPARATOR = " > "
AVAILABILITY_VALUES = ("in_stock", "out_of_stock", "preorder", "backorder", "discontinued")
BUYABLE = (
    "in_stock",
    "preorder",
    "backorder",
)  # the availabilities a shopper can order (`Product.available`)
# The attribute naming a product's family (its sizes and colours): a shop export's `Parent` or `Handle`,
# a Google feed's `item_group_id`. A search shows a family once (`engine.pipeline.distinct`).
FAMILY_ATTRIBUTE = "group"
# The words that tell a family's members apart, as Shopify titles a variant ("12 kg", "M / Rojo"): written
# from a shop export's variant options (`indexer.options`) or sent as an attribute, and searched by default
# (`Settings.search_fields`), so a query naming a size finds that size.
VARIANT_ATTRIBUTE = "variant"
# Without that attribute, the two attributes variants differ by most, in this order: a Google Shopping
# feed's `color` and `size` ("Black / M") tell an `item_group_id`'s items apart as Shopify's options do
# ("colour" as British feeds and CSV headers spell it). Google also names `material` and `pattern`, left
# out: mostly shared by a whole family ("Organic cotton"), they would title every card.
VARIANT_FIELDS = ("color", "colour", "size")


def family_count(members: int, sizes: Mapping[str, int]) -> int:
    """How many families a set of `members` products holds, `sizes` its members per family: each
    product outside every family is one (a search's `total`, a facet value's count)."""
    return members - sum(sizes.values()) + len(sizes)


@dataclass(frozen=True)
class Product:
    """One catalog item as the engine stores it.

    `category` is the path from the root ("Home > Kitchen > Knives" is `("Home", "Kitchen", "Knives")`),
    `more_categories` the further paths of a product filed in several (WooCommerce's "Hund > Reisen,
    Katze > Reisen"): filters, facets and search read them all, the page shows the first.
    `attributes` keeps every field the schema does not name (values are strings, numbers or lists of
    strings, `attribute_values`).
    `image` is a local path or an http(s) URL; `popularity` is a prior in [0, inf) (e.g. sales count).
    """

    id: str
    title: str
    description: str = ""
    brand: str = ""
    category: tuple[str, ...] = ()
    price: float | None = None
    currency: str = "USD"
    availability: str = "in_stock"
    attributes: dict[str, Any] = field(default_factory=dict)
    image: str | None = None
    popularity: float = 0.0
    more_categories: tuple[tuple[str, ...], ...] = ()

    @property
    def category_path(self) -> str:
        return CATEGORY_SEPARATOR.join(self.category)

    @property
    def category_paths(self) -> tuple[tuple[str, ...], ...]:
        """Every category path of the product, `category` first."""
        return (self.category, *self.more_categories) if self.category else ()

    @property
    def available(self) -> bool:
        return self.availability in BUYABLE

    @property
    def family(self) -> str | None:
        """The family this product belongs to (`FAMILY_ATTRIBUTE`), None for a product of its own. The
        key is the attribute as the index stores it (its text), so it names the same family as the
        backends' counts do."""
        value = self.attributes.get(FAMILY_ATTRIBUTE)
        if value is None or isinstance(value, bool):
            return None
        key = str(value)
        return key if key.strip() else None

    @property
    def variant(self) -> str | None:
        """The words telling this product apart from its family's other members (`VARIANT_ATTRIBUTE`),
        else its `VARIANT_FIELDS` values joined as Shopify titles a variant; None without either.
        Derived when read, not stored: an update of a colour changes it with no second field to keep."""
        named = self.attributes.get(VARIANT_ATTRIBUTE)
        if named is not None and str(named).strip():
            return str(named)
        by_name = {name.lower(): value for name, value in self.attributes.items()}
        values = [attribute_text(by_name[name]).strip() for name in VARIANT_FIELDS if name in by_name]
        told = [value for value in values if value]
        return " / ".join(told) if told else None

    def text_for_embedding(self) -> str:
        """The text the BERT encoder sees for this product.

        Title first (it carries most of the meaning and survives truncation at the encoder's max token
        length), then brand and the leaf category, then the description.
        """
        parts = [self.title]
        if self.brand:
            parts.append(self.brand)
        if self.category:
            parts.append(self.category[-1])
        if self.description:
            parts.append(self.description)
        return ". ".join(p.strip() for p in parts if p and p.strip())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "brand": self.brand,
            "category": list(self.category),
            "price": self.price,
            "currency": self.currency,
            "availability": self.availability,
            "attributes": dict(self.attributes),
            "image": self.image,
            "popularity": self.popularity,
        } | ({"more_categories": [list(p) for p in self.more_categories]} if self.more_categories else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
        """Inverse of `to_dict` for records the engine wrote itself (validation of user input is
        `engine.product_schema`'s job)."""
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            description=data.get("description") or "",
            brand=data.get("brand") or "",
            category=tuple(data.get("category") or ()),
            price=data.get("price"),
            currency=data.get("currency") or "USD",
            availability=data.get("availability") or "in_stock",
            attributes=dict(data.get("attributes") or {}),
            image=data.get("image"),
            popularity=float(data.get("popularity") or 0.0),
            more_categories=tuple(tuple(path) for path in data.get("more_categories") or ()),
        )


def attribute_values(value: Any) -> tuple[str, ...]:
    """An attribute's values as the indexes store them and filters and facets compare them: each of a
    list's (a shop's labels, `["Vegan", "Lactosevrij"]`: a product is in both facets), else the value as
    text; none for None."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def attribute_text(value: Any) -> str:
    """An attribute as one text, as it is searched and shown: a list's values joined by ", "."""
    return ", ".join(attribute_values(value))


@dataclass(frozen=True)
class Filters:
    """Structured filters pushed down to every retriever.

    `category` is a path prefix: ("Home",) matches everything under Home. `attributes` maps an attribute
    name to the accepted values (any of them); `availability`, the accepted availabilities (any of
    `AVAILABILITY_VALUES`: a shopper's pick in the availability facet, or the sold-out side of a price
    sort). None / empty means "no constraint".
    """

    category: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    available_only: bool = False
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude_ids: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.category
            or self.brands
            or self.price_min is not None
            or self.price_max is not None
            or self.available_only
            or self.availability
            or self.attributes
            or self.exclude_ids
        )

    def matches(self, product: Product) -> bool:
        """Reference semantics of the filters; every backend must agree with this function."""
        depth = len(self.category)
        if self.category and not any(path[:depth] == self.category for path in product.category_paths):
            return False
        if self.brands and product.brand not in self.brands:
            return False
        if self.price_min is not None and (product.price is None or product.price < self.price_min):
            return False
        if self.price_max is not None and (product.price is None or product.price > self.price_max):
            return False
        if self.available_only and not product.available:
            return False
        if self.availability and product.availability not in self.availability:
            return False
        for name, accepted in self.attributes.items():
            values = attribute_values(product.attributes.get(name)) or ("None",)  # missing: as indexed
            if not any(value in accepted for value in values):
                return False
        return product.id not in self.exclude_ids


@dataclass(frozen=True)
class ScoredId:
    """A retriever's answer: a product id with the retriever's own score (higher is better)."""

    product_id: str
    score: float


@dataclass(frozen=True)
class MemberHits:
    """The lexical side of a search in one backend query: the top members of the match set's lexical
    part by the candidate (BM25) score, and how many lexical members there are in all; `identified`,
    the products whose identifier the query names exactly (`engine.lexical.matching.IDENTIFIED_LIMIT`
    at most, by id), which the search answers first."""

    hits: list[ScoredId]
    members: int
    identified: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether `hits` holds every lexical member (membership is then known without asking again)."""
        return self.members <= len(self.hits)


FacetCounts = dict[str, list[tuple[str, int]]]
"""Facet name -> [(value, count)] sorted by count descending. Names: "brand", "category" (top level),
"category_path" (full path), "availability", "price" (range buckets), or "attr.<name>"."""
