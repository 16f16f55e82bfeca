"""A query naming a variant's option finds that variant, the same on both lexical backends: a shop export's
sizes and colours are written into the `variant` attribute (`indexer.options`), which the default
searchable fields include, so "pienso 12 kg" finds the 12 kg bags whose titles are their family's. A
Google feed's items name theirs as `color` and `size` attributes, searched as the variant too
(`Product.variant`), so "black t-shirt m" finds the black one in M.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_settings
from engine.lexical.matching import MatchQuery, SearchFields
from engine.records import Product
from tests.support.backends import BACKENDS, open_backend

pytestmark = pytest.mark.integration


def bag(pid: str, title: str, family: str, variant: str) -> Product:
    return Product(pid, title, attributes={"group": family, "variant": variant, "Peso": variant})


# Ids a query never names (an id is an identifier).
PETS = [
    *(
        bag(f"pt-rc-{kg}", "Pienso Royal Canin Medium Adult para perros", "rc", f"{kg} kg")
        for kg in (3, 12, 15)
    ),
    *(bag(f"pt-ad-{kg}", "Pienso Advance Puppy para perros", "ad", f"{kg} kg") for kg in (3, 12)),
    bag("pt-cat", "Pienso para gatos esterilizados", "cat", "1,5 kg"),
    bag("pt-litter", "Arena aglomerante para gatos", "litter", "10 l"),
    bag("pt-collar", "Collar de nailon", "collar", "Rojo / M"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pienso 12 kg", {"pt-rc-12", "pt-ad-12"}),
        ("pienso 12kg", {"pt-rc-12", "pt-ad-12"}),
        ("canin 15 kg", {"pt-rc-15"}),
        ("pienso gatos 1.5 kg", {"pt-cat"}),  # a decimal point for the option's decimal comma
        ("arena 10 l", {"pt-litter"}),
        ("collar rojo", {"pt-collar"}),
        ("pienso perros", {"pt-rc-3", "pt-rc-12", "pt-rc-15", "pt-ad-3", "pt-ad-12"}),
        ("pienso 20 kg", set()),  # a size the shop does not sell
    ],
)
def test_a_query_naming_an_option_finds_that_variant(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    defaults = SearchFields.from_settings(load_settings(data_dir=tmp_path, catalog_language="spanish"))
    assert "attr.variant" in defaults.weights
    with open_backend(backend, request, tmp_path, defaults) as index:
        index.rebuild(PETS)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


def tee(colour: str, size: str) -> Product:
    """An item of a Google feed: its family's title, its `color` and `size` and no `variant`."""
    pid = f"ts-{colour[:3].lower()}-{size.lower()}"
    return Product(pid, "Essential Crew Tee", attributes={"group": "ts", "color": colour, "Size": size})


FEED = [
    *(tee(colour, size) for colour in ("Black", "Navy") for size in ("S", "M", "XL")),
    Product("jn-32", "Slim Fit Jeans", attributes={"group": "jn", "colour": "Indigo", "size": 32}),
    Product("jn-34", "Slim Fit Jeans", attributes={"group": "jn", "colour": "Indigo", "size": 34}),
    Product("cp-1", "Baseball Cap", attributes={"color": "Navy", "variant": "Adjustable"}),  # its own variant
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("black tee", {"ts-bla-s", "ts-bla-m", "ts-bla-xl"}),
        ("tee xl", {"ts-bla-xl", "ts-nav-xl"}),  # "Size", as a CSV header writes it
        ("navy tee xl", {"ts-nav-xl", "ts-nav-s", "ts-nav-m", "ts-bla-xl"}),  # two of three words
        ("jeans 34", {"jn-34"}),
        ("indigo jeans", {"jn-32", "jn-34"}),  # "colour"
        ("adjustable cap", {"cp-1"}),
        ("navy cap", set()),  # a `variant` of its own: its colour is not searched
        ("red tee", set()),  # a colour the shop does not sell
    ],
)
def test_a_feed_item_is_found_by_its_colour_and_size(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    defaults = SearchFields.from_settings(load_settings(data_dir=tmp_path))
    with open_backend(backend, request, tmp_path, defaults) as index:
        index.rebuild(FEED)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


def test_every_word_asks_each_word_the_rule_would_let_a_product_miss(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    defaults = SearchFields.from_settings(load_settings(data_dir=tmp_path))
    with open_backend(backend, request, tmp_path, defaults) as index:
        index.rebuild(FEED)
        assert len(index.match_ids(MatchQuery("navy tee xl", typos=False))) == 4
        assert index.match_ids(MatchQuery("navy tee xl", typos=False, every_word=True)) == {"ts-nav-xl"}
        assert index.match_ids(MatchQuery("navy tees xl", every_word=True)) == {"ts-nav-xl"}  # stemmed
        assert index.match_ids(MatchQuery("tee xl", every_word=True)) == {"ts-bla-xl", "ts-nav-xl"}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
