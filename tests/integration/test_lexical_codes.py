"""Codes a car-parts shop writes one way and its shoppers another match the same on both lexical
backends (`engine.lexical.code_readings`): an oil's grade typed without its hyphen ("5w30" for "5W-30",
with its can's size too), a tyre's size in any of the ways shoppers type it ("205 55 16" for "205/55 R16
91V"), a car's generation in Arabic or Roman numerals ("golf 7" for "VW Golf VII"); and none of them
matches a product of another grade, size or generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import MatchQuery, SearchFields
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration

PARTS = [
    Product("oil-5w30-1", "Motoröl Edge 5W-30 LL", attributes={"Inhalt": "1 l"}),
    Product("oil-5w30-5", "Motoröl Edge 5W-30 LL", attributes={"Inhalt": "5 l"}),
    Product("oil-0w20", "Motoröl Quartz Ineo 0W-20", attributes={"Inhalt": "1 l"}),
    Product("tyre-205", "Sommerreifen Premium Contact 6", attributes={"Reifengröße": "205/55 R16 91V"}),
    Product("tyre-225", "Sommerreifen Primacy 4+", attributes={"Reifengröße": "225/45R17 94W XL"}),
    Product("tyre-195", "Winterreifen UltraGrip", attributes={"Reifengröße": "195/65 R15 91H"}),
    Product(
        "pads-golf", "Bremsbelagsatz Vorderachse", attributes={"Fahrzeug": ["VW Golf VII", "Audi A3 8V"]}
    ),
    Product("pads-golf6", "Bremsbelagsatz Hinterachse", attributes={"Fahrzeug": "VW Golf 6"}),
    Product("shirt-xl", "Werkstatt-Shirt XL"),
]


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


FIELDS = ("attr.Inhalt", "attr.Reifengröße", "attr.Fahrzeug")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("5w30", {"oil-5w30-1", "oil-5w30-5"}),
        ("5w-30", {"oil-5w30-1", "oil-5w30-5"}),
        ("5w30 5l", {"oil-5w30-5"}),  # the grade joined in the title, the size read apart
        ("0w20", {"oil-0w20"}),
        ("205 55 16", {"tyre-205"}),
        ("205/55r16", {"tyre-205"}),
        ("205/55 r16", {"tyre-205"}),
        ("sommerreifen 225 45 17", {"tyre-225"}),  # the catalog writes "225/45R17"
        ("225/45 r17", {"tyre-225"}),
        ("205 55 17", set()),  # every part of a size still has to match
        ("bremsbeläge golf 7", {"pads-golf"}),
        ("golf vii", {"pads-golf"}),
        ("golf 6", {"pads-golf6"}),
        ("golf vi", {"pads-golf6"}),
        ("golf 8", set()),
        ("shirt xl", {"shirt-xl"}),  # "XL" is a size, never forty
    ],
)
def test_a_code_written_another_way_matches_as_the_catalog_writes_it(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    german = in_language("german")
    fields = SearchFields({**german.weights, **dict.fromkeys(FIELDS, 1.0)}, german.identifiers, "german")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(PARTS)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected
