"""A Russian catalog matches as its shoppers type, the same on both lexical backends: words in any case
and number (the same Snowball stemmer on each), "ё" as "е", a size in Russian units ("55 дюймов" for
the catalog's "55 дюйм", "8кг"), Latin brands inside Cyrillic titles, and words typed with the keyboard
in the Latin layout ("[jkjlbkmybr" for "холодильник") or the Cyrillic one ("ищыср" for "bosch")."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import MatchQuery, SearchFields
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration

CATALOG = [
    Product("fridge", "Холодильник Bosch KGN39VI25R", attributes={"Цвет": "чёрный"}),
    Product("fridge-white", "Холодильник Атлант ХМ 4421", attributes={"Цвет": "белый"}),
    Product("washer", "Стиральная машина LG F2J3NS0W", attributes={"Загрузка": "8 кг"}),
    Product("tv-55", "Телевизор Samsung UE55AU7100U", attributes={"Диагональ": "55 дюйм"}),
    Product("tv-43", "Телевизор LG 43UR78006LK", attributes={"Диагональ": "43 дюйм"}),
]


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("холодильники", {"fridge", "fridge-white"}),
        ("стиральные машины", {"washer"}),
        ("черный холодильник", {"fridge"}),  # the catalog writes "чёрный"
        ("чёрный холодильник", {"fridge"}),
        ("холодильник bosch", {"fridge"}),
        ("телевизор 55 дюймов", {"tv-55"}),
        ("стиральная машина 8кг", {"washer"}),
        ("[jkjlbkmybr", {"fridge", "fridge-white"}),  # typed with the Latin layout on
        ("cnbhfkmyfz vfibyf", {"washer"}),
        ("холодильник ищыср", {"fridge"}),  # "bosch" typed with the Cyrillic layout on
        ("ntktdbpjh 43", {"tv-43"}),
    ],
)
def test_a_russian_catalog_matches_as_its_shoppers_type(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    russian = in_language("russian")
    weights = {**russian.weights, "attr.Цвет": 1.0, "attr.Загрузка": 1.0, "attr.Диагональ": 1.0}
    fields = SearchFields(weights, russian.identifiers, "russian")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected
