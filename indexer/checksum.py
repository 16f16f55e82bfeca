"""The catalog checksum: a fingerprint of the normalised product records an index was built from.

It is the sum, modulo 2**256, of the SHA-256 of each record's canonical JSON. A sum rather than one hash
over the file because it must (a) not depend on record order, so re-exporting the same catalog sorted
differently is still "the same catalog", and (b) be maintained by incremental updates without re-reading
the whole catalog: an upsert subtracts the old record's hash and adds the new one. It detects changes; it
is not an integrity seal against someone crafting collisions on purpose.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from typing import Any

from engine.records import Product

_MODULUS = 1 << 256
PREFIX = "sha256sum:"


def _canonical(value: Any) -> Any:
    """Numbers as the engine would read them back from any store (3.0 and 3 are the same price)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        return int(number) if math.isfinite(number) and number.is_integer() else number
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return str(value)


def record_digest(product: Product) -> int:
    """SHA-256 of the product's canonical JSON, as an integer."""
    text = json.dumps(
        _canonical(product.to_dict()), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


class CatalogChecksum:
    """Order-independent multiset hash of product records; `str()` gives the stored form."""

    def __init__(self, value: int = 0) -> None:
        self.value = value % _MODULUS

    @classmethod
    def of(cls, products: Iterable[Product]) -> CatalogChecksum:
        checksum = cls()
        for product in products:
            checksum.add(product)
        return checksum

    @classmethod
    def parse(cls, text: str) -> CatalogChecksum:
        """Inverse of `str()`; an empty or foreign string starts from the empty catalog."""
        if not text.startswith(PREFIX):
            return cls()
        return cls(int(text[len(PREFIX) :], 16))

    def add(self, product: Product) -> None:
        self.value = (self.value + record_digest(product)) % _MODULUS

    def remove(self, product: Product) -> None:
        self.value = (self.value - record_digest(product)) % _MODULUS

    def __str__(self) -> str:
        return f"{PREFIX}{self.value:064x}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CatalogChecksum) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)
