"""What tells a product apart from its family (`Product.variant`): its own `variant` attribute, else the
colour and size a Google feed names, joined as Shopify titles a variant."""

from __future__ import annotations

import pytest

from engine.lexical.matching import SearchFields
from engine.records import Product


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"variant": "12 kg", "color": "Red"}, "12 kg"),  # written from an export's options: it wins
        ({"color": "Black", "size": "M"}, "Black / M"),
        ({"Size": 32, "Colour": "Indigo"}, "Indigo / 32"),  # any case, the British spelling, a number
        ({"color": "Navy", "size": " "}, "Navy"),
        ({"variant": " ", "size": "XL"}, "XL"),  # a blank variant names nothing
        ({"material": "Linen", "pattern": "Plaid"}, None),  # shared by a family more often than not
        ({}, None),
    ],
)
def test_variant(attributes: dict[str, object], expected: str | None) -> None:
    assert Product("p", "Tee", attributes=attributes).variant == expected


def test_the_searched_variant_field_holds_it() -> None:
    tee = Product("p", "Tee", attributes={"color": "Black", "size": "M"})
    assert SearchFields().text(tee, "attr.variant") == "Black / M"
    assert SearchFields().text(tee, "attr.color") == "Black"
